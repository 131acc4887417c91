// The watchdog's decisions: which workers are silent
// (scheduler/worker_liveness) and how long they may be (daemon/engine_watchdog).
// Plain functions over time points and Config: no threads, no database.
#include <doctest/doctest.h>

#include "daemon/engine_watchdog.hpp"
#include "scheduler/worker_liveness.hpp"

using namespace pf::daemon;
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

TEST_CASE("watchdog: a worker may be silent for its lease, one blocking call and one wait") {
    Config c;  // file adapter, lease 300 s, poll 1 s
    CHECK(longest_blocking_call(c) == 0ms);
    CHECK(watchdog_max_silence(c) == 300s + 10s);  // the 10 s reconnect backoff beats poll
    c.scheduler.poll_interval_ms = 20000;
    CHECK(watchdog_max_silence(c) == 300s + 20s);
    c.send.adapter = "smtp";  // timeout 60 s includes connecting
    CHECK(longest_blocking_call(c) == 60s);
    c.send.routes.push_back({"", "", "x.example", "log"});
    c.log_adapter.latency_ms = 90000;
    CHECK(longest_blocking_call(c) == 90s);
    c.openai.enabled = true;  // 3 attempts of 30 s, backoffs 1 s and 2 s
    CHECK(longest_blocking_call(c) == 93s);
    c.scheduler.lease_seconds = 5;
    CHECK(watchdog_max_silence(c) == 5s + 93s + 20s);
}
