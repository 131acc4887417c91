// The migrator against a real PostgreSQL: fresh migrate, re-migrate, a changed
// file, a failing file, concurrent migrators, lock timeout.
#include "db/migrator.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <pqxx/pqxx>
#include <thread>

#include "db/flyway_checksum.hpp"
#include "db/migration_source.hpp"
#include "integration/scratch_database.hpp"

using namespace pf::db;
using pf::test::TestDatabase;
namespace fs = std::filesystem;

namespace {

// A private copy of db/migrations that a test may edit.
struct MigrationsCopy {
    fs::path dir;
    MigrationsCopy() {
        dir = fs::temp_directory_path() /
              ("pf-migrations-" + std::to_string(::getpid()) + "-" + std::to_string(std::rand()));
        fs::create_directories(dir);
        for (const auto& entry : fs::directory_iterator(PF_SOURCE_DIR "/db/migrations"))
            fs::copy_file(entry.path(), dir / entry.path().filename());
    }
    ~MigrationsCopy() { fs::remove_all(dir); }
    void write(const std::string& name, const std::string& content) const {
        std::ofstream(dir / name, std::ios::binary | std::ios::trunc) << content;
    }
    void append(const std::string& name, const std::string& content) const {
        std::ofstream(dir / name, std::ios::binary | std::ios::app) << content;
    }
    std::string first_file() const {
        std::vector<std::string> names;
        for (const auto& e : fs::directory_iterator(dir))
            names.push_back(e.path().filename().string());
        std::sort(names.begin(), names.end());
        return names.front();
    }
};

long long count(pqxx::connection& c, const std::string& sql) {
    pqxx::nontransaction tx(c);
    return tx.exec(sql)[0][0].as<long long>();
}

std::string error_of(Migrator& migrator) {
    try {
        migrator.migrate();
    } catch (const MigrationError& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("a fresh database is migrated and recorded exactly as Flyway records it") {
    TestDatabase db("fresh");
    pqxx::connection c(db.url());
    const auto scripts = embedded_migrations();
    Migrator migrator(c, scripts);
    const auto result = migrator.migrate();
    CHECK(result.applied.size() == scripts.size());
    CHECK(result.already_applied == 0);

    CHECK(count(c,
                "SELECT count(*) FROM pg_namespace WHERE nspname IN "
                "('iam','crm','outreach','tracking')") == 4);
    CHECK(count(c,
                "SELECT count(*) FROM pg_tables WHERE schemaname IN "
                "('iam','crm','outreach','tracking')") ==
          28);  // the 17 of DESIGN, the engine's 2, tracking.suppressions, outreach.holidays,
                // mailboxes' 3, outreach.instances, the inbound reader's 3

    pqxx::nontransaction tx(c);
    const auto rows = tx.exec(
        "SELECT installed_rank, version, description, type, script, checksum, installed_by = "
        "current_user, "
        "success, execution_time >= 0, installed_on <= now() FROM flyway_schema_history ORDER BY "
        "installed_rank");
    REQUIRE(rows.size() == scripts.size());
    for (std::size_t i = 0; i < scripts.size(); ++i) {
        const auto& s = scripts[i];
        CHECK(rows[i][0].as<int>() == static_cast<int>(i + 1));
        CHECK(rows[i][1].as<std::string>() == s.name.version.display());
        CHECK(rows[i][2].as<std::string>() == s.name.description);
        CHECK(rows[i][3].as<std::string>() == "SQL");
        CHECK(rows[i][4].as<std::string>() == s.name.script);
        CHECK(rows[i][5].as<int>() == flyway_checksum(s.sql));
        CHECK(rows[i][6].as<bool>());
        CHECK(rows[i][7].as<bool>());
        CHECK(rows[i][8].as<bool>());
        CHECK(rows[i][9].as<bool>());
    }
    // Flyway's own table shape: its create script's columns, key and index.
    CHECK(
        tx.exec("SELECT string_agg(column_name || ':' || data_type || ':' || is_nullable, ',' "
                "ORDER BY ordinal_position) "
                "FROM information_schema.columns WHERE table_name = 'flyway_schema_history'")[0][0]
            .as<std::string>() ==
        "installed_rank:integer:NO,version:character varying:YES,description:character varying:NO,"
        "type:character varying:NO,script:character varying:NO,checksum:integer:YES,"
        "installed_by:character varying:NO,installed_on:timestamp without time zone:NO,"
        "execution_time:integer:NO,success:boolean:NO");
    CHECK(
        tx.exec(
              "SELECT count(*) FROM pg_indexes WHERE tablename = 'flyway_schema_history' "
              "AND indexname IN ('flyway_schema_history_pk', 'flyway_schema_history_s_idx')")[0][0]
            .as<int>() == 2);
}

TEST_CASE("a second migrate applies nothing and leaves the history as it was") {
    TestDatabase db("again");
    pqxx::connection c(db.url());
    Migrator(c, embedded_migrations()).migrate();
    const auto before =
        count(c, "SELECT sum(hashtext(installed_on::text || checksum)) FROM flyway_schema_history");
    const auto result = Migrator(c, embedded_migrations()).migrate();
    CHECK(result.applied.empty());
    CHECK(result.already_applied == embedded_migrations().size());
    CHECK(
        count(c,
              "SELECT sum(hashtext(installed_on::text || checksum)) FROM flyway_schema_history") ==
        before);
    CHECK(Migrator(c, embedded_migrations()).status().pending.empty());
}

TEST_CASE(
    "an applied migration whose file changed stops the migrator, naming the file and both "
    "checksums") {
    TestDatabase db("changed");
    MigrationsCopy copy;
    pqxx::connection c(db.url());
    Migrator(c, load_migrations_from_dir(copy.dir)).migrate();

    const auto file = copy.first_file();
    const auto before = load_migrations_from_dir(copy.dir).front().checksum;
    copy.append(file, "\n-- an innocent-looking edit\n");
    const auto after = load_migrations_from_dir(copy.dir).front().checksum;
    REQUIRE(before != after);

    Migrator migrator(c, load_migrations_from_dir(copy.dir));
    const auto message = error_of(migrator);
    CHECK(message.find(file) != std::string::npos);
    CHECK(message.find(std::to_string(before)) != std::string::npos);
    CHECK(message.find(std::to_string(after)) != std::string::npos);
    CHECK_FALSE(migrator.status().problems.empty());
}

TEST_CASE("changing only line endings is not a change (Flyway's checksum ignores them)") {
    TestDatabase db("crlf");
    MigrationsCopy copy;
    pqxx::connection c(db.url());
    Migrator(c, load_migrations_from_dir(copy.dir)).migrate();
    const auto file = copy.first_file();
    std::ifstream in(copy.dir / file, std::ios::binary);
    std::string content((std::istreambuf_iterator<char>(in)), {}), crlf;
    for (char ch : content) {
        if (ch == '\n') crlf += '\r';
        crlf += ch;
    }
    copy.write(file, crlf);
    CHECK(Migrator(c, load_migrations_from_dir(copy.dir)).migrate().applied.empty());
}

TEST_CASE("a failing migration is rolled back and reported with the SQL error and the file name") {
    TestDatabase db("failing");
    MigrationsCopy copy;
    pqxx::connection c(db.url());
    Migrator(c, load_migrations_from_dir(copy.dir)).migrate();
    const auto applied_before = count(c, "SELECT count(*) FROM flyway_schema_history");

    copy.write("V20991231_000000___broken.sql",
               "CREATE TABLE outreach.half_done (id int);\n"
               "INSERT INTO outreach.no_such_table VALUES (1);\n");
    Migrator migrator(c, load_migrations_from_dir(copy.dir));
    const auto message = error_of(migrator);
    CHECK(message.find("V20991231_000000___broken.sql") != std::string::npos);
    CHECK(message.find("no_such_table") != std::string::npos);
    CHECK(message.find("42P01") != std::string::npos);
    CHECK(message.find("rolled back") != std::string::npos);
    // Nothing of it stayed: not the table, not a history row.
    CHECK(count(c, "SELECT count(*) FROM pg_tables WHERE tablename = 'half_done'") == 0);
    CHECK(count(c, "SELECT count(*) FROM flyway_schema_history") == applied_before);

    // Fixed, it applies as the next rank.
    copy.write("V20991231_000000___broken.sql", "CREATE TABLE outreach.half_done (id int);\n");
    const auto result = Migrator(c, load_migrations_from_dir(copy.dir)).migrate();
    CHECK(result.applied == std::vector<std::string>{"V20991231_000000___broken.sql"});
    CHECK(count(c, "SELECT max(installed_rank) FROM flyway_schema_history") == applied_before + 1);
}

TEST_CASE("a migration older than the newest applied one is refused (no out-of-order)") {
    TestDatabase db("order");
    MigrationsCopy copy;
    pqxx::connection c(db.url());
    Migrator(c, load_migrations_from_dir(copy.dir)).migrate();
    copy.write("V20000101_000000___too_old.sql", "SELECT 1;\n");
    Migrator migrator(c, load_migrations_from_dir(copy.dir));
    CHECK(error_of(migrator).find("V20000101_000000___too_old.sql") != std::string::npos);
}

TEST_CASE("concurrent migrators: each migration is applied exactly once") {
    TestDatabase db("concurrent");
    constexpr int kMigrators = 4;
    std::vector<std::size_t> applied(kMigrators, 0);
    std::vector<std::string> errors(kMigrators);
    std::vector<std::thread> threads;
    for (int i = 0; i < kMigrators; ++i) {
        threads.emplace_back([&, i] {
            try {
                pqxx::connection c(db.url());
                applied[static_cast<std::size_t>(i)] =
                    Migrator(c, embedded_migrations()).migrate().applied.size();
            } catch (const std::exception& e) {
                errors[static_cast<std::size_t>(i)] = e.what();
            }
        });
    }
    for (auto& t : threads) t.join();
    for (const auto& e : errors) CHECK(e.empty());
    std::size_t total = 0;
    for (auto n : applied) total += n;
    CHECK(total == embedded_migrations().size());
    pqxx::connection c(db.url());
    CHECK(count(c, "SELECT count(*) FROM flyway_schema_history") ==
          static_cast<long long>(embedded_migrations().size()));
    CHECK(count(c, "SELECT count(DISTINCT version) FROM flyway_schema_history") ==
          static_cast<long long>(embedded_migrations().size()));
}

TEST_CASE("a migrator gives up with a clear error when another holds the lock too long") {
    TestDatabase db("locked");
    pqxx::connection holder(db.url());
    pqxx::nontransaction(holder).exec_params("SELECT pg_advisory_lock($1)", flyway_lock_key());
    pqxx::connection c(db.url());
    Migrator migrator(c, embedded_migrations(), std::chrono::milliseconds(300));
    CHECK(error_of(migrator).find("timed out") != std::string::npos);
    CHECK(count(c, "SELECT count(*) FROM pg_tables WHERE tablename = 'flyway_schema_history'") ==
          0);
}
