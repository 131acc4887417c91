// The watchdog's decisions: which workers are silent
// (scheduler/worker_liveness). Plain functions over time points: no threads,
// no database.
#include <doctest/doctest.h>

#include "scheduler/worker_liveness.hpp"

using namespace std::chrono_literals;

TEST_CASE("watchdog: silent workers are the running ones quiet for longer than allowed") {
    using pf::scheduler::silent_workers;
    using pf::scheduler::WorkerBeat;
    const auto now = std::chrono::steady_clock::time_point(1h);
    const std::vector<WorkerBeat> beats = {
        {true, now - 5s},      // 0: within
        {true, now - 10s},     // 1: exactly at the limit: not yet
        {true, now - 11s},     // 2: silent
        {false, now - 1000s},  // 3: left its loop (stopped): not watched
        {true, now + 1ms},     // 4: stamped after `now` was read
        {true, now - 60s},     // 5: silent
    };
    const auto silent = silent_workers(beats, now, 10s);
    REQUIRE(silent.size() == 2);
    CHECK(silent[0].worker == 2);
    CHECK(silent[0].silent_for == 11s);
    CHECK(silent[1].worker == 5);
    CHECK(silent[1].silent_for == 60s);
    CHECK(silent_workers({}, now, 10s).empty());
}
