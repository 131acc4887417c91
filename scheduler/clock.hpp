#pragma once
// The engine's only source of time. Production uses SystemClock; tests and
// replay use ManualClock, which moves only when told to, so weeks of a
// campaign run in milliseconds and every run sees the same instants.

#include <chrono>
#include <cstdint>
#include <mutex>

namespace pf::scheduler {

using TimePoint = std::chrono::sys_time<std::chrono::microseconds>;

// The database layer's times: microseconds since the Unix epoch.
inline std::int64_t to_micros(TimePoint t) {
    return t.time_since_epoch().count();
}
inline TimePoint from_micros(std::int64_t micros) {
    return TimePoint{std::chrono::microseconds{micros}};
}

class Clock {
  public:
    virtual ~Clock() = default;
    virtual TimePoint now() const = 0;
};

class SystemClock final : public Clock {
  public:
    TimePoint now() const override;
};

class ManualClock final : public Clock {
  public:
    explicit ManualClock(TimePoint start) : now_(start) {}
    TimePoint now() const override;
    void set(TimePoint t);
    void advance(std::chrono::microseconds by);

  private:
    mutable std::mutex mutex_;
    TimePoint now_;
};

}  // namespace pf::scheduler
