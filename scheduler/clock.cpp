#include "scheduler/clock.hpp"

#include <stdexcept>

namespace pf::scheduler {

TimePoint SystemClock::now() const {
    return std::chrono::time_point_cast<std::chrono::microseconds>(
        std::chrono::system_clock::now());
}

TimePoint ManualClock::now() const {
    std::lock_guard lock(mutex_);
    return now_;
}

void ManualClock::set(TimePoint t) {
    std::lock_guard lock(mutex_);
    // Time never runs backwards, virtual or not: leases and windows assume it.
    if (t < now_) throw std::invalid_argument("ManualClock cannot move backwards");
    now_ = t;
}

void ManualClock::advance(std::chrono::microseconds by) {
    if (by.count() < 0) throw std::invalid_argument("ManualClock cannot move backwards");
    std::lock_guard lock(mutex_);
    now_ += by;
}

}  // namespace pf::scheduler
