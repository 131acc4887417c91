// Step delays: calendar days keep the local wall-clock time across both DST
// changes, business days count only sending days that are not holidays, the
// old seconds keep their meaning, and bad units are named.
#include "scheduler/step_delay.hpp"

#include <doctest/doctest.h>

#include "scheduler/enrollment_machine.hpp"
#include "scheduler/schedule_preview.hpp"

using namespace pf::scheduler;
using namespace std::chrono;
using namespace std::chrono_literals;

namespace {

TimePoint local(const date::time_zone* tz, date::year_month_day day, minutes time_of_day) {
    return time_point_cast<microseconds>(
        tz->to_sys(date::local_days{day} + time_of_day, date::choose::earliest));
}

std::string local_text(TimePoint t, const date::time_zone* tz) {
    return date::format("%F %a %H:%M", time_point_cast<seconds>(tz->to_local(t)));
}

SendWindow window_in(const char* zone, std::vector<int> days = {1, 2, 3, 4, 5}) {
    SendWindow w;
    w.start = 9h;
    w.end = 18h;
    w.weekdays = weekday_mask(days);
    w.zone = find_time_zone(zone);
    return w;
}

const StepDelay seven_calendar_days{DelayUnit::calendar_days, 7};

}  // namespace

TEST_CASE("7 calendar days from 09:12 land at 09:12 across both DST changes, Paris and New York") {
    using date::year;
    struct Case {
        const char* zone;
        date::year_month_day monday;  // the Monday before a change
    };
    for (const auto& c : {Case{"Europe/Paris", year{2027} / 3 / 22},     // summer time 28 March
                          Case{"Europe/Paris", year{2027} / 10 / 25},    // winter time 31 October
                          Case{"America/New_York", year{2027} / 3 / 8},  // DST 14 March
                          Case{"America/New_York", year{2027} / 11 / 1}}) {  // ends 7 November
        const auto w = window_in(c.zone);
        const auto sent = local(w.zone, c.monday, 9h + 12min);
        INFO(c.zone << " from " << local_text(sent, w.zone));
        const auto due = next_step_time(sent, seven_calendar_days, w);
        const auto expected = date::local_days{c.monday} + date::days{7};
        CHECK(local_text(due, w.zone) == date::format("%F %a 09:12", expected));
        // Not 168 hours: the change made that week an hour shorter or longer.
        CHECK(due - sent != hours(168));
        CHECK(abs(duration_cast<hours>(due - sent) - hours(168)) == 1h);
    }
}

TEST_CASE("seconds, minutes and hours are elapsed time; seconds keep their old meaning") {
    const auto w = window_in("Europe/Paris");
    const auto sent = local(w.zone, date::year{2027} / 3 / 22, 9h);
    // delay_seconds without a unit: 168 h later is 10:00 after summer time began.
    const auto old_style = next_step_time(sent, step_delay_of("", 0, 604800), w);
    CHECK(local_text(old_style, w.zone) == "2027-03-29 Mon 10:00");
    CHECK(delay_end(sent, {DelayUnit::minutes, 90}, w) == sent + 90min);
    CHECK(delay_end(sent, {DelayUnit::hours, 30}, w) == sent + 30h);
    // 30 hours later is Tuesday 15:00: inside the window, so due then.
    CHECK(local_text(next_step_time(sent, {DelayUnit::hours, 30}, w), w.zone) ==
          "2027-03-23 Tue 15:00");
}

TEST_CASE("calendar days that land on a weekend or a holiday wait for the next sending day") {
    auto w = window_in("Europe/Paris");
    w.holidays.calendar = HolidayCalendar::france;
    // Thursday 29 April 2027 09:12 + 2 calendar days = Saturday 1 May: Monday 3 May 09:00.
    const auto sent = local(w.zone, date::year{2027} / 4 / 29, 9h + 12min);
    CHECK(local_text(next_step_time(sent, {DelayUnit::calendar_days, 2}, w), w.zone) ==
          "2027-05-03 Mon 09:00");
    // Monday 3 May + 3 = Thursday 6 May, Ascension: Friday 7 May 09:00.
    const auto monday = local(w.zone, date::year{2027} / 5 / 3, 9h + 12min);
    CHECK(local_text(next_step_time(monday, {DelayUnit::calendar_days, 3}, w), w.zone) ==
          "2027-05-07 Fri 09:00");
}

TEST_CASE("business days count sending days that are not holidays, at the same local time") {
    auto w = window_in("Europe/Paris", {1, 2, 3, 4});  // no Friday sends
    w.holidays.calendar = HolidayCalendar::france;
    w.holidays.custom = {{date::local_days{date::year{2027} / 5 / 11}, "Séminaire"}};
    const StepDelay two{DelayUnit::business_days, 2};
    // Tuesday 4 May 2027 10:30: Wed 5 (1), Thu 6 Ascension, Fri 7 no sends, Sat,
    // Sun, Mon 10 (2).
    const auto sent = local(w.zone, date::year{2027} / 5 / 4, 10h + 30min);
    const auto due = next_step_time(sent, two, w);
    CHECK(local_text(due, w.zone) == "2027-05-10 Mon 10:30");
    // Then Tue 11 custom, Wed 12 (1), Thu 13 (2).
    CHECK(local_text(next_step_time(due, two, w), w.zone) == "2027-05-13 Thu 10:30");
    // Whit Monday 17 May: Thu 13 + 1 business day = Tuesday 18.
    CHECK(local_text(next_step_time(local(w.zone, date::year{2027} / 5 / 13, 9h),
                                    {DelayUnit::business_days, 1}, w),
                     w.zone) == "2027-05-18 Tue 09:00");
    // 0 business days: at once, moved into the window.
    CHECK(local_text(next_step_time(sent, {DelayUnit::business_days, 0}, w), w.zone) ==
          "2027-05-04 Tue 10:30");
    CHECK(add_business_days(date::local_days{date::year{2027} / 5 / 4}, 0, w) ==
          date::local_days{date::year{2027} / 5 / 4});
}

