#pragma once
// Applies db/migrations the way Flyway 11 does on PostgreSQL, so the two are
// interchangeable on one database: same history table and rows, same
// checksums, same advisory lock key, one transaction per migration.

#include <chrono>
#include <cstdint>
#include <optional>
#include <pqxx/connection>
#include <stdexcept>
#include <string>
#include <vector>

#include "db/migration_source.hpp"

namespace pf::db {

class MigrationError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// One row of flyway_schema_history.
struct AppliedMigration {
    int installed_rank = 0;
    std::optional<std::string> version;
    std::string description;
    std::string type;
    std::string script;
    std::optional<std::int32_t> checksum;
    bool success = true;
};

// What migrate would do, and what stops it. Pure: computed from the local
// scripts and the history rows, so it is unit-tested without a database.
struct MigrationPlan {
    std::vector<const MigrationScript*> pending;  // in version order
    std::vector<std::string> problems;            // each stops migrate and readiness
    std::vector<std::string> warnings;            // e.g. versions newer than this binary
    std::size_t applied_count = 0;                // local scripts already applied
};

MigrationPlan plan_migrations(const std::vector<MigrationScript>& scripts,
                              const std::vector<AppliedMigration>& history);

// Flyway's PostgreSQL advisory lock key for the default history table:
// 77431708279161 + Java's String.hashCode of "\"public\".\"flyway_schema_history\"".
std::int64_t flyway_lock_key();

struct MigrateResult {
    std::vector<std::string> applied;  // script names, in order
    std::size_t already_applied = 0;
};

class Migrator {
  public:
    Migrator(pqxx::connection& connection, std::vector<MigrationScript> scripts,
             std::chrono::milliseconds lock_timeout = std::chrono::minutes(5));

    // Takes the lock, creates the history table when missing, validates
    // history against the scripts, then applies each pending script in its
    // own transaction and records it. Throws MigrationError naming the file.
    MigrateResult migrate();

    // Read-only: no lock, creates nothing.
    MigrationPlan status();

    const std::vector<MigrationScript>& scripts() const { return scripts_; }

  private:
    std::vector<AppliedMigration> read_history();
    void create_history_table_if_missing();
    void apply(const MigrationScript& script);

    pqxx::connection& connection_;
    std::vector<MigrationScript> scripts_;
    std::chrono::milliseconds lock_timeout_;
};

}  // namespace pf::db
