#include "scheduler/enrollment_machine.hpp"

namespace pf::scheduler {

std::optional<StepCondition> parse_condition(std::string_view text) {
    if (text == "always") return StepCondition::always;
    if (text == "no_reply") return StepCondition::no_reply;
    if (text == "not_opened") return StepCondition::not_opened;
    if (text == "opened") return StepCondition::opened;
    return std::nullopt;
}

std::optional<ExistingMessage> parse_message_status(std::string_view text) {
    if (text.empty()) return ExistingMessage::none;
    if (text == "pending") return ExistingMessage::pending;
    if (text == "sending") return ExistingMessage::sending;
    if (text == "sent") return ExistingMessage::sent;
    if (text == "failed") return ExistingMessage::failed;
    if (text == "bounced") return ExistingMessage::bounced;
    return std::nullopt;
}

std::string_view to_string(StepAction action) {
    switch (action) {
        case StepAction::send:
            return "send";
        case StepAction::skip:
            return "skip";
        case StepAction::already_sent:
            return "already_sent";
        case StepAction::cancel:
            return "cancel";
        case StepAction::release:
            return "release";
        case StepAction::hold:
            return "hold";
        case StepAction::defer:
            return "defer";
    }
    return "unknown";
}

StepPlan plan_step(const StepSituation& s) {
    using enum StepAction;
    if (s.enrollment_status != "active")
        return {cancel, "enrollment is " + std::string(s.enrollment_status)};
    if (s.campaign_status == "paused") return {release, "campaign is paused"};
    if (s.campaign_status != "active")
        return {cancel, "campaign is " + std::string(s.campaign_status)};
    if (!s.step_exists) return {cancel, "the step was removed from the campaign"};

    // What was already written for this step wins over everything below: a
    // retry must never send a second email.
    switch (s.existing) {
        case ExistingMessage::sent:
            return {already_sent, "message already sent (a retry after an interruption)"};
        case ExistingMessage::bounced:
            return {cancel, "message already sent and bounced"};
        case ExistingMessage::sending:
            if (s.unknown_outcome == UnknownOutcomePolicy::hold && !s.idempotent_adapter) {
                return {hold,
                        "outcome unknown: the message was handed to the adapter but the daemon "
                        "stopped before the result was recorded; check the provider, then retry "
                        "the task to resend or cancel it"};
            }
            break;  // policy resend, or an idempotent adapter: send it again
        case ExistingMessage::none:
        case ExistingMessage::pending:
        case ExistingMessage::failed:
            break;
    }

    if (s.replied) return {cancel, "the prospect replied"};
    switch (s.condition) {
        case StepCondition::always:
            break;
        case StepCondition::no_reply:
            break;  // a reply already ended it above
        case StepCondition::not_opened:
            if (s.opened)
                return {skip, "skipped: condition not_opened, and an earlier email was opened"};
            break;
        case StepCondition::opened:
            if (!s.opened)
                return {skip, "skipped: condition opened, and no earlier email was opened"};
            break;
    }

    const auto when = next_window_time(s.now, s.window);
    if (when != s.now) return {defer, closed_reason(s.now, s.window), when};
    return {send, {}};
}

TimePoint next_step_time(TimePoint at, const StepDelay& delay, const SendWindow& window) {
    return next_window_time(delay_end(at, delay, window), window);
}

FailurePlan plan_failure(FailureKind kind, std::string_view why, int attempts, int max_attempts,
                         TimePoint now, const BackoffPolicy& backoff, RandomSource& random) {
    FailurePlan plan;
    if (kind == FailureKind::permanent) {
        plan.reason = "permanent failure: " + std::string(why);
        return plan;
    }
    if (attempts >= max_attempts) {
        plan.reason =
            "gave up after " + std::to_string(attempts) + " attempts: " + std::string(why);
        return plan;
    }
    plan.retry = true;
    plan.retry_at = now + retry_delay(attempts, backoff, random);
    plan.reason = "attempt " + std::to_string(attempts) + " of " + std::to_string(max_attempts) +
                  " failed, will retry: " + std::string(why);
    return plan;
}

}  // namespace pf::scheduler
