#include "scheduler/step_planner.hpp"

namespace pf::scheduler {
namespace {

date::local_days parse_day(const std::string& text) {
    if (const auto day = parse_iso_day(text)) return *day;
    throw std::invalid_argument("bad holiday date '" + text + "'");
}

// The prospect's days off: the calendar that applies to them (the person's
// country first, where they are, then their company's) and the custom days.
HolidayRules resolve_holidays(const db::ClaimedStep& s) {
    HolidayRules rules;
    const auto& country = !s.person_country.empty() ? s.person_country : s.company_country;
    rules.calendar = prospect_calendar(parse_holiday_calendar(s.holiday_calendar),
                                       s.holiday_calendar_from_country, country);
    for (const auto& h : s.custom_holidays) rules.custom.push_back({parse_day(h.day), h.name});
    return rules;
}

void resolve_windows(StepWork& w) {
    const auto& s = w.step;
    w.campaign_zone = find_time_zone(s.campaign_timezone);
    w.window.zone = s.person_timezone.empty() ? w.campaign_zone : find_time_zone(s.person_timezone);
    w.window.start = std::chrono::minutes(s.window_start_minutes);
    w.window.end = std::chrono::minutes(s.window_end_minutes);
    w.window.weekdays = weekday_mask(s.send_days);
    w.window.holidays = resolve_holidays(s);
}

StepSituation situation_of(const StepWork& w, UnknownOutcomePolicy unknown_outcome, TimePoint now) {
    const auto& s = w.step;
    StepSituation situation;
    situation.enrollment_status = s.enrollment_status;
    situation.campaign_status = s.campaign_status;
    situation.step_exists = s.step_exists;
    situation.condition = parse_condition(s.condition).value_or(StepCondition::always);
    situation.replied = s.replied;
    situation.opened = s.opened;
    situation.existing = parse_message_status(s.message_status).value_or(ExistingMessage::none);
    situation.unknown_outcome = unknown_outcome;
    situation.idempotent_adapter = w.idempotent_adapter;
    situation.now = now;
    situation.window = w.window;
    return situation;
}

TaskAction action_of(StepAction action) {
    switch (action) {
        case StepAction::send:
            return TaskAction::send;
        case StepAction::skip:
            return TaskAction::skip;
        case StepAction::already_sent:
            return TaskAction::already_sent;
        case StepAction::cancel:
            return TaskAction::cancel;
        case StepAction::release:
            return TaskAction::release;
        case StepAction::hold:
            return TaskAction::hold;
        case StepAction::defer:
            return TaskAction::defer;
    }
    return TaskAction::fail;
}

}  // namespace

TaskPlan plan_task(StepWork& w, UnknownOutcomePolicy unknown_outcome, TimePoint now) {
    try {
        resolve_windows(w);
    } catch (const std::exception& e) {
        return {TaskAction::fail, std::string("bad sending window: ") + e.what(), {}, {}};
    }
    try {
        const auto& s = w.step;
        if (s.next_step_id)
            w.next_delay = step_delay_of(s.next_step_delay_unit, s.next_step_delay_amount,
                                         s.next_step_delay_seconds);
    } catch (const BadStepDelay& e) {
        return {
            TaskAction::fail,
            "bad delay of step " + std::to_string(w.step.step_order) + "'s next step: " + e.what(),
            {},
            {}};
    }
    const auto plan = plan_step(situation_of(w, unknown_outcome, now));
    const auto& suppressed = w.step.suppressed_reason;
    if (plan.action == StepAction::send && !suppressed.empty()) {
        // Unsubscribed or bounced, maybe through another campaign.
        return {TaskAction::stop,
                "address is on the organisation's suppression list (" + suppressed + ")",
                {},
                suppressed == "bounced" ? "bounced" : "unsubscribed"};
    }
    return {action_of(plan.action), plan.reason, plan.run_at, {}};
}

std::optional<std::string> address_problem(StepWork& w) {
    const auto& s = w.step;
    w.recipient = !s.position_email.empty() ? s.position_email : s.person_email;
    if (w.recipient.empty()) return "permanent failure: the prospect has no email address";
    if (s.email_status == "invalid" || s.email_status == "bounced")
        return "permanent failure: address " + w.recipient + " is marked " + s.email_status;
    return std::nullopt;
}

}  // namespace pf::scheduler
