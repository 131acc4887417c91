#include "db/migrator.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <pqxx/pqxx>
#include <thread>

namespace pf::db {
namespace {

constexpr std::int64_t kFlywayLockMagic = 77431708279161LL;
constexpr std::string_view kHistoryTable = R"("public"."flyway_schema_history")";

// java.lang.String#hashCode over ASCII text: h = 31 * h + c, wrapping at 32 bits.
constexpr std::int32_t java_string_hash(std::string_view s) {
    std::uint32_t h = 0;
    for (char c : s) h = 31u * h + static_cast<unsigned char>(c);
    return static_cast<std::int32_t>(h);
}

// Flyway's own DDL for the history table on PostgreSQL (createMetaDataTable.sql).
constexpr const char* kCreateHistorySql = R"sql(
CREATE TABLE "public"."flyway_schema_history" (
    "installed_rank" INT NOT NULL,
    "version" VARCHAR(50),
    "description" VARCHAR(200) NOT NULL,
    "type" VARCHAR(20) NOT NULL,
    "script" VARCHAR(1000) NOT NULL,
    "checksum" INT,
    "installed_by" VARCHAR(100) NOT NULL,
    "installed_on" TIMESTAMP NOT NULL DEFAULT now(),
    "execution_time" INT NOT NULL,
    "success" BOOLEAN NOT NULL
);
ALTER TABLE "public"."flyway_schema_history" ADD CONSTRAINT "flyway_schema_history_pk" PRIMARY KEY ("installed_rank");
CREATE INDEX "flyway_schema_history_s_idx" ON "public"."flyway_schema_history" ("success");
)sql";

// Holds Flyway's session-level advisory lock; released on scope exit (and by
// PostgreSQL if the connection dies).
class AdvisoryLock {
  public:
    AdvisoryLock(pqxx::connection& connection, std::int64_t key, std::chrono::milliseconds timeout)
        : connection_(connection), key_(key) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        bool logged = false;
        while (true) {
            pqxx::nontransaction tx(connection_);
            if (tx.exec_params1("SELECT pg_try_advisory_lock($1)", key_)[0].as<bool>()) return;
            if (std::chrono::steady_clock::now() >= deadline) {
                throw MigrationError("timed out after " + std::to_string(timeout.count()) +
                                     " ms waiting for the migration lock (advisory lock " +
                                     std::to_string(key_) + "): another migrator holds it");
            }
            if (!logged) {
                spdlog::info("waiting for the migration lock held by another migrator");
                logged = true;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    }
    ~AdvisoryLock() {
        try {
            pqxx::nontransaction tx(connection_);
            tx.exec_params("SELECT pg_advisory_unlock($1)", key_);
        } catch (const std::exception& e) {
            // The session ends soon and takes the lock with it.
            spdlog::warn("could not release the migration lock: {}", e.what());
        }
    }
    AdvisoryLock(const AdvisoryLock&) = delete;
    AdvisoryLock& operator=(const AdvisoryLock&) = delete;

  private:
    pqxx::connection& connection_;
    std::int64_t key_;
};

std::string describe(const AppliedMigration& row) {
    return row.script + " (version " + row.version.value_or("none") + ")";
}

}  // namespace

std::int64_t flyway_lock_key() {
    return kFlywayLockMagic + java_string_hash(kHistoryTable);
}

MigrationPlan plan_migrations(const std::vector<MigrationScript>& scripts,
                              const std::vector<AppliedMigration>& history) {
    MigrationPlan plan;
    std::optional<MigrationVersion> baseline;
    std::optional<MigrationVersion> newest_applied;
    std::vector<bool> applied(scripts.size(), false);

    const auto find_script = [&](const MigrationVersion& v) -> std::ptrdiff_t {
        for (std::size_t i = 0; i < scripts.size(); ++i)
            if (scripts[i].name.version == v) return static_cast<std::ptrdiff_t>(i);
        return -1;
    };

    for (const auto& row : history) {
        if (row.type == "SCHEMA") continue;  // Flyway's marker for schemas it created
        if (!row.success) {
            plan.problems.push_back("migration " + describe(row) +
                                    " failed earlier and is recorded as failed in "
                                    "flyway_schema_history; repair the database by hand, then "
                                    "delete that row (what `flyway repair` does)");
            continue;
        }
        if (!row.version) {
            plan.problems.push_back("flyway_schema_history holds repeatable migration " +
                                    row.script + ", which prospectflowd does not use");
            continue;
        }
        MigrationVersion version = MigrationVersion::parse(*row.version);
        if (row.type == "BASELINE" || row.type == "INIT") {
            baseline = version;
            continue;
        }
        if (row.type != "SQL") {
            plan.problems.push_back("migration " + describe(row) + " has type " + row.type +
                                    "; prospectflowd only applies SQL migrations");
            continue;
        }
        if (!newest_applied || *newest_applied < version) newest_applied = version;
        const auto index = find_script(version);
        if (index < 0) {
            if (scripts.empty() || scripts.back().name.version < version) {
                plan.warnings.push_back("database has migration " + describe(row) +
                                        ", newer than any this prospectflowd knows");
            } else {
                plan.problems.push_back("applied migration " + describe(row) +
                                        " is missing from the migrations");
            }
            continue;
        }
        const auto& script = scripts[static_cast<std::size_t>(index)];
        applied[static_cast<std::size_t>(index)] = true;
        if (row.checksum != script.checksum) {
            plan.problems.push_back(
                "migration " + script.name.script +
                " has changed since it was applied: flyway_schema_history has checksum " +
                (row.checksum ? std::to_string(*row.checksum) : std::string("NULL")) +
                ", the file has checksum " + std::to_string(script.checksum) +
                " (released migrations must never be edited; add a new one)");
        }
        if (row.description != abbreviate_description(script.name.description)) {
            plan.problems.push_back("migration " + script.name.script + " has description '" +
                                    script.name.description + "' but was applied as '" +
                                    row.description + "'");
        }
    }

    for (std::size_t i = 0; i < scripts.size(); ++i) {
        if (applied[i]) {
            ++plan.applied_count;
            continue;
        }
        const auto& script = scripts[i];
        if (baseline && !(*baseline < script.name.version)) continue;  // covered by baseline
        if (newest_applied && script.name.version < *newest_applied) {
            plan.problems.push_back(
                "migration " + script.name.script + " (version " + script.name.version.display() +
                ") is older than the newest applied version " + newest_applied->display() +
                "; out-of-order migrations are not applied");
            continue;
        }
        plan.pending.push_back(&script);
    }
    return plan;
}

Migrator::Migrator(pqxx::connection& connection, std::vector<MigrationScript> scripts,
                   std::chrono::milliseconds lock_timeout)
    : connection_(connection), scripts_(std::move(scripts)), lock_timeout_(lock_timeout) {}

std::vector<AppliedMigration> Migrator::read_history() {
    pqxx::read_transaction tx(connection_);
    const auto exists =
        tx.exec("SELECT to_regclass('\"public\".\"flyway_schema_history\"') IS NOT NULL")[0][0]
            .as<bool>();
    if (!exists) return {};
    std::vector<AppliedMigration> rows;
    for (const auto& r : tx.exec(
             R"(SELECT installed_rank, version, description, type, script, checksum, success
                FROM "public"."flyway_schema_history" ORDER BY installed_rank)")) {
        AppliedMigration row;
        row.installed_rank = r[0].as<int>();
        if (!r[1].is_null()) row.version = r[1].as<std::string>();
        row.description = r[2].as<std::string>();
        row.type = r[3].as<std::string>();
        row.script = r[4].as<std::string>();
        if (!r[5].is_null()) row.checksum = r[5].as<std::int32_t>();
        row.success = r[6].as<bool>();
        rows.push_back(std::move(row));
    }
    return rows;
}

void Migrator::create_history_table_if_missing() {
    pqxx::work tx(connection_);
    if (tx.exec("SELECT to_regclass('\"public\".\"flyway_schema_history\"') IS NULL")[0][0]
            .as<bool>()) {
        spdlog::info("creating schema history table {}", kHistoryTable);
        tx.exec(kCreateHistorySql);
    }
    tx.commit();
}

void Migrator::apply(const MigrationScript& script) {
    const auto started = std::chrono::steady_clock::now();
    try {
        pqxx::work tx(connection_);
        tx.exec(script.sql);
        const auto elapsed_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::steady_clock::now() - started)
                                    .count();
        tx.exec_params(
            R"(INSERT INTO "public"."flyway_schema_history"
                 (installed_rank, version, description, type, script, checksum,
                  installed_by, execution_time, success)
               SELECT COALESCE(MAX(installed_rank), 0) + 1, $1, $2, 'SQL', $3, $4,
                      current_user, $5, true
               FROM "public"."flyway_schema_history")",
            script.name.version.display(), abbreviate_description(script.name.description),
            script.name.script, script.checksum, static_cast<int>(elapsed_ms));
        tx.commit();
        spdlog::info("applied migration {} in {} ms", script.name.script, elapsed_ms);
    } catch (const pqxx::sql_error& e) {
        throw MigrationError("migration " + script.name.script + " failed and was rolled back: " +
                             e.what() + " (SQLSTATE " + e.sqlstate() + ")");
    }
}

MigrateResult Migrator::migrate() {
    AdvisoryLock lock(connection_, flyway_lock_key(), lock_timeout_);
    create_history_table_if_missing();
    // Read under the lock: another migrator may have finished while we waited.
    const auto plan = plan_migrations(scripts_, read_history());
    for (const auto& warning : plan.warnings) spdlog::warn("{}", warning);
    if (!plan.problems.empty()) {
        std::string message = "refusing to migrate:";
        for (const auto& p : plan.problems) message += "\n  - " + p;
        throw MigrationError(message);
    }
    MigrateResult result;
    result.already_applied = plan.applied_count;
    for (const auto* script : plan.pending) {
        apply(*script);
        result.applied.push_back(script->name.script);
    }
    return result;
}

MigrationPlan Migrator::status() {
    return plan_migrations(scripts_, read_history());
}

}  // namespace pf::db
