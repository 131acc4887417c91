#include "scheduler/ab_assignment.hpp"

#include <stdexcept>

namespace pf::scheduler {

std::uint64_t assignment_hash(std::string_view experiment_id, std::string_view enrollment_id) {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    const auto feed = [&h](std::string_view s) {
        for (unsigned char c : s) {
            h ^= c;
            h *= 0x100000001b3ULL;
        }
    };
    feed(experiment_id);
    feed(":");
    feed(enrollment_id);
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

std::size_t pick_variant(std::string_view experiment_id, std::string_view enrollment_id,
                         std::span<const int> weights) {
    if (weights.empty()) throw std::invalid_argument("an experiment without variants");
    std::uint64_t total = 0;
    for (int w : weights) {
        if (w <= 0) throw std::invalid_argument("variant weights must be positive");
        total += static_cast<std::uint64_t>(w);
    }
    auto point = assignment_hash(experiment_id, enrollment_id) % total;
    for (std::size_t i = 0; i < weights.size(); ++i) {
        const auto w = static_cast<std::uint64_t>(weights[i]);
        if (point < w) return i;
        point -= w;
    }
    return weights.size() - 1;  // unreachable
}

}  // namespace pf::scheduler
