#pragma once
// Sending windows: when an email may go out. A window is a span of local
// time (start inclusive, end exclusive) on chosen ISO weekdays, in one IANA
// time zone: the prospect's when known, else the campaign's. Arithmetic is
// done on local calendar days with the system tz database, so a daylight-
// saving change moves the window with the wall clock, never by an hour. A
// holiday of the recipient's calendar (holiday_calendar) has no window.

#include <date/tz.h>

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "scheduler/clock.hpp"
#include "scheduler/holiday_calendar.hpp"

namespace pf::scheduler {

class UnknownTimeZone : public std::invalid_argument {
  public:
    using std::invalid_argument::invalid_argument;
};

// Looks a zone up in the system tz database; throws UnknownTimeZone.
const date::time_zone* find_time_zone(std::string_view name);

struct SendWindow {
    std::chrono::minutes start{9 * 60};  // local time of day
    std::chrono::minutes end{18 * 60};   // > start, at most 24h
    std::uint8_t weekdays = 0x1F;        // bit d-1 for ISO weekday d (1 = Monday)
    const date::time_zone* zone = nullptr;
    HolidayRules holidays;  // days without a window, whatever their weekday
};

// ISO weekdays (1..7) to the mask SendWindow uses; throws on other values.
std::uint8_t weekday_mask(const std::vector<int>& iso_weekdays);

bool in_window(TimePoint t, const SendWindow& window);

// The earliest instant at or after t inside the window. Throws
// std::invalid_argument for a window that cannot open (no weekday, or a
// year of holidays in a row).
TimePoint next_window_time(TimePoint t, const SendWindow& window);

// One of the window's weekdays (holiday or not).
bool is_send_weekday(date::local_days day, const SendWindow& window);

// A sending day: one of the window's weekdays that is not a holiday.
bool is_sending_day(date::local_days day, const SendWindow& window);

// Why t is not inside the window, in words: "holiday: Ascension Day (fr)"
// when t's local day is a holiday, else "outside the sending window".
std::string closed_reason(TimePoint t, const SendWindow& window);

// A local time in zone as an instant: a time skipped by a spring-forward
// change is the instant the clocks jumped, one that exists twice is its first.
TimePoint to_instant(date::local_time<std::chrono::microseconds> local,
                     const date::time_zone* zone);

// The local calendar day of t in zone (daily limits count per this day).
date::local_days local_day(TimePoint t, const date::time_zone* zone);

// The first instant of the local day after t's, in zone.
TimePoint start_of_next_local_day(TimePoint t, const date::time_zone* zone);

}  // namespace pf::scheduler
