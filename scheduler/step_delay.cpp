#include "scheduler/step_delay.hpp"

namespace pf::scheduler {
namespace {

// Business days are counted one day at a time; a delay of more than this
// many is a typo (four years of working days), refused rather than looped.
constexpr std::int64_t kMaxBusinessDays = 1000;

// The same local wall-clock time as `anchor`, on `day`, as an instant.
TimePoint same_local_time_on(date::local_days day, TimePoint anchor, const date::time_zone* zone) {
    const auto local = zone->to_local(anchor);
    const auto time_of_day = local - date::floor<date::days>(local);
    return to_instant(date::local_time<std::chrono::microseconds>(day) + time_of_day, zone);
}

std::string plural(std::int64_t n, std::string_view one, std::string_view many) {
    return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

}  // namespace

std::optional<DelayUnit> parse_delay_unit(std::string_view text) {
    if (text.empty()) return DelayUnit::seconds;
    if (text == "minutes") return DelayUnit::minutes;
    if (text == "hours") return DelayUnit::hours;
    if (text == "calendar_days") return DelayUnit::calendar_days;
    if (text == "business_days") return DelayUnit::business_days;
    return std::nullopt;
}

std::string_view to_string(DelayUnit unit) {
    switch (unit) {
        case DelayUnit::seconds:
            return "seconds";
        case DelayUnit::minutes:
            return "minutes";
        case DelayUnit::hours:
            return "hours";
        case DelayUnit::calendar_days:
            return "calendar_days";
        case DelayUnit::business_days:
            return "business_days";
    }
    return "unknown";
}

StepDelay step_delay_of(std::string_view delay_unit, std::int64_t delay_amount,
                        std::int64_t delay_seconds) {
    const auto unit = parse_delay_unit(delay_unit);
    if (!unit) {
        throw BadStepDelay("unknown delay_unit '" + std::string(delay_unit) +
                           "' (expected minutes, hours, calendar_days or business_days)");
    }
    const auto amount = *unit == DelayUnit::seconds ? delay_seconds : delay_amount;
    if (amount < 0) throw BadStepDelay("negative delay: " + std::to_string(amount));
    if (*unit == DelayUnit::business_days && amount > kMaxBusinessDays) {
        throw BadStepDelay("delay of " + std::to_string(amount) + " business days is over the " +
                           std::to_string(kMaxBusinessDays) + " allowed");
    }
    return {*unit, amount};
}

std::string describe(const StepDelay& delay) {
    if (delay.amount == 0) return "at once";
    switch (delay.unit) {
        case DelayUnit::seconds:
            return plural(delay.amount, "second", "seconds");
        case DelayUnit::minutes:
            return plural(delay.amount, "minute", "minutes");
        case DelayUnit::hours:
            return plural(delay.amount, "hour", "hours");
        case DelayUnit::calendar_days:
            return plural(delay.amount, "calendar day", "calendar days");
        case DelayUnit::business_days:
            return plural(delay.amount, "business day", "business days");
    }
    return "unknown delay";
}

date::local_days add_business_days(date::local_days day, std::int64_t n, const SendWindow& window) {
    if (window.weekdays == 0) throw std::invalid_argument("send window without a weekday");
    for (std::int64_t counted = 0; counted < n;) {
        day += date::days{1};
        if (is_sending_day(day, window)) ++counted;
    }
    return day;
}

TimePoint delay_end(TimePoint anchor, const StepDelay& delay, const SendWindow& window) {
    using std::chrono::seconds;
    switch (delay.unit) {
        case DelayUnit::seconds:
            return anchor + seconds(delay.amount);
        case DelayUnit::minutes:
            return anchor + seconds(delay.amount * 60);
        case DelayUnit::hours:
            return anchor + seconds(delay.amount * 3600);
        case DelayUnit::calendar_days:
        case DelayUnit::business_days:
            break;
    }
    if (!window.zone) throw std::invalid_argument("send window without a time zone");
    const auto day = local_day(anchor, window.zone);
    const auto target = delay.unit == DelayUnit::calendar_days
                            ? day + date::days{delay.amount}
                            : add_business_days(day, delay.amount, window);
    return same_local_time_on(target, anchor, window.zone);
}

}  // namespace pf::scheduler
