#pragma once
// Flyway's reading of a versioned SQL migration's file name
// (`V<version>__<description>.sql`), reproduced exactly so that the rows we
// write into flyway_schema_history are the rows Flyway would write and
// `flyway validate` passes on a database we migrated.

#include <compare>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace pf::db {

class MigrationNameError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// A migration version as Flyway compares it: numeric parts split on '.', or
// '_' which Flyway reads as '.', compared as big integers, trailing zero parts
// ignored (so 1.0 == 1 and 1.10 > 1.9).
class MigrationVersion {
  public:
    // Throws MigrationNameError when a part is not a decimal number.
    static MigrationVersion parse(std::string_view text);

    // The text Flyway stores in flyway_schema_history.version: the version as
    // written in the file name with every '_' turned into '.'.
    const std::string& display() const { return display_; }

    std::strong_ordering operator<=>(const MigrationVersion& other) const;
    bool operator==(const MigrationVersion& other) const {
        return (*this <=> other) == std::strong_ordering::equal;
    }

  private:
    std::string display_;
    std::vector<std::string> parts_;  // decimal digits, no leading zeros ("0" for zero)
};

struct MigrationName {
    MigrationVersion version;
    std::string description;  // as Flyway stores it: separator-split, '_' -> ' '
    std::string script;       // the file name, as Flyway's `script` column holds it
};

// Parses a file name such as `V20261128_100000___create_schemas.sql`.
// Flyway splits at the FIRST "__" after the version, so with three
// underscores the description keeps a leading '_' which becomes a space:
// " create schemas". Throws MigrationNameError naming the file on anything
// Flyway would not run as a versioned SQL migration.
MigrationName parse_migration_file_name(std::string_view file_name);

// Flyway truncates long descriptions to 200 characters (its column width),
// ending them with "...".
std::string abbreviate_description(std::string_view description);

}  // namespace pf::db