TEST_CASE("a business-day delay sent late in the day keeps its time, then the window moves it") {
    auto w = window_in("Europe/Paris");
    w.end = 17h;
    const auto sent = local(w.zone, date::year{2027} / 6 / 4, 16h + 59min);  // Friday
    CHECK(local_text(next_step_time(sent, {DelayUnit::business_days, 1}, w), w.zone) ==
          "2027-06-07 Mon 16:59");
}

TEST_CASE("delay units parse, describe themselves and refuse bad values by name") {
    CHECK(parse_delay_unit("business_days") == DelayUnit::business_days);
    CHECK(parse_delay_unit("") == DelayUnit::seconds);
    CHECK_FALSE(parse_delay_unit("weeks"));
    CHECK_THROWS_WITH_AS(step_delay_of("weeks", 2, 0),
                         "unknown delay_unit 'weeks' (expected minutes, hours, calendar_days or "
                         "business_days)",
                         BadStepDelay);
    CHECK_THROWS_AS(step_delay_of("hours", -1, 0), BadStepDelay);
    CHECK_THROWS_AS(step_delay_of("business_days", 1001, 0), BadStepDelay);
    CHECK(step_delay_of("", 5, 432000).amount == 432000);  // no unit: delay_seconds, not the amount
    CHECK(describe(step_delay_of("business_days", 3, 0)) == "3 business days");
    CHECK(describe({DelayUnit::calendar_days, 1}) == "1 calendar day");
    CHECK(describe({DelayUnit::seconds, 0}) == "at once");
    CHECK(describe({DelayUnit::seconds, 432000}) == "432000 seconds");
}

TEST_CASE("no window opens on a holiday; the defer says which") {
    auto w = window_in("Europe/Paris");
    w.holidays.calendar = HolidayCalendar::france;
    const auto ascension = local(w.zone, date::year{2027} / 5 / 6, 10h);
    CHECK(local_text(next_window_time(ascension, w), w.zone) == "2027-05-07 Fri 09:00");
    CHECK_FALSE(is_sending_day(date::local_days{date::year{2027} / 5 / 6}, w));
    CHECK(closed_reason(ascension, w) == "holiday: Ascension Day (fr)");
    w.holidays.custom = {{date::local_days{date::year{2027} / 5 / 7}, "Pont"}};
    CHECK(closed_reason(local(w.zone, date::year{2027} / 5 / 7, 10h), w) ==
          "holiday: Pont (custom)");
    CHECK(local_text(next_window_time(ascension, w), w.zone) == "2027-05-10 Mon 09:00");
    // A holiday on a day without sends is not the reason: 1 May 2027 is a Saturday.
    CHECK(closed_reason(local(w.zone, date::year{2027} / 5 / 1, 10h), w) ==
          "outside the sending window");
    // Every sending day a holiday for over a year: an error, not a loop.
    for (int i = 0; i < 420; ++i)
        w.holidays.custom.push_back(
            {date::local_days{date::year{2028} / 1 / 1} + date::days{i}, "x"});
    CHECK_THROWS_AS(next_window_time(local(w.zone, date::year{2028} / 1 / 1, 10h), w),
                    std::invalid_argument);
}

TEST_CASE("the schedule preview uses the engine's arithmetic and names the holidays it skipped") {
    auto w = window_in("Europe/Paris");
    w.holidays.calendar = HolidayCalendar::france;
    const auto enrolled = local(w.zone, date::year{2029} / 4 / 27, 10h);   // Friday
    const std::vector<PlannedStep> steps{{1, {DelayUnit::seconds, 3600}},  // step 1: not waited
                                         {2, {DelayUnit::business_days, 1}},
                                         {3, {DelayUnit::business_days, 1}},
                                         {4, {DelayUnit::calendar_days, 8}}};
    const auto preview = preview_schedule(steps, enrolled, w);
    REQUIRE(preview.size() == 4);
    CHECK(local_text(preview[0].at, w.zone) == "2029-04-27 Fri 10:00");
    CHECK(local_text(preview[1].at, w.zone) == "2029-04-30 Mon 10:00");
    CHECK(preview[1].skipped.empty());
    CHECK(local_text(preview[2].at, w.zone) == "2029-05-02 Wed 10:00");
    REQUIRE(preview[2].skipped.size() == 1);
    CHECK(preview[2].skipped[0].name == "Labour Day");
    // 8 calendar days land on Thursday 10 May, Ascension: Friday 09:00.
    CHECK(local_text(preview[3].at, w.zone) == "2029-05-11 Fri 09:00");
    REQUIRE(preview[3].skipped.size() == 1);
    CHECK(preview[3].skipped[0].name == "Ascension Day");  // not 8 May, which 8 days simply count
    for (std::size_t i = 1; i < preview.size(); ++i)
        CHECK(preview[i].at == next_step_time(preview[i - 1].at, steps[i].delay, w));
}
