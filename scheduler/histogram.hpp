#pragma once
// A latency histogram with fixed bucket bounds, safe to observe from many
// threads at once (relaxed atomics: a scrape may see a sum a few observations
// ahead of a bucket, which Prometheus tolerates). No I/O: the daemon renders it.

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <vector>

namespace pf::scheduler {

class Histogram {
  public:
    // Upper bounds in seconds, ascending; +Inf is implied.
    static constexpr std::array<double, 14> kBounds{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                    0.25,  0.5,    1,     2.5,  5,     10,   30};

    void observe(std::chrono::duration<double> value) {
        const double seconds = value.count();
        std::size_t i = 0;
        while (i < kBounds.size() && seconds > kBounds[i]) ++i;
        buckets_[i].fetch_add(1, std::memory_order_relaxed);
        sum_micros_.fetch_add(static_cast<std::uint64_t>(seconds > 0 ? seconds * 1e6 : 0),
                              std::memory_order_relaxed);
    }

    struct Snapshot {
        std::vector<std::uint64_t> cumulative;  // one per bound, then +Inf (= count)
        double sum_seconds = 0;
    };

    Snapshot snapshot() const {
        Snapshot s;
        std::uint64_t running = 0;
        for (const auto& b : buckets_) {
            running += b.load(std::memory_order_relaxed);
            s.cumulative.push_back(running);
        }
        s.sum_seconds = static_cast<double>(sum_micros_.load(std::memory_order_relaxed)) / 1e6;
        return s;
    }

  private:
    std::array<std::atomic<std::uint64_t>, kBounds.size() + 1> buckets_{};
    std::atomic<std::uint64_t> sum_micros_{0};
};

}  // namespace pf::scheduler
