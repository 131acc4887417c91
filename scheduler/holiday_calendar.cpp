#include "scheduler/holiday_calendar.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace pf::scheduler {
namespace {

struct CalendarInfo {
    HolidayCalendar calendar;
    std::string_view name;
    std::string_view country;
};

constexpr std::array<CalendarInfo, 8> kCalendars{{
    {HolidayCalendar::none, "none", ""},
    {HolidayCalendar::france, "fr", "FR"},
    {HolidayCalendar::alsace_moselle, "fr-alsace-moselle", "FR"},
    {HolidayCalendar::guadeloupe, "fr-guadeloupe", "GP"},
    {HolidayCalendar::martinique, "fr-martinique", "MQ"},
    {HolidayCalendar::guyane, "fr-guyane", "GF"},
    {HolidayCalendar::reunion, "fr-reunion", "RE"},
    {HolidayCalendar::mayotte, "fr-mayotte", "YT"},
}};

const CalendarInfo& info_of(HolidayCalendar calendar) {
    for (const auto& info : kCalendars)
        if (info.calendar == calendar) return info;
    return kCalendars[0];
}

// A holiday on a fixed date (month, day) or at a fixed distance from Easter
// Sunday (month 0, easter_offset days).
struct HolidayRule {
    unsigned month, day;
    int easter_offset;
    std::string_view name;
};

// Code du travail L3133-1, in date order of a year whatever Easter's date.
constexpr std::array<HolidayRule, 11> kFrance{{
    {1, 1, 0, "New Year's Day"},
    {0, 0, 1, "Easter Monday"},
    {5, 1, 0, "Labour Day"},
    {5, 8, 0, "Victory in Europe Day"},
    {0, 0, 39, "Ascension Day"},
    {0, 0, 50, "Whit Monday"},
    {7, 14, 0, "Bastille Day"},
    {8, 15, 0, "Assumption Day"},
    {11, 1, 0, "All Saints' Day"},
    {11, 11, 0, "Armistice Day"},
    {12, 25, 0, "Christmas Day"},
}};

constexpr std::array<HolidayRule, 2> kAlsaceMoselle{{
    {0, 0, -2, "Good Friday"},
    {12, 26, 0, "St Stephen's Day"},
}};

// Décret 83-1003: each department's day of the abolition of slavery.
std::optional<HolidayRule> abolition_day(HolidayCalendar calendar) {
    constexpr std::string_view name = "Abolition of Slavery";
    switch (calendar) {
        case HolidayCalendar::guadeloupe:
            return HolidayRule{5, 27, 0, name};
        case HolidayCalendar::martinique:
            return HolidayRule{5, 22, 0, name};
        case HolidayCalendar::guyane:
            return HolidayRule{6, 10, 0, name};
        case HolidayCalendar::reunion:
            return HolidayRule{12, 20, 0, name};
        case HolidayCalendar::mayotte:
            return HolidayRule{4, 27, 0, name};
        case HolidayCalendar::none:
        case HolidayCalendar::france:
        case HolidayCalendar::alsace_moselle:
            break;
    }
    return std::nullopt;
}

// Visits the calendar's rules without allocating: public_holiday runs for
// every day a business-day delay counts.
template <typename Visit>
void for_each_rule(HolidayCalendar calendar, Visit&& visit) {
    if (calendar == HolidayCalendar::none) return;
    for (const auto& rule : kFrance) visit(rule);
    if (calendar == HolidayCalendar::alsace_moselle)
        for (const auto& rule : kAlsaceMoselle) visit(rule);
    if (const auto extra = abolition_day(calendar)) visit(*extra);
}

date::local_days day_of(const HolidayRule& rule, date::year year, date::local_days easter) {
    if (rule.month == 0) return easter + date::days{rule.easter_offset};
    return date::local_days{year / date::month{rule.month} / date::day{rule.day}};
}

std::string upper(std::string_view text) {
    std::string out(text);
    for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

}  // namespace

const std::vector<HolidayCalendar>& all_holiday_calendars() {
    static const std::vector<HolidayCalendar> all = [] {
        std::vector<HolidayCalendar> v;
        for (const auto& info : kCalendars) v.push_back(info.calendar);
        return v;
    }();
    return all;
}

std::string_view to_string(HolidayCalendar calendar) {
    return info_of(calendar).name;
}

HolidayCalendar parse_holiday_calendar(std::string_view name) {
    for (const auto& info : kCalendars)
        if (info.name == name) return info.calendar;
    std::string known;
    for (const auto& info : kCalendars)
        known += (known.empty() ? "" : ", ") + std::string(info.name);
    throw UnknownHolidayCalendar("unknown holiday calendar '" + std::string(name) +
                                 "' (known: " + known + ")");
}

std::string_view country_of(HolidayCalendar calendar) {
    return info_of(calendar).country;
}

std::optional<HolidayCalendar> calendar_of_country(std::string_view country) {
    const auto code = upper(country);
    // FR maps to the metropolitan calendar: the first entry with that code.
    for (const auto& info : kCalendars)
        if (!info.country.empty() && info.country == code) return info.calendar;
    return std::nullopt;
}

HolidayCalendar prospect_calendar(HolidayCalendar campaign, bool from_country,
                                  std::string_view country) {
    if (!from_country || country.empty()) return campaign;
    if (upper(country) == country_of(campaign)) return campaign;
    return calendar_of_country(country).value_or(HolidayCalendar::none);
}

date::year_month_day easter_sunday(date::year year) {
    // Meeus/Jones/Butcher, as in Meeus, Astronomical Algorithms, ch. 8.
    const int y = static_cast<int>(year);
    const int a = y % 19, b = y / 100, c = y % 100;
    const int d = b / 4, e = b % 4;
    const int f = (b + 8) / 25, g = (b - f + 1) / 3;
    const int h = (19 * a + b - d - g + 15) % 30;
    const int i = c / 4, k = c % 4;
    const int l = (32 + 2 * e + 2 * i - h - k) % 7;
    const int m = (a + 11 * h + 22 * l) / 451;
    const int month = (h + l - 7 * m + 114) / 31;
    const int day = (h + l - 7 * m + 114) % 31 + 1;
    return year / date::month{static_cast<unsigned>(month)} / date::day{static_cast<unsigned>(day)};
}

std::vector<Holiday> holidays_in(HolidayCalendar calendar, date::year year) {
    const date::local_days easter{easter_sunday(year)};
    std::vector<Holiday> out;
    for_each_rule(calendar, [&](const HolidayRule& rule) {
        out.push_back({day_of(rule, year, easter), std::string(rule.name)});
    });
    std::stable_sort(out.begin(), out.end(),
                     [](const Holiday& x, const Holiday& y) { return x.day < y.day; });
    return out;
}

std::optional<std::string_view> public_holiday(HolidayCalendar calendar, date::local_days day) {
    if (calendar == HolidayCalendar::none) return std::nullopt;
    const auto year = date::year_month_day{day}.year();
    const date::local_days easter{easter_sunday(year)};
    std::optional<std::string_view> found;
    for_each_rule(calendar, [&](const HolidayRule& rule) {
        if (!found && day_of(rule, year, easter) == day) found = rule.name;
    });
    return found;
}

std::optional<date::local_days> parse_iso_day(std::string_view text) {
    // By hand: date::parse trips GCC 12's maybe-uninitialized warning.
    if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
    const auto number = [&](std::size_t at, std::size_t length) {
        int n = 0;
        for (std::size_t i = at; i < at + length; ++i) {
            if (!std::isdigit(static_cast<unsigned char>(text[i]))) return -1;
            n = n * 10 + (text[i] - '0');
        }
        return n;
    };
    const int y = number(0, 4), m = number(5, 2), d = number(8, 2);
    if (y < 0 || m < 0 || d < 0) return std::nullopt;
    const auto ymd =
        date::year{y} / date::month{static_cast<unsigned>(m)} / date::day{static_cast<unsigned>(d)};
    if (!ymd.ok()) return std::nullopt;
    return date::local_days{ymd};
}

std::optional<std::string> HolidayRules::holiday_on(date::local_days day) const {
    if (const auto name = public_holiday(calendar, day)) return std::string(*name);
    for (const auto& h : custom)
        if (h.day == day) return h.name;
    return std::nullopt;
}

}  // namespace pf::scheduler
