#pragma once
// The one writer of what becomes of a batch's tasks. Each method is one
// outcome a claimed task can have; it adds the row changes to write (task,
// enrollment, message, next step's task, a daily-limit slot given back),
// tells the observer (replay), counts it and logs it, in one place, so a
// reason reads the same in last_error, the log and the transcript. No I/O
// but the log: the batch recorder writes what take() returns.

#include <optional>
#include <string>

#include "db/engine_rows.hpp"
#include "scheduler/clock.hpp"
#include "scheduler/enrollment_machine.hpp"
#include "scheduler/step_events.hpp"
#include "scheduler/step_work.hpp"

namespace pf::scheduler {

struct EngineCounters;

class OutcomeWriter {
  public:
    OutcomeWriter(EngineCounters& counters, StepObserver* observer, TimePoint now);

    // The adapter took the message: marked sent at `at`, the enrollment advances.
    void sent(const StepWork& w, const std::string& message_id, TimePoint at,
              const std::string& provider_message_id);
    // The adapter refused it: the message is marked failed and `plan` says
    // whether the task retries or the enrollment fails.
    void send_failed(const StepWork& w, const std::string& message_id, TimePoint at,
                     const FailurePlan& plan);
    // The step's condition failed: advance without sending.
    void skipped(const StepWork& w, const std::string& reason);
    // A retry found the message already sent: advance without sending again.
    void already_sent(const StepWork& w, const std::string& reason);
    // The enrollment or campaign is over: the task has nothing left to do.
    void cancelled(const StepWork& w, const std::string& reason);
    // The task goes back to pending untouched (its attempt given back).
    void released(const StepWork& w, const std::string& reason, const std::string& last_error);
    // The task stops for an operator (failed, with the reason).
    void held(const StepWork& w, const std::string& reason, const std::string& last_error);
    // The task runs again at `at` (its attempt given back).
    void deferred(const StepWork& w, TimePoint at, const std::string& reason);
    // Generation failed transiently: the task runs again at plan.retry_at.
    void generation_retry(const StepWork& w, const FailurePlan& plan);
    // The enrollment ends without a send, as `status` (bounced, unsubscribed).
    void stopped(const StepWork& w, const std::string& status, const std::string& reason);
    // The enrollment fails for good.
    void failed(const StepWork& w, const std::string& reason);
    // The send's mailbox could not take it (login refused, server not
    // reachable): nothing was handed over. The message goes back to failed
    // (so a retry sends it), the task waits until `retry_at` without
    // counting an attempt, the slots are given back, and the mailbox's
    // health learns `problem` ("authentication" or "connection").
    void mailbox_unavailable(const StepWork& w, const std::string& message_id, TimePoint retry_at,
                             const std::string& problem, const std::string& reason,
                             int failures_to_error);
    // The send went through its mailbox: the mailbox's failure count is cleared.
    void mailbox_ok(const StepWork& w);
    // A send that held a daily-limit slot did not go: the slot is given back
    // (its mailbox's too).
    void give_back_daily_slot(const StepWork& w);

    // The row changes gathered since the last take(), and how many tasks they finish.
    db::FinishBatch take();
    std::size_t task_count() const { return batch_.tasks.size(); }

  private:
    void note(const StepWork& w, std::string kind, std::string reason,
              std::optional<TimePoint> next_at = std::nullopt, std::string outcome = {},
              std::optional<TimePoint> at = std::nullopt);
    void task(const StepWork& w, std::string status, std::optional<TimePoint> run_at,
              int attempts_delta, std::optional<std::string> last_error);
    void end_enrollment(const StepWork& w, const std::string& status, const std::string& reason);
    void advance(const StepWork& w, TimePoint at, std::optional<std::string> reason);

    EngineCounters& counters_;
    StepObserver* observer_;
    TimePoint now_;
    db::FinishBatch batch_;
};

}  // namespace pf::scheduler
