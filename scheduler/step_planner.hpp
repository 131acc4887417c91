#pragma once
// Phase "plan": what to do with each claimed task, decided from its claimed
// row alone (pure: no I/O, the time passed in). The enrollment state machine
// (enrollment_machine) decides on the step; this adds what the claim knows
// around it: the recipient's window, the suppression list, the address.

#include <optional>
#include <string>

#include "scheduler/clock.hpp"
#include "scheduler/enrollment_machine.hpp"
#include "scheduler/step_work.hpp"

namespace pf::scheduler {

enum class TaskAction {
    send,          // on to assignment, composition and reservation
    skip,          // the step's condition failed: advance without sending
    already_sent,  // a retry found the message sent: advance
    cancel,        // the enrollment or campaign is over
    release,       // the campaign is paused: give the task back
    hold,          // unknown send outcome: stop for an operator
    defer,         // outside the window: run again at run_at
    stop,          // the address is suppressed: end the enrollment as stop_status
    fail,          // the enrollment cannot go on (bad window)
};

struct TaskPlan {
    TaskAction action = TaskAction::send;
    std::string reason;
    TimePoint run_at{};       // defer
    std::string stop_status;  // stop: bounced or unsubscribed
};

// Fills w.window and w.campaign_zone from the claim and decides.
TaskPlan plan_task(StepWork& w, UnknownOutcomePolicy unknown_outcome, TimePoint now);

// Sets w.recipient (the position's address, else the person's) and says why
// it cannot be sent to, if it cannot.
std::optional<std::string> address_problem(StepWork& w);

}  // namespace pf::scheduler
