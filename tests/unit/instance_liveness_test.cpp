// Heartbeats and fast rescue (scheduler/instance_liveness): pure rules, no
// database.
#include "scheduler/instance_liveness.hpp"

#include <doctest/doctest.h>

using namespace pf::scheduler;
using namespace std::chrono_literals;

namespace {
constexpr pf::db::Micros kSecond = 1000000;
}

TEST_CASE("an instance is live while its last beat is within the timeout") {
    const pf::db::Micros now = 1000 * kSecond;
    CHECK(instance_is_live(now, now, 15s));
    CHECK(instance_is_live(now - 15 * kSecond, now, 15s));
    CHECK_FALSE(instance_is_live(now - 15 * kSecond - 1, now, 15s));
    CHECK(instance_is_live(now + 2 * kSecond, now, 15s));  // a clock a little ahead
}

TEST_CASE("the rescue takes back leases of instances silent past the timeout, never its own") {
    const pf::db::Micros now = 5000 * kSecond;
    const auto c = rescue_cutoffs(now, 15s, "host-a:42");
    CHECK(c.now == now);
    REQUIRE(c.heartbeat_before);
    CHECK(*c.heartbeat_before == now - 15 * kSecond);
    REQUIRE(c.unregistered_before);
    CHECK(*c.unregistered_before == now - 15 * kSecond);
    REQUIRE(c.self);
    CHECK(*c.self == "host-a:42");
}

TEST_CASE("the janitor looks every beat, at least every quarter lease, at most every second") {
    CHECK(janitor_period(300s, 3s) == 3s);
    CHECK(janitor_period(300s, 120s) == 75s);  // the quarter lease, as before heartbeats
    CHECK(janitor_period(5s, 3s) == 1s);
    CHECK(janitor_period(8s, 1s) == 1s);
    CHECK(janitor_period(2s, 3s) == 1s);
}

TEST_CASE("the instance timeout leaves room for two missed beats") {
    CHECK_FALSE(heartbeat_settings_problem(3, 15));
    CHECK_FALSE(heartbeat_settings_problem(3, 6));
    const auto problem = heartbeat_settings_problem(3, 5);
    REQUIRE(problem);
    CHECK(problem->find("twice scheduler.heartbeat_interval_seconds") != std::string::npos);
}
