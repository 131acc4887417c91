#pragma once
// Which workers have stopped making progress: the engine's half of the
// systemd watchdog. Each worker records when it last finished a loop
// iteration (a batch, an idle wait, a reconnect backoff); the run loop asks
// whether every running worker did so recently enough and stops sending
// WATCHDOG=1 when one did not, so systemd restarts a wedged pool instead of
// a timer proving only that the event loop still turns. Pure, so the
// decision is tested without threads.

#include <chrono>
#include <span>
#include <vector>

namespace pf::scheduler {

// One worker as the engine last saw it.
struct WorkerBeat {
    // False once the worker has left its loop (stop, reload): nothing to watch.
    bool running = true;
    std::chrono::steady_clock::time_point last_progress;
};

struct SilentWorker {
    int worker = 0;  // index in the pool, as in the workers' log lines
    std::chrono::milliseconds silent_for{0};
};

// The running workers whose last progress is more than `max_silence` before
// `now`, in index order. Empty: the pool is healthy.
std::vector<SilentWorker> silent_workers(std::span<const WorkerBeat> beats,
                                         std::chrono::steady_clock::time_point now,
                                         std::chrono::milliseconds max_silence);

}  // namespace pf::scheduler
