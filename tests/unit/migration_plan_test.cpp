#include <doctest/doctest.h>

#include "db/migration_source.hpp"
#include "db/migrator.hpp"

using namespace pf::db;

namespace {

std::vector<MigrationScript> scripts_of(std::vector<std::pair<std::string, std::string>> files) {
    return make_migration_scripts(std::move(files));
}

AppliedMigration applied(const MigrationScript& s, int rank) {
    return AppliedMigration{
        rank, s.name.version.display(), s.name.description, "SQL", s.name.script, s.checksum, true};
}

bool mentions(const std::vector<std::string>& lines, const std::string& what) {
    for (const auto& l : lines)
        if (l.find(what) != std::string::npos) return true;
    return false;
}

}  // namespace

TEST_CASE("scripts are sorted by version, not by name") {
    const auto scripts = scripts_of({{"V10__ten.sql", "SELECT 10;"},
                                     {"V9__nine.sql", "SELECT 9;"},
                                     {"V1_2__one_two.sql", "SELECT 12;"}});
    REQUIRE(scripts.size() == 3);
    CHECK(scripts[0].name.script == "V1_2__one_two.sql");
    CHECK(scripts[1].name.script == "V9__nine.sql");
    CHECK(scripts[2].name.script == "V10__ten.sql");
}

TEST_CASE("two files with one version are refused") {
    CHECK_THROWS_AS(scripts_of({{"V1__a.sql", "a"}, {"V1.0__b.sql", "b"}}), MigrationSourceError);
}

TEST_CASE("a file that is not UTF-8 is refused, naming it") {
    try {
        scripts_of({{"V1__latin1.sql", "SELECT 'caf\xE9';"}});
        FAIL("expected an error");
    } catch (const MigrationSourceError& e) {
        CHECK(std::string(e.what()).find("V1__latin1.sql") != std::string::npos);
    }
}

TEST_CASE("plan: empty history means everything is pending, in order") {
    const auto scripts = scripts_of({{"V2__b.sql", "b"}, {"V1__a.sql", "a"}});
    const auto plan = plan_migrations(scripts, {});
    REQUIRE(plan.pending.size() == 2);
    CHECK(plan.pending[0]->name.script == "V1__a.sql");
    CHECK(plan.problems.empty());
}

TEST_CASE("plan: applied scripts are not pending; new ones are") {
    const auto scripts = scripts_of({{"V1__a.sql", "a"}, {"V2__b.sql", "b"}});
    const auto plan = plan_migrations(scripts, {applied(scripts[0], 1)});
    CHECK(plan.applied_count == 1);
    REQUIRE(plan.pending.size() == 1);
    CHECK(plan.pending[0]->name.script == "V2__b.sql");
    CHECK(plan.problems.empty());
}

TEST_CASE("plan: a changed file is a problem naming the file and both checksums") {
    const auto original = scripts_of({{"V1__a.sql", "SELECT 1;"}});
    const auto changed = scripts_of({{"V1__a.sql", "SELECT 2;"}});
    const auto plan = plan_migrations(changed, {applied(original[0], 1)});
    REQUIRE(plan.problems.size() == 1);
    CHECK(mentions(plan.problems, "V1__a.sql"));
    CHECK(mentions(plan.problems, std::to_string(original[0].checksum)));
    CHECK(mentions(plan.problems, std::to_string(changed[0].checksum)));
}

TEST_CASE("plan: a failed row, a missing file and an out-of-order file are problems") {
    const auto scripts = scripts_of({{"V1__a.sql", "a"}, {"V2__b.sql", "b"}, {"V3__c.sql", "c"}});
    auto failed = applied(scripts[0], 1);
    failed.success = false;
    CHECK(mentions(plan_migrations(scripts, {failed}).problems, "failed"));

    const auto without_two = scripts_of({{"V1__a.sql", "a"}, {"V3__c.sql", "c"}});
    CHECK(mentions(plan_migrations(without_two, {applied(scripts[0], 1), applied(scripts[1], 2),
                                                 applied(scripts[2], 3)})
                       .problems,
                   "missing"));

    const auto plan = plan_migrations(scripts, {applied(scripts[0], 1), applied(scripts[2], 2)});
    CHECK(mentions(plan.problems, "V2__b.sql"));
    CHECK(plan.pending.empty());
}

TEST_CASE("plan: a database newer than this binary is a warning, not a problem") {
    const auto old_scripts = scripts_of({{"V1__a.sql", "a"}});
    const auto new_scripts = scripts_of({{"V1__a.sql", "a"}, {"V2__b.sql", "b"}});
    const auto plan =
        plan_migrations(old_scripts, {applied(new_scripts[0], 1), applied(new_scripts[1], 2)});
    CHECK(plan.problems.empty());
    CHECK(mentions(plan.warnings, "V2__b.sql"));
}

TEST_CASE("plan: a baseline covers the versions up to it") {
    const auto scripts = scripts_of({{"V1__a.sql", "a"}, {"V2__b.sql", "b"}});
    AppliedMigration baseline{
        1, "1", "<< Flyway Baseline >>", "BASELINE", "<< Flyway Baseline >>", std::nullopt, true};
    const auto plan = plan_migrations(scripts, {baseline});
    CHECK(plan.problems.empty());
    REQUIRE(plan.pending.size() == 1);
    CHECK(plan.pending[0]->name.script == "V2__b.sql");
}

TEST_CASE("Flyway's advisory lock key for public.flyway_schema_history") {
    // 77431708279161 + "\"public\".\"flyway_schema_history\"".hashCode(), the
    // latter computed with java.lang.String#hashCode on OpenJDK 17.
    CHECK(flyway_lock_key() == 77431708279161LL + 2125624436LL);
}

TEST_CASE("the built-in migrations parse and follow the project's naming") {
    const auto scripts = embedded_migrations();
    REQUIRE(scripts.size() >= 5);
    for (const auto& s : scripts) {
        CHECK(s.name.script.size() > 20);
        // V<yyyymmdd_hhmmss>___<desc>
        CHECK(s.name.script[9] == '_');
        CHECK(s.name.script.substr(16, 3) == "___");
        CHECK(s.name.description.starts_with(" "));
    }
}
