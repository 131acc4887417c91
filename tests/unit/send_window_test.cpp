#include "scheduler/send_window.hpp"

#include <doctest/doctest.h>

using namespace pf::scheduler;
using namespace std::chrono;
using namespace std::chrono_literals;

namespace {

// An instant from a local wall-clock time in a zone ("2026-03-29 02:30").
TimePoint local(const char* zone, int y, unsigned m, unsigned d, int hh, int mm) {
    const auto* tz = find_time_zone(zone);
    const auto lt = date::local_days{date::year{y} / m / d} + hours{hh} + minutes{mm};
    return time_point_cast<microseconds>(tz->to_sys(lt, date::choose::earliest));
}

SendWindow paris_weekdays() {
    SendWindow w;
    w.start = 9h;
    w.end = 18h;
    w.weekdays = weekday_mask({1, 2, 3, 4, 5});
    w.zone = find_time_zone("Europe/Paris");
    return w;
}

}  // namespace

TEST_CASE("inside the window: now") {
    const auto w = paris_weekdays();
    const auto t = local("Europe/Paris", 2026, 11, 25, 10, 15);  // a Wednesday
    CHECK(next_window_time(t, w) == t);
    CHECK(in_window(t, w));
}

TEST_CASE("before the window opens: today's opening; after it closes: the next allowed day's") {
    const auto w = paris_weekdays();
    CHECK(next_window_time(local("Europe/Paris", 2026, 11, 25, 7, 0), w) ==
          local("Europe/Paris", 2026, 11, 25, 9, 0));
    CHECK(next_window_time(local("Europe/Paris", 2026, 11, 25, 18, 0), w) ==
          local("Europe/Paris", 2026, 11, 26, 9, 0));  // end is exclusive
    // Friday evening -> Monday morning.
    CHECK(next_window_time(local("Europe/Paris", 2026, 11, 27, 19, 0), w) ==
          local("Europe/Paris", 2026, 11, 30, 9, 0));
    // Saturday noon -> Monday morning.
    CHECK(next_window_time(local("Europe/Paris", 2026, 11, 28, 12, 0), w) ==
          local("Europe/Paris", 2026, 11, 30, 9, 0));
}

TEST_CASE("a single allowed weekday: after its window, a week later") {
    auto w = paris_weekdays();
    w.weekdays = weekday_mask({3});
    CHECK(next_window_time(local("Europe/Paris", 2026, 11, 25, 18, 30), w) ==
          local("Europe/Paris", 2026, 12, 2, 9, 0));
}

TEST_CASE("daylight saving: the window follows the wall clock in Europe/Paris") {
    auto w = paris_weekdays();
    w.weekdays = weekday_mask({1, 2, 3, 4, 5, 6, 7});
    // Spring forward, Sunday 29 March 2026: 09:00 local is 07:00 UTC (was 08:00 UTC).
    const auto opens = next_window_time(local("Europe/Paris", 2026, 3, 29, 1, 0), w);
    CHECK(opens == TimePoint{date::sys_days{date::year{2026} / 3 / 29} + 7h});
    // Fall back, Sunday 25 October 2026: 09:00 local is 08:00 UTC.
    CHECK(next_window_time(local("Europe/Paris", 2026, 10, 25, 1, 0), w) ==
          TimePoint{date::sys_days{date::year{2026} / 10 / 25} + 8h});
    // A window that starts inside the skipped hour opens when the clocks jump.
    w.start = 2h + 30min;
    CHECK(next_window_time(local("Europe/Paris", 2026, 3, 29, 0, 0), w) ==
          TimePoint{date::sys_days{date::year{2026} / 3 / 29} + 1h});
}

TEST_CASE("the prospect's zone: America/New_York") {
    SendWindow w;
    w.start = 9h;
    w.end = 17h;
    w.weekdays = weekday_mask({1, 2, 3, 4, 5});
    w.zone = find_time_zone("America/New_York");
    // 16:00 UTC Friday 27 Nov 2026 is 11:00 in New York: inside.
    const TimePoint t{date::sys_days{date::year{2026} / 11 / 27} + 16h};
    CHECK(in_window(t, w));
    // 23:00 UTC is 18:00 in New York: next Monday 09:00 EST = 14:00 UTC.
    CHECK(next_window_time(TimePoint{date::sys_days{date::year{2026} / 11 / 27} + 23h}, w) ==
          TimePoint{date::sys_days{date::year{2026} / 11 / 30} + 14h});
}

TEST_CASE("local days and their boundaries") {
    const auto* paris = find_time_zone("Europe/Paris");
    // 23:30 UTC on 28 Nov is already 29 Nov in Paris.
    const TimePoint t{date::sys_days{date::year{2026} / 11 / 28} + 23h + 30min};
    CHECK(local_day(t, paris) == date::local_days{date::year{2026} / 11 / 29});
    CHECK(start_of_next_local_day(t, paris) ==
          TimePoint{date::sys_days{date::year{2026} / 11 / 29} + 23h});
    // The day of the spring change is 23 hours long.
    const auto day_start = local("Europe/Paris", 2026, 3, 29, 0, 0);
    CHECK(start_of_next_local_day(day_start, paris) - day_start == hours{23});
}

TEST_CASE("bad windows and zones are refused") {
    CHECK_THROWS_AS(find_time_zone("Europe/Pariss"), UnknownTimeZone);
    CHECK_THROWS_AS(weekday_mask({0}), std::invalid_argument);
    CHECK_THROWS_AS(weekday_mask({8}), std::invalid_argument);
    SendWindow w = paris_weekdays();
    w.weekdays = 0;
    CHECK_THROWS_AS(next_window_time(TimePoint{}, w), std::invalid_argument);
}
