#pragma once
// The engine's randomness (backoff jitter, sender spacing): one seeded
// generator with its own integer arithmetic, so a seed gives the same numbers
// on every machine and standard library (std::uniform_int_distribution does
// not promise that).

#include <cstdint>
#include <mutex>

namespace pf::scheduler {

class RandomSource {
  public:
    explicit RandomSource(std::uint64_t seed) : state_(seed) {}

    // Uniform in [0, bound); bound > 0.
    std::uint64_t below(std::uint64_t bound);
    // Uniform in [low, high]; low <= high.
    std::int64_t between(std::int64_t low, std::int64_t high);

  private:
    std::uint64_t next();  // splitmix64
    std::mutex mutex_;
    std::uint64_t state_;
};

}  // namespace pf::scheduler
