// The holiday calendars against python3-workalendar, day for day, for
// 2024-2035 (tests/data/french_holidays.tsv, made by scripts/gen-holiday-data),
// the computus, names, and which calendar a prospect gets.
#include "scheduler/holiday_calendar.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

using namespace pf::scheduler;

namespace {

using Days = std::set<date::local_days>;
using Key = std::pair<std::string, int>;  // calendar name, year

date::local_days day_of(const std::string& text) {
    const auto day = parse_iso_day(text);
    REQUIRE_MESSAGE(day, "not a date: " << text);
    return *day;
}

// calendar name and year -> workalendar's holidays.
std::map<Key, Days> workalendar_days() {
    std::ifstream in(PF_SOURCE_DIR "/tests/data/french_holidays.tsv");
    REQUIRE(in.good());
    std::map<Key, Days> days;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream fields(line);
        std::string calendar, date_text;
        std::getline(fields, calendar, '\t');
        std::getline(fields, date_text, '\t');
        const auto day = day_of(date_text);
        const int year = static_cast<int>(date::year_month_day{day}.year());
        days[{calendar, year}].insert(day);
    }
    return days;
}

Days our_days(HolidayCalendar calendar, int year) {
    Days days;
    for (const auto& h : holidays_in(calendar, date::year{year})) days.insert(h.day);
    return days;
}

std::string listed(const Days& days) {
    std::string out;
    for (const auto& d : days) out += date::format("%F ", d);
    return out;
}

}  // namespace

TEST_CASE("every French calendar matches python3-workalendar day for day, 2024-2035") {
    const auto reference = workalendar_days();
    int compared = 0;
    for (const auto calendar : all_holiday_calendars()) {
        if (calendar == HolidayCalendar::none) continue;
        const std::string name(to_string(calendar));
        for (int year = 2024; year <= 2035; ++year) {
            INFO(name << " " << year);
            const auto it = reference.find({name, year});
            REQUIRE_MESSAGE(it != reference.end(), "no reference days for " << name << " " << year);
            const auto ours = our_days(calendar, year);
            CHECK_MESSAGE(ours == it->second,
                          "ours: " << listed(ours) << "\nworkalendar: " << listed(it->second));
            // And the per-day question agrees with the year's list, every day.
            for (auto d = date::local_days{date::year{year} / 1 / 1};
                 d <= date::local_days{date::year{year} / 12 / 31}; d += date::days{1})
                CHECK(public_holiday(calendar, d).has_value() == (it->second.count(d) == 1));
            ++compared;
        }
    }
    CHECK(compared == 7 * 12);  // fr, Alsace-Moselle and the five departments, twelve years
    CHECK(reference.size() == 7 * 12);
}

TEST_CASE("Easter by the Meeus/Jones/Butcher computus") {
    using date::year;
    CHECK(easter_sunday(year{2024}) == year{2024} / 3 / 31);
    CHECK(easter_sunday(year{2025}) == year{2025} / 4 / 20);
    CHECK(easter_sunday(year{2027}) == year{2027} / 3 / 28);
    CHECK(easter_sunday(year{2038}) == year{2038} / 4 / 25);  // the latest possible
    CHECK(easter_sunday(year{2285}) == year{2285} / 3 / 22);  // the earliest possible
    CHECK(easter_sunday(year{1961}) == year{1961} / 4 / 2);
}

TEST_CASE("holidays have names; Alsace-Moselle and the departments add theirs") {
    const auto day = [](int y, unsigned m, unsigned d) {
        return date::local_days{date::year{y} / m / d};
    };
    CHECK(public_holiday(HolidayCalendar::france, day(2027, 5, 6)) == "Ascension Day");
    CHECK_FALSE(public_holiday(HolidayCalendar::france, day(2027, 3, 26)));
    CHECK(public_holiday(HolidayCalendar::alsace_moselle, day(2027, 3, 26)) == "Good Friday");
    CHECK(public_holiday(HolidayCalendar::alsace_moselle, day(2027, 12, 26)) == "St Stephen's Day");
    CHECK(public_holiday(HolidayCalendar::guadeloupe, day(2027, 5, 27)) == "Abolition of Slavery");
    CHECK(public_holiday(HolidayCalendar::martinique, day(2027, 5, 22)));
    CHECK(public_holiday(HolidayCalendar::guyane, day(2027, 6, 10)));
    CHECK(public_holiday(HolidayCalendar::reunion, day(2027, 12, 20)));
    CHECK(public_holiday(HolidayCalendar::mayotte, day(2027, 4, 27)));
    CHECK_FALSE(public_holiday(HolidayCalendar::france, day(2027, 4, 27)));
    CHECK_FALSE(public_holiday(HolidayCalendar::none, day(2027, 1, 1)));

    HolidayRules rules{HolidayCalendar::france, {{day(2027, 5, 7), "Pont de l'Ascension"}}};
    CHECK(rules.holiday_on(day(2027, 5, 7)) == "Pont de l'Ascension");
    CHECK(rules.holiday_on(day(2027, 5, 6)) == "Ascension Day");
    CHECK_FALSE(rules.is_holiday(day(2027, 5, 10)));

    CHECK(parse_iso_day("2027-05-07") == day(2027, 5, 7));
    CHECK_FALSE(parse_iso_day("2027-02-30"));
    CHECK_FALSE(parse_iso_day("2027-5-7"));
    CHECK_FALSE(parse_iso_day("2027-05-0x"));
}

TEST_CASE("calendar names: every one round-trips; an unknown one is named in the error") {
    for (const auto calendar : all_holiday_calendars())
        CHECK(parse_holiday_calendar(to_string(calendar)) == calendar);
    CHECK_THROWS_WITH_AS(parse_holiday_calendar("fr-bretagne"),
                         "unknown holiday calendar 'fr-bretagne' (known: none, fr, "
                         "fr-alsace-moselle, fr-guadeloupe, fr-martinique, fr-guyane, fr-reunion, "
                         "fr-mayotte)",
                         UnknownHolidayCalendar);
    CHECK_THROWS_AS(parse_holiday_calendar("FR"), UnknownHolidayCalendar);
}

TEST_CASE("the prospect's country picks the calendar only when the campaign asks") {
    using enum HolidayCalendar;
    CHECK(prospect_calendar(france, false, "RE") == france);
    CHECK(prospect_calendar(france, true, "") == france);
    CHECK(prospect_calendar(france, true, "re") == reunion);
    CHECK(prospect_calendar(france, true, "GP") == guadeloupe);
    CHECK(prospect_calendar(none, true, "FR") == france);
    // A country without a calendar here: no public holidays, not France's.
    CHECK(prospect_calendar(france, true, "DE") == none);
    // FR cannot say Alsace: the campaign's own French calendar stays.
    CHECK(prospect_calendar(alsace_moselle, true, "FR") == alsace_moselle);
    CHECK(prospect_calendar(alsace_moselle, true, "YT") == mayotte);
    CHECK(calendar_of_country("MQ") == martinique);
    CHECK(calendar_of_country("GF") == guyane);
    CHECK_FALSE(calendar_of_country("BE"));
}
