#pragma once
// The enrollment state machine: what to do with one claimed step task, and
// what follows a send. Pure: the database layer fills StepSituation from
// rows and carries out the StepPlan; every decision carries a reason in words
// an operator understands (it lands in last_error and in the log).

#include <optional>
#include <string>
#include <string_view>

#include "scheduler/backoff.hpp"
#include "scheduler/clock.hpp"
#include "scheduler/send_window.hpp"
#include "scheduler/step_delay.hpp"

namespace pf::scheduler {

enum class StepCondition { always, no_reply, not_opened, opened };
std::optional<StepCondition> parse_condition(std::string_view text);

// The outbound message already written for this (enrollment, step), if any.
enum class ExistingMessage { none, pending, sending, sent, failed, bounced };
std::optional<ExistingMessage> parse_message_status(std::string_view text);  // "" -> none

// What to do when a retry finds a message handed to an adapter whose outcome
// never came back (the daemon died mid-send): hold it for an operator
// (default: never risk a duplicate email) or send it again.
enum class UnknownOutcomePolicy { hold, resend };

struct StepSituation {
    std::string_view enrollment_status;
    std::string_view campaign_status;
    bool step_exists = true;
    StepCondition condition = StepCondition::always;
    bool replied = false;  // an inbound message exists for the enrollment
    bool opened = false;   // an earlier outbound message of the enrollment was opened
    ExistingMessage existing = ExistingMessage::none;
    UnknownOutcomePolicy unknown_outcome = UnknownOutcomePolicy::hold;
    // The adapter this step's email goes to deduplicates on the message id
    // (SendAdapter::idempotent): an unknown outcome is resent whatever the
    // policy, since the provider delivers it at most once.
    bool idempotent_adapter = false;
    TimePoint now{};
    SendWindow window;  // the recipient's
};

enum class StepAction {
    send,          // render, reserve, hand over
    skip,          // the step's condition failed: advance without sending
    already_sent,  // a retry after a crash found the message sent: just advance
    cancel,        // the enrollment or campaign is over: nothing to do
    release,       // the campaign is paused: give the task back untouched
    hold,          // unknown send outcome: stop for an operator
    defer,         // outside the sending window: run again at run_at
};
std::string_view to_string(StepAction action);

struct StepPlan {
    StepAction action;
    std::string reason;
    TimePoint run_at{};  // for defer
};

StepPlan plan_step(const StepSituation& situation);

// When the step after one sent (or skipped) at `at` is due: its delay after
// `at` (step_delay), moved into the recipient's window (weekdays, holidays).
TimePoint next_step_time(TimePoint at, const StepDelay& delay, const SendWindow& window);

enum class FailureKind { transient, permanent };

struct FailurePlan {
    bool retry = false;
    TimePoint retry_at{};
    std::string reason;  // for last_error
};

// After a failed send: retry transient failures with backoff while attempts
// remain; otherwise fail the enrollment with the reason.
FailurePlan plan_failure(FailureKind kind, std::string_view why, int attempts, int max_attempts,
                         TimePoint now, const BackoffPolicy& backoff, RandomSource& random);

}  // namespace pf::scheduler
