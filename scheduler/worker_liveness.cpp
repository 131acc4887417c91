#include "scheduler/worker_liveness.hpp"

namespace pf::scheduler {

std::vector<SilentWorker> silent_workers(std::span<const WorkerBeat> beats,
                                         std::chrono::steady_clock::time_point now,
                                         std::chrono::milliseconds max_silence) {
    std::vector<SilentWorker> silent;
    for (std::size_t i = 0; i < beats.size(); ++i) {
        if (!beats[i].running) continue;
        const auto quiet =
            std::chrono::duration_cast<std::chrono::milliseconds>(now - beats[i].last_progress);
        // A beat stamped after `now` (the caller read the clock first) is not silent.
        if (quiet > max_silence) silent.push_back({static_cast<int>(i), quiet});
    }
    return silent;
}

}  // namespace pf::scheduler
