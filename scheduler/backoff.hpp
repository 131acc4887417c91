#pragma once
// Retry timing after a transient failure: exponential backoff with jitter.

#include <chrono>

#include "scheduler/random_source.hpp"

namespace pf::scheduler {

struct BackoffPolicy {
    std::chrono::milliseconds base{std::chrono::seconds(30)};
    std::chrono::milliseconds cap{std::chrono::hours(1)};
};

// Delay before retry number `attempt` (1 = the first retry): base * 2^(attempt-1),
// capped, then "equal jitter": half of it fixed, half uniformly random, so
// failing tasks of one outage do not all come back at the same instant.
std::chrono::milliseconds retry_delay(int attempt, const BackoffPolicy& policy,
                                      RandomSource& random);

}  // namespace pf::scheduler
