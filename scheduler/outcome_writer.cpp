#include "scheduler/outcome_writer.hpp"

#include <spdlog/spdlog.h>

#include "scheduler/engine_settings.hpp"

namespace pf::scheduler {

OutcomeWriter::OutcomeWriter(EngineCounters& counters, StepObserver* observer, TimePoint now)
    : counters_(counters), observer_(observer), now_(now) {}

void OutcomeWriter::note(const StepWork& w, std::string kind, std::string reason,
                         std::optional<TimePoint> next_at, std::string outcome,
                         std::optional<TimePoint> at) {
    if (!observer_) return;
    const auto& s = w.step;
    StepEvent e;
    e.kind = std::move(kind);
    e.at = at.value_or(now_);
    e.organisation_id = s.organisation_id;
    e.campaign_id = s.campaign_id;
    e.enrollment_id = s.enrollment_id;
    e.step_id = s.step_id;
    e.step_order = s.step_order;
    e.recipient = !w.recipient.empty()        ? w.recipient
                  : !s.position_email.empty() ? s.position_email
                                              : s.person_email;
    e.variant_label = !w.variant_label.empty() ? w.variant_label : s.assigned_label;
    e.subject = w.subject;
    if (w.window.zone) e.zone = std::string(w.window.zone->name());
    if (w.mailbox) e.mailbox = w.mailbox->email;
    e.outcome = std::move(outcome);
    e.reason = std::move(reason);
    e.next_at = next_at;
    observer_->on_step_event(e);
}

void OutcomeWriter::task(const StepWork& w, std::string status, std::optional<TimePoint> run_at,
                         int attempts_delta, std::optional<std::string> last_error) {
    const auto& s = w.step;
    batch_.tasks.push_back({s.organisation_id, s.task_id, std::move(status),
                            run_at ? std::optional<db::Micros>(to_micros(*run_at)) : std::nullopt,
                            attempts_delta, std::move(last_error)});
}

void OutcomeWriter::end_enrollment(const StepWork& w, const std::string& status,
                                   const std::string& reason) {
    const auto& s = w.step;
    batch_.enrollments.push_back(
        {s.organisation_id, s.enrollment_id, status, s.current_step_order, std::nullopt, reason});
}

// The step is done (sent or skipped): move the enrollment on and enqueue
// what follows, or complete it after its last step.
void OutcomeWriter::advance(const StepWork& w, TimePoint at, std::optional<std::string> reason) {
    const auto& s = w.step;
    task(w, "succeeded", std::nullopt, 0, std::move(reason));
    counters_.succeeded++;
    if (!s.next_step_id) {
        note(w, "complete", "last step done", std::nullopt, {}, at);
        batch_.enrollments.push_back({s.organisation_id, s.enrollment_id, "completed", s.step_order,
                                      std::nullopt, std::nullopt});
        return;
    }
    TimePoint next;
    try {
        next = next_step_time(at, w.next_delay, w.window);
    } catch (const std::invalid_argument& e) {
        // A window that never opens (a year of days off): this enrollment
        // stops with the reason, the batch goes on.
        const auto why =
            "cannot schedule the step after step " + std::to_string(s.step_order) + ": " + e.what();
        note(w, "fail", why, std::nullopt, {}, at);
        batch_.enrollments.push_back(
            {s.organisation_id, s.enrollment_id, "failed", s.step_order, std::nullopt, why});
        counters_.failed++;
        spdlog::warn("enrollment {} failed: {}", s.enrollment_id, why);
        return;
    }
    batch_.enrollments.push_back({s.organisation_id, s.enrollment_id, "active", s.step_order,
                                  to_micros(next), std::nullopt});
    batch_.next_tasks.push_back(
        {s.organisation_id, s.campaign_id, s.enrollment_id, *s.next_step_id, to_micros(next)});
}

void OutcomeWriter::sent(const StepWork& w, const std::string& message_id, TimePoint at,
                         const std::string& provider_message_id) {
    batch_.messages.push_back({w.step.organisation_id, message_id, "sent", to_micros(at),
                               provider_message_id, std::nullopt});
    note(w, "send", {}, std::nullopt, "sent", at);
    advance(w, at, std::nullopt);
    counters_.sent++;
}

void OutcomeWriter::send_failed(const StepWork& w, const std::string& message_id, TimePoint at,
                                const FailurePlan& plan) {
    const auto& s = w.step;
    batch_.messages.push_back(
        {s.organisation_id, message_id, "failed", std::nullopt, "", plan.reason});
    counters_.send_failed++;
    give_back_daily_slot(w);
    note(w, "send", plan.reason, plan.retry ? std::optional(plan.retry_at) : std::nullopt,
         plan.retry ? "retry" : "failed", at);
    if (!plan.retry) {
        task(w, "failed", std::nullopt, 0, plan.reason);
        end_enrollment(w, "failed", plan.reason);
        counters_.failed++;
        spdlog::warn("enrollment {} failed at step {}: {}", s.enrollment_id, s.step_order,
                     plan.reason);
        return;
    }
    task(w, "pending", plan.retry_at, 0, plan.reason);
    counters_.retried++;
    spdlog::info("enrollment {} step {}: {}", s.enrollment_id, s.step_order, plan.reason);
}

void OutcomeWriter::skipped(const StepWork& w, const std::string& reason) {
    note(w, "skip", reason);
    advance(w, now_, reason);
    counters_.skipped++;
    spdlog::info("enrollment {} step {}: {}", w.step.enrollment_id, w.step.step_order, reason);
}

void OutcomeWriter::already_sent(const StepWork& w, const std::string& reason) {
    note(w, "already-sent", reason);
    // The next delay runs from the send itself, not from this retry.
    const auto& sent_at = w.step.message_sent_at;
    advance(w, sent_at ? from_micros(*sent_at) : now_, reason);
    spdlog::info("enrollment {} step {}: {}", w.step.enrollment_id, w.step.step_order, reason);
}

void OutcomeWriter::cancelled(const StepWork& w, const std::string& reason) {
    note(w, "cancel", reason);
    task(w, "cancelled", std::nullopt, 0, "cancelled: " + reason);
    counters_.cancelled++;
}

void OutcomeWriter::released(const StepWork& w, const std::string& reason,
                             const std::string& last_error) {
    note(w, "release", reason);
    task(w, "pending", std::nullopt, -1, last_error);
    counters_.released++;
}

void OutcomeWriter::held(const StepWork& w, const std::string& reason,
                         const std::string& last_error) {
    note(w, "hold", reason);
    task(w, "failed", std::nullopt, 0, last_error);
    counters_.held++;
    spdlog::warn("enrollment {} step {}: held for an operator: {}", w.step.enrollment_id,
                 w.step.step_order, reason);
}

void OutcomeWriter::deferred(const StepWork& w, TimePoint at, const std::string& reason) {
    note(w, "defer", reason, at);
    task(w, "pending", at, -1, "deferred: " + reason);
    counters_.deferred++;
}

void OutcomeWriter::generation_retry(const StepWork& w, const FailurePlan& plan) {
    note(w, "retry", "generation: " + plan.reason, plan.retry_at);
    task(w, "pending", plan.retry_at, 0, "generation: " + plan.reason);
    counters_.retried++;
}

void OutcomeWriter::stopped(const StepWork& w, const std::string& status,
                            const std::string& reason) {
    note(w, "stop", reason, std::nullopt, status);
    task(w, "cancelled", std::nullopt, 0, "cancelled: " + reason);
    end_enrollment(w, status, reason);
    counters_.cancelled++;
    spdlog::info("enrollment {} stopped: {}", w.step.enrollment_id, reason);
}

void OutcomeWriter::failed(const StepWork& w, const std::string& reason) {
    note(w, "fail", reason);
    task(w, "failed", std::nullopt, 0, reason);
    end_enrollment(w, "failed", reason);
    counters_.failed++;
    spdlog::warn("enrollment {} failed at step {}: {}", w.step.enrollment_id, w.step.step_order,
                 reason);
}

void OutcomeWriter::mailbox_unavailable(const StepWork& w, const std::string& message_id,
                                        TimePoint retry_at, const std::string& problem,
                                        const std::string& reason, int failures_to_error) {
    const auto& s = w.step;
    batch_.messages.push_back({s.organisation_id, message_id, "failed", std::nullopt, "", reason});
    batch_.mailbox_health.push_back({s.organisation_id, w.mailbox->id, problem, reason});
    batch_.mailbox_failures_to_error = failures_to_error;
    give_back_daily_slot(w);
    note(w, "send", reason, retry_at, "mailbox-" + problem);
    task(w, "pending", retry_at, -1, "waiting for its mailbox: " + reason);
    counters_.send_failed++;
    counters_.deferred++;
    counters_.mailboxes.count(w.mailbox->email, false, true);
    spdlog::warn("enrollment {} step {}: {}", s.enrollment_id, s.step_order, reason);
}

void OutcomeWriter::mailbox_ok(const StepWork& w) {
    batch_.mailbox_health.push_back({w.step.organisation_id, w.mailbox->id, "ok", ""});
    counters_.mailboxes.count(w.mailbox->email, true, false);
}

void OutcomeWriter::give_back_daily_slot(const StepWork& w) {
    batch_.released_caps.push_back({w.step.organisation_id, w.step.campaign_id, w.cap_day, 1});
    if (w.mailbox && !w.mailbox_day.empty())
        batch_.released_mailbox_slots.push_back(
            {w.step.organisation_id, w.mailbox->id, w.mailbox_day, 1});
}

db::FinishBatch OutcomeWriter::take() {
    db::FinishBatch taken = std::move(batch_);
    batch_ = {};
    return taken;
}

}  // namespace pf::scheduler
