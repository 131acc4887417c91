#pragma once
// What happened to each claimed task, as the step runner decides it: the
// replay's transcript is built from these. Production runs without an
// observer; the runner only reports, it never waits on one.

#include <optional>
#include <string>

#include "scheduler/clock.hpp"

namespace pf::scheduler {

struct StepEvent {
    // send (outcome sent, retry or failed), skip, already-sent, complete,
    // defer, retry (generation), fail, stop, cancel, hold, release.
    std::string kind;
    TimePoint at;
    std::string organisation_id, campaign_id, enrollment_id, step_id;
    int step_order = 0;
    std::string variant_label, recipient, subject;
    std::string zone;     // the recipient's IANA zone (the window's)
    std::string mailbox;  // the sending mailbox's address, when the campaign has a pool
    std::string outcome, reason;
    std::optional<TimePoint> next_at;  // when the task runs again, if it does
};

class StepObserver {
  public:
    virtual ~StepObserver() = default;
    virtual void on_step_event(const StepEvent& event) = 0;
};

}  // namespace pf::scheduler
