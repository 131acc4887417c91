#include "scheduler/backoff.hpp"

#include <algorithm>

namespace pf::scheduler {

std::chrono::milliseconds retry_delay(int attempt, const BackoffPolicy& policy,
                                      RandomSource& random) {
    const int doublings = std::clamp(attempt - 1, 0, 40);
    const auto base = policy.base.count();
    const auto cap = policy.cap.count();
    // base << doublings, saturating at the cap before it can overflow.
    long long delay = base;
    for (int i = 0; i < doublings && delay < cap; ++i) delay *= 2;
    delay = std::min<long long>(delay, cap);
    const long long half = delay / 2;
    return std::chrono::milliseconds(half + random.between(0, delay - half));
}

}  // namespace pf::scheduler
