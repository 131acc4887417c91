#include "scheduler/random_source.hpp"

#include <stdexcept>

namespace pf::scheduler {

std::uint64_t RandomSource::next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

std::uint64_t RandomSource::below(std::uint64_t bound) {
    if (bound == 0) throw std::invalid_argument("RandomSource::below(0)");
    std::lock_guard lock(mutex_);
    // Rejection sampling: no modulo bias.
    const std::uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
    std::uint64_t value;
    do value = next();
    while (value >= limit);
    return value % bound;
}

std::int64_t RandomSource::between(std::int64_t low, std::int64_t high) {
    if (low > high) throw std::invalid_argument("RandomSource::between: low > high");
    const auto span = static_cast<std::uint64_t>(high - low) + 1;
    if (span == 0) {  // the whole 64-bit range
        std::lock_guard lock(mutex_);
        return static_cast<std::int64_t>(next());
    }
    return low + static_cast<std::int64_t>(below(span));
}

}  // namespace pf::scheduler
