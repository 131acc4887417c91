#include "daemon/schedule_preview_command.hpp"

#include <spdlog/spdlog.h>

#include <iostream>
#include <map>
#include <pqxx/pqxx>
#include <sstream>

#include "daemon/command_support.hpp"
#include "daemon/exit_codes.hpp"
#include "replay/fixture.hpp"
#include "scheduler/schedule_preview.hpp"

namespace pf::daemon {
namespace {

using scheduler::HolidayCalendar;

// Prospects who share a zone and a calendar get the same schedule.
struct PreviewGroup {
    std::string zone;
    HolidayCalendar calendar;
    long long enrolled = 0;
};

std::vector<PreviewGroup> groups_of(const db::PreviewCampaign& c) {
    const auto campaign_calendar = scheduler::parse_holiday_calendar(c.holiday_calendar);
    // The campaign's own zone and calendar first, enrolled or not: a new
    // prospect without a zone or a country gets it.
    std::vector<PreviewGroup> groups{{c.timezone, campaign_calendar, 0}};
    for (const auto& g : c.groups) {
        const auto zone = g.timezone.empty() ? c.timezone : g.timezone;
        const auto calendar = scheduler::prospect_calendar(
            campaign_calendar, c.holiday_calendar_from_country, g.country);
        auto it = std::find_if(groups.begin(), groups.end(), [&](const PreviewGroup& p) {
            return p.zone == zone && p.calendar == calendar;
        });
        if (it == groups.end()) it = groups.insert(groups.end(), {zone, calendar, 0});
        it->enrolled += g.enrolled;
    }
    return groups;
}

scheduler::SendWindow window_of(const db::PreviewCampaign& c, const PreviewGroup& g) {
    scheduler::SendWindow w;
    w.zone = scheduler::find_time_zone(g.zone);
    w.start = std::chrono::minutes(c.window_start_minutes);
    w.end = std::chrono::minutes(c.window_end_minutes);
    w.weekdays = scheduler::weekday_mask(c.send_days);
    w.holidays.calendar = g.calendar;
    for (const auto& h : c.custom_holidays)
        if (const auto day = scheduler::parse_iso_day(h.day))
            w.holidays.custom.push_back({*day, h.name});
    return w;
}

std::vector<scheduler::PlannedStep> planned_steps(const db::PreviewCampaign& c) {
    std::vector<scheduler::PlannedStep> steps;
    for (const auto& s : c.steps) {
        try {
            steps.push_back({s.step_order, scheduler::step_delay_of(s.delay_unit, s.delay_amount,
                                                                    s.delay_seconds)});
        } catch (const scheduler::BadStepDelay& e) {
            throw std::invalid_argument("step " + std::to_string(s.step_order) + ": " + e.what());
        }
    }
    return steps;
}

std::string local_text(scheduler::TimePoint t, const date::time_zone* zone) {
    const auto zoned = date::make_zoned(zone, std::chrono::floor<std::chrono::seconds>(t));
    return date::format("%a %F %H:%M %Ez", zoned);
}

std::string header(const db::PreviewCampaign& c, scheduler::TimePoint enrolled) {
    static const char* const kDays[] = {"", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    std::ostringstream out;
    out << "campaign " << c.id << " \"" << c.name << "\" (" << c.status << "), organisation "
        << c.organisation_id << "\n  window "
        << date::format("%H:%M", std::chrono::minutes(c.window_start_minutes)) << "-"
        << date::format("%H:%M", std::chrono::minutes(c.window_end_minutes)) << " on";
    for (const int d : c.send_days) out << " " << kDays[d];
    out << ", zone " << c.timezone << ", holiday calendar " << c.holiday_calendar
        << (c.holiday_calendar_from_country ? " (a prospect's country picks theirs)" : "") << "\n";
    for (const auto& h : c.custom_holidays) out << "  day off " << h.day << " " << h.name << "\n";
    out << "a new enrollment at " << replay::format_utc(enrolled)
        << " (daily limit, sender pacing and step conditions not counted)\n";
    return out.str();
}

std::string group_text(const db::PreviewCampaign& c, const PreviewGroup& g, bool first,
                       scheduler::TimePoint enrolled) {
    const auto window = window_of(c, g);
    std::ostringstream out;
    out << "\n"
        << g.zone << ", calendar " << scheduler::to_string(g.calendar) << ": "
        << (first ? "the campaign's; " : "") << g.enrolled << " enrolled\n";
    for (const auto& step : scheduler::preview_schedule(planned_steps(c), enrolled, window)) {
        const auto delay = step.step_order == c.steps.front().step_order
                               ? std::string("when enrolled")
                               : "+" + scheduler::describe(step.delay);
        out << "  step " << step.step_order << "  " << delay
            << std::string(delay.size() < 20 ? 20 - delay.size() : 1, ' ')
            << local_text(step.at, window.zone) << "  (" << replay::format_utc(step.at) << ")";
        for (std::size_t i = 0; i < step.skipped.size(); ++i) {
            const auto& h = step.skipped[i];
            out << (i == 0 ? "  skipped " : ", ") << date::format("%a %F", h.day) << " " << h.name;
        }
        out << "\n";
    }
    return out.str();
}

}  // namespace

std::string format_schedule_preview(const db::PreviewCampaign& campaign,
                                    scheduler::TimePoint enrolled) {
    std::string out = header(campaign, enrolled);
    if (campaign.steps.empty()) return out + "\nthe campaign has no steps\n";
    const auto groups = groups_of(campaign);
    for (std::size_t i = 0; i < groups.size(); ++i)
        out += group_text(campaign, groups[i], i == 0, enrolled);
    return out;
}

scheduler::TimePoint preview_start(const std::string& from, const std::string& zone,
                                   scheduler::TimePoint now) {
    if (from.empty()) return now;
    if (const auto day = scheduler::parse_iso_day(from))
        return scheduler::to_instant(date::local_time<std::chrono::microseconds>(*day),
                                     scheduler::find_time_zone(zone));
    return replay::parse_time(from);
}

int schedule_preview_command(const SchedulePreviewOptions& options) {
    const auto config = command_config(options.config_file, options.database_url);
    const auto connection = connect_or_log(config.database.url);
    if (!connection) return kExitUnavailable;
    db::PreviewCampaign campaign;
    try {
        campaign = db::load_preview_campaign(*connection, options.campaign, options.organisation);
    } catch (const db::PreviewError& e) {
        spdlog::error("{}", e.what());
        return kExitDataError;
    } catch (const pqxx::broken_connection& e) {
        spdlog::error("lost the database connection: {}", e.what());
        return kExitUnavailable;
    }
    scheduler::TimePoint start;
    try {
        start = preview_start(options.from, campaign.timezone, scheduler::SystemClock().now());
    } catch (const std::invalid_argument& e) {
        spdlog::error("--from: {}", e.what());
        return kExitUsage;
    }
    try {
        std::cout << format_schedule_preview(campaign, start) << std::flush;
        return kExitOk;
    } catch (const std::invalid_argument& e) {
        // A zone, calendar or delay the schema let through but the engine refuses.
        spdlog::error("campaign {}: {}", campaign.id, e.what());
        return kExitDataError;
    }
}

}  // namespace pf::daemon
