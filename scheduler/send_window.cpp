#include "scheduler/send_window.hpp"

#include <string>

namespace pf::scheduler {
namespace {

bool day_allowed(date::local_days day, std::uint8_t weekdays) {
    const auto iso = date::weekday(day).iso_encoding();  // 1..7
    return (weekdays >> (iso - 1)) & 1u;
}

// Sending days in a row can be this far apart: a long enough run of custom
// holidays beyond it is a mistake to report, not a reason to loop.
constexpr int kMaxDaysToWindow = 400;

}  // namespace

// A local time that does not exist (skipped by a spring-forward change) maps
// to the instant the clocks jumped; one that exists twice (fall-back) maps to
// its first occurrence. Either way the result is a real instant, and the
// window never opens early.
TimePoint to_instant(date::local_time<std::chrono::microseconds> local,
                     const date::time_zone* zone) {
    return std::chrono::time_point_cast<std::chrono::microseconds>(
        zone->to_sys(local, date::choose::earliest));
}

bool is_send_weekday(date::local_days day, const SendWindow& window) {
    return day_allowed(day, window.weekdays);
}

bool is_sending_day(date::local_days day, const SendWindow& window) {
    return day_allowed(day, window.weekdays) && !window.holidays.is_holiday(day);
}

std::string closed_reason(TimePoint t, const SendWindow& window) {
    const auto day = local_day(t, window.zone);
    // A holiday on a day the campaign does not send anyway is not the reason.
    if (day_allowed(day, window.weekdays)) {
        const auto calendar = window.holidays.calendar;
        if (const auto name = public_holiday(calendar, day))
            return "holiday: " + std::string(*name) + " (" + std::string(to_string(calendar)) + ")";
        if (const auto custom = window.holidays.holiday_on(day))
            return "holiday: " + *custom + " (custom)";
    }
    return "outside the sending window";
}

const date::time_zone* find_time_zone(std::string_view name) {
    try {
        return date::locate_zone(std::string(name));
    } catch (const std::runtime_error&) {
        throw UnknownTimeZone("unknown time zone '" + std::string(name) + "'");
    }
}

std::uint8_t weekday_mask(const std::vector<int>& iso_weekdays) {
    std::uint8_t mask = 0;
    for (int d : iso_weekdays) {
        if (d < 1 || d > 7)
            throw std::invalid_argument("ISO weekday out of range: " + std::to_string(d));
        mask = static_cast<std::uint8_t>(mask | (1u << (d - 1)));
    }
    return mask;
}

date::local_days local_day(TimePoint t, const date::time_zone* zone) {
    return date::floor<date::days>(zone->to_local(t));
}

TimePoint start_of_next_local_day(TimePoint t, const date::time_zone* zone) {
    const auto next = local_day(t, zone) + date::days{1};
    return to_instant(date::local_time<std::chrono::microseconds>(next), zone);
}

bool in_window(TimePoint t, const SendWindow& window) {
    return next_window_time(t, window) == t;
}

TimePoint next_window_time(TimePoint t, const SendWindow& window) {
    if (!window.zone) throw std::invalid_argument("send window without a time zone");
    if (window.weekdays == 0) throw std::invalid_argument("send window without a weekday");
    if (window.start >= window.end)
        throw std::invalid_argument("send window ends before it starts");
    const auto today = local_day(t, window.zone);
    // Without holidays seven days always reach an allowed weekday, and the
    // eighth covers today's window having closed when today is the only one.
    for (int i = 0; i <= kMaxDaysToWindow; ++i) {
        const auto day = today + date::days{i};
        if (!is_sending_day(day, window)) continue;
        const auto opens = to_instant(
            date::local_time<std::chrono::microseconds>(day) + window.start, window.zone);
        const auto closes =
            to_instant(date::local_time<std::chrono::microseconds>(day) + window.end, window.zone);
        if (t < opens) return opens;
        if (t < closes) return t;
    }
    throw std::invalid_argument("no sending day within " + std::to_string(kMaxDaysToWindow) +
                                " days: every sending day is a holiday");
}

}  // namespace pf::scheduler
