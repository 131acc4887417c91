#include "db/flyway_naming.hpp"

#include <doctest/doctest.h>

using pf::db::MigrationName;
using pf::db::MigrationNameError;
using pf::db::MigrationVersion;
using pf::db::parse_migration_file_name;

TEST_CASE("the project's V<yyyymmdd_hhmmss>___<desc> names parse as Flyway parses them") {
    const auto name = parse_migration_file_name("V20261128_100300___outreach.sql");
    // '_' in a version is read as '.', and Flyway stores the dotted form.
    CHECK(name.version.display() == "20261128.100300");
    // Flyway splits at the first "__": the third underscore stays with the
    // description and becomes a leading space.
    CHECK(name.description == " outreach");
    CHECK(name.script == "V20261128_100300___outreach.sql");

    const auto multi =
        parse_migration_file_name("V20261128_100000___extensions_schemas_and_helpers.sql");
    CHECK(multi.description == " extensions schemas and helpers");
}

TEST_CASE("classic Flyway names") {
    CHECK(parse_migration_file_name("V1__init.sql").version.display() == "1");
    CHECK(parse_migration_file_name("V1__init.sql").description == "init");
    CHECK(parse_migration_file_name("V1_1__add_column_location_history_valid_until.sql")
              .version.display() == "1.1");
    CHECK(parse_migration_file_name("V1_1__add_column_location_history_valid_until.sql")
              .description == "add column location history valid until");
    CHECK(parse_migration_file_name("V2.3.4__Some_Thing.sql").version.display() == "2.3.4");
    CHECK(parse_migration_file_name("V2.3.4__Some_Thing.sql").description == "Some Thing");
    // No separator: version only, empty description.
    CHECK(parse_migration_file_name("V7.sql").description.empty());
    CHECK(parse_migration_file_name("V7.sql").version.display() == "7");
}

TEST_CASE("names Flyway would not run are refused with the file name") {
    CHECK_THROWS_AS(parse_migration_file_name("V__no_version.sql"), MigrationNameError);
    CHECK_THROWS_AS(parse_migration_file_name("R__repeatable.sql"), MigrationNameError);
    CHECK_THROWS_AS(parse_migration_file_name("v1__lowercase.sql"), MigrationNameError);
    CHECK_THROWS_AS(parse_migration_file_name("V1__init.txt"), MigrationNameError);
    CHECK_THROWS_AS(parse_migration_file_name("V1a__letters.sql"), MigrationNameError);
    CHECK_THROWS_AS(parse_migration_file_name("V1..2__empty_part.sql"), MigrationNameError);
    try {
        parse_migration_file_name("Vabc__x.sql");
        FAIL("expected an error");
    } catch (const MigrationNameError& e) {
        CHECK(std::string(e.what()).find("Vabc__x.sql") != std::string::npos);
    }
}

TEST_CASE("versions compare numerically, part by part, trailing zeros ignored") {
    const auto v = [](const char* s) { return MigrationVersion::parse(s); };
    CHECK(v("1.10") > v("1.9"));
    CHECK(v("2") > v("1.999"));
    CHECK(v("1.0") == v("1"));
    CHECK(v("1.0.0") == v("1"));
    CHECK(v("01.2") == v("1.2"));
    CHECK(v("20261128.100300") > v("20261128.100200"));
    CHECK(v("20261128_100300") == v("20261128.100300"));
    CHECK(v("99999999999999999999999") > v("99999999999999999999998"));  // beyond 64 bits
}

TEST_CASE("descriptions longer than Flyway's column are abbreviated as Flyway does") {
    const std::string long_text(250, 'x');
    const auto abbreviated = pf::db::abbreviate_description(long_text);
    CHECK(abbreviated.size() == 200);
    CHECK(abbreviated.ends_with("..."));
    CHECK(pf::db::abbreviate_description("short") == "short");
}
