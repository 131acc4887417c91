#include "scheduler/instance_liveness.hpp"

#include <algorithm>

namespace pf::scheduler {
namespace {

db::Micros micros(std::chrono::seconds s) {
    return std::chrono::duration_cast<std::chrono::microseconds>(s).count();
}

}  // namespace

bool instance_is_live(db::Micros heartbeat_at, db::Micros now, std::chrono::seconds timeout) {
    return heartbeat_at >= now - micros(timeout);
}

db::RescueCutoffs rescue_cutoffs(db::Micros now, std::chrono::seconds timeout,
                                 const std::string& self) {
    const auto before = now - micros(timeout);
    return {now, before, before, self};
}

std::chrono::seconds janitor_period(std::chrono::seconds lease,
                                    std::chrono::seconds heartbeat_interval) {
    const auto quarter_lease = std::max(std::chrono::seconds(1), lease / 4);
    return std::clamp(heartbeat_interval, std::chrono::seconds(1), quarter_lease);
}

std::optional<std::string> heartbeat_settings_problem(int heartbeat_interval_seconds,
                                                      int instance_timeout_seconds) {
    if (instance_timeout_seconds < 2 * heartbeat_interval_seconds)
        return "must be at least twice scheduler.heartbeat_interval_seconds (" +
               std::to_string(heartbeat_interval_seconds) +
               " s): one late beat must not get a live daemon's tasks taken over";
    return std::nullopt;
}

}  // namespace pf::scheduler
