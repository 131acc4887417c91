#pragma once
// Replays a fixture: loads it into an empty database, then runs the
// engine's own step runner (the code every worker runs) on a virtual clock
// that jumps from one due task or scripted event to the next, sending
// through a capturing adapter, and returns the transcript: one JSON line per
// event, in the order they happened.
//
// One runner on one connection, so the order is defined: events of one
// instant before the tasks due then; tasks by run_at, organisation and id
// (tasks created during the replay get ids in creation order); randomness
// from the fixture's seed.

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "replay/fixture.hpp"
#include "scheduler/clock.hpp"

namespace pf::replay {

struct ReplayOptions {
    // Override the fixture's replay.from / replay.until.
    std::optional<scheduler::TimePoint> from, until;
    std::optional<std::chrono::microseconds> duration;
    // Checked between batches (Ctrl-C): the replay ends early, cleanly.
    const std::atomic<bool>* interrupted = nullptr;
};

struct ReplayResult {
    std::vector<std::string> lines;  // the transcript, one JSON object per line
    scheduler::TimePoint from, until, ended;
    std::size_t batches = 0, sends = 0, events = 0;
    bool interrupted = false;
};

class ReplayError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// `database_url` must name an empty database (it is migrated, then loaded).
ReplayResult replay(const std::string& database_url, const Fixture& fixture,
                    const ReplayOptions& options = {});

// Without --until and replay.until: stop when nothing is left to do, or
// after this much virtual time.
inline constexpr std::chrono::hours kDefaultHorizon{24 * 366};

}  // namespace pf::replay
