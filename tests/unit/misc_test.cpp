#include <doctest/doctest.h>

#include "daemon/logging.hpp"
#include "db/connection.hpp"
#include "scheduler/clock.hpp"

using namespace std::chrono_literals;

TEST_CASE("database URLs are shown without their password") {
    using pf::db::redact_database_url;
    CHECK(redact_database_url("postgresql://app:s3cr%40t@db.example:5432/pf") ==
          "postgresql://app:***@db.example:5432/pf");
    CHECK(redact_database_url("postgresql://app@db/pf") == "postgresql://app@db/pf");
    CHECK(redact_database_url("host=db user=app password=hunter2 dbname=pf") ==
          "host=db user=app password=*** dbname=pf");
    CHECK(redact_database_url("host=db password='a b c' dbname=pf") ==
          "host=db password=*** dbname=pf");
}

TEST_CASE("the manual clock moves only when told, and never backwards") {
    pf::scheduler::ManualClock clock(pf::scheduler::TimePoint{1000s});
    CHECK(clock.now() == pf::scheduler::TimePoint{1000s});
    clock.advance(90s);
    CHECK(clock.now() == pf::scheduler::TimePoint{1090s});
    CHECK_THROWS_AS(clock.set(pf::scheduler::TimePoint{10s}), std::invalid_argument);
    CHECK_THROWS_AS(clock.advance(-1s), std::invalid_argument);
}

TEST_CASE("the system clock is the wall clock") {
    pf::scheduler::SystemClock clock;
    const auto now = std::chrono::system_clock::now();
    CHECK(std::chrono::abs(clock.now() - now) < 5s);
}

TEST_CASE("stderr goes to the journal only when JOURNAL_STREAM names it") {
    using pf::daemon::stderr_is_journal;
    CHECK(stderr_is_journal("8:12345", 8, 12345));
    CHECK_FALSE(stderr_is_journal("8:12345", 8, 12346));
    CHECK_FALSE(stderr_is_journal("9:12345", 8, 12345));
    CHECK_FALSE(stderr_is_journal(nullptr, 8, 12345));
    CHECK_FALSE(stderr_is_journal("garbage", 8, 12345));
}
