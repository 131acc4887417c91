#pragma once
// Public holidays, computed in code: no network and no data file to keep up
// to date. The calendars are the ones ProspectFlow's prospects live under:
//
//   fr                 France, the eleven days of Code du travail L3133-1
//                      (1 Jan, Easter Monday, 1 May, 8 May, Ascension,
//                      Whit Monday, 14 Jul, 15 Aug, 1 Nov, 11 Nov, 25 Dec)
//   fr-alsace-moselle  plus Good Friday and 26 December (local law of the
//                      Bas-Rhin, Haut-Rhin and Moselle, Code du travail L3134-13)
//   fr-guadeloupe, fr-martinique, fr-guyane, fr-reunion, fr-mayotte
//                      plus the day of the abolition of slavery (loi 83-550,
//                      décret 83-1003): 27 May, 22 May, 10 June, 20 December,
//                      27 April
//
// Easter is Gregorian, by the anonymous (Meeus/Jones/Butcher) computus.
// tests/data/french_holidays.tsv, made by scripts/gen-holiday-data from
// python3-workalendar, pins every calendar day for day for 2024-2035.
//
// A campaign names its calendar (campaigns.holiday_calendar, default none)
// and may let the prospect's country pick one (prospect_calendar below); an
// organisation or campaign adds its own days (outreach.holidays). Pure.

#include <date/date.h>

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace pf::scheduler {

enum class HolidayCalendar {
    none,
    france,
    alsace_moselle,
    guadeloupe,
    martinique,
    guyane,
    reunion,
    mayotte,
};

class UnknownHolidayCalendar : public std::invalid_argument {
  public:
    using std::invalid_argument::invalid_argument;
};

// Every calendar, in the order above (none first).
const std::vector<HolidayCalendar>& all_holiday_calendars();

// The name campaigns.holiday_calendar holds ("none", "fr", "fr-alsace-moselle", ...).
std::string_view to_string(HolidayCalendar calendar);

// The calendar of a name; throws UnknownHolidayCalendar naming it and the known ones.
HolidayCalendar parse_holiday_calendar(std::string_view name);

// The ISO 3166-1 alpha-2 code a calendar belongs to ("FR", "GP", ...; "" for none).
// The overseas departments have codes of their own, Alsace-Moselle has not.
std::string_view country_of(HolidayCalendar calendar);

// The calendar of an ISO 3166-1 alpha-2 country (any case), if there is one here.
std::optional<HolidayCalendar> calendar_of_country(std::string_view country);

// The calendar that applies to a prospect. The campaign's, unless the
// campaign takes the prospect's country (from_country) and that country is
// known and another than the campaign calendar's: then the country's (none
// when there is no calendar of it here: a German prospect gets no French
// holidays). A French prospect of a campaign on fr-alsace-moselle keeps it:
// a country code cannot say which French region a prospect is in.
HolidayCalendar prospect_calendar(HolidayCalendar campaign, bool from_country,
                                  std::string_view country);

// Easter Sunday of a Gregorian year.
date::year_month_day easter_sunday(date::year year);

struct Holiday {
    date::local_days day;
    std::string name;
};

// The calendar's holidays of a year, in date order.
std::vector<Holiday> holidays_in(HolidayCalendar calendar, date::year year);

// The holiday's name when `day` is one of the calendar's, else nothing.
std::optional<std::string_view> public_holiday(HolidayCalendar calendar, date::local_days day);

// A YYYY-MM-DD date (outreach.holidays.day as text); nothing when it is not one.
std::optional<date::local_days> parse_iso_day(std::string_view text);

// The days off of one prospect: a calendar and the organisation's or
// campaign's own dates.
struct HolidayRules {
    HolidayCalendar calendar = HolidayCalendar::none;
    std::vector<Holiday> custom;

    // The holiday on `day`, named, if any (a public one first).
    std::optional<std::string> holiday_on(date::local_days day) const;
    bool is_holiday(date::local_days day) const { return holiday_on(day).has_value(); }
    bool empty() const { return calendar == HolidayCalendar::none && custom.empty(); }
};

}  // namespace pf::scheduler
