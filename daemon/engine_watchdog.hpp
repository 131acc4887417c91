#pragma once
// WATCHDOG=1 only while the engine makes progress. A timer alone proves that
// the event loop turns, not that the workers do: a pool wedged on a lock or a
// dead socket would be kept alive forever. So each ping first asks the
// engine whether every running worker finished a loop iteration lately
// (scheduler/worker_liveness.hpp); the first time one has not, the error is
// logged with the workers and their silence, and the pings stop for good so
// that systemd restarts the daemon (WatchdogSec later).

#include <chrono>

#include "daemon/config.hpp"
#include "daemon/service_notifier.hpp"
#include "scheduler/engine.hpp"

namespace pf::daemon {

// The longest one adapter send or one email generation may block a worker,
// as the adapters in use (send.adapter and the routes) and the generators
// bound it with their own timeouts.
std::chrono::milliseconds longest_blocking_call(const Config& config);

// How long a worker may go without progress before the pool counts as
// wedged: scheduler.lease_seconds, plus the longest blocking call, plus the
// longest wait between two progress marks (the poll interval, or the
// reconnect backoff). A worker marks progress after each batch, and a batch
// is meant to end within its lease: past it the janitor of any daemon hands
// the batch's tasks to someone else, the fleet presumes this daemon dead, and
// so may the watchdog. The one call started just before the lease ran out may
// still take its full timeout. The watchdog period is not part of it: it only
// sets how often this is checked (a wedge is seen within max_silence plus one
// period; systemd acts WatchdogSec later).
std::chrono::milliseconds watchdog_max_silence(const Config& config);

class EngineWatchdog {
  public:
    EngineWatchdog(ServiceNotifier& notifier, const Config& config)
        : notifier_(notifier), max_silence_(watchdog_max_silence(config)) {}

    // How often to call feed(); none when systemd asked for no watchdog.
    std::optional<std::chrono::microseconds> period() const { return notifier_.watchdog_period(); }
    // After a reload: the new engine's lease and adapters.
    void configure(const Config& config) { max_silence_ = watchdog_max_silence(config); }
    std::chrono::milliseconds max_silence() const { return max_silence_; }

    // WATCHDOG=1 when every running worker of `engine` made progress within
    // max_silence; otherwise, once, the error, and no ping ever again. Also
    // called while a reload waits for the old engine's workers, so a reload
    // cannot hide a wedged pool either.
    void feed(const scheduler::Engine& engine);
    bool wedged() const { return wedged_; }

  private:
    ServiceNotifier& notifier_;
    std::chrono::milliseconds max_silence_;
    bool wedged_ = false;
};

}  // namespace pf::daemon
