#pragma once
// Where migrations come from: the files compiled into the binary (the default)
// or a directory (an operator's override, and the tests' way of changing a
// released file).

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "db/flyway_naming.hpp"

namespace pf::db {

struct MigrationScript {
    MigrationName name;
    std::string sql;
    std::int32_t checksum;
};

class MigrationSourceError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// Builds scripts from (file name, content) pairs: parses each name, computes
// its checksum, rejects content that is not UTF-8 and two files with the
// same version, and sorts by version.
std::vector<MigrationScript> make_migration_scripts(
    std::vector<std::pair<std::string, std::string>> files);

std::vector<MigrationScript> embedded_migrations();

// Every *.sql file directly in `dir`; other files are ignored.
std::vector<MigrationScript> load_migrations_from_dir(const std::filesystem::path& dir);

}  // namespace pf::db
