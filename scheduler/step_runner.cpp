#include "scheduler/step_runner.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "adapters/mime_message.hpp"
#include "adapters/template_renderer.hpp"
#include "scheduler/ab_assignment.hpp"
#include "scheduler/send_window.hpp"

namespace pf::scheduler {

std::int64_t to_micros(TimePoint t) {
    return t.time_since_epoch().count();
}
TimePoint from_micros(std::int64_t micros) {
    return TimePoint{std::chrono::microseconds{micros}};
}

namespace {

using db::ClaimedStep;

std::string format_day(date::local_days day) {
    return date::format("%F", day);
}

// One claimed task on its way through the batch.
struct Work {
    const ClaimedStep* step = nullptr;
    SendWindow window;  // the recipient's
    const date::time_zone* campaign_zone = nullptr;
    std::string recipient;
    std::optional<std::string> variant_id;
    std::string variant_label, prompt_id, subject_template, body_template;
    std::string subject, body;
    std::optional<std::string> body_html;
    std::optional<std::string> in_reply_to;
    bool reuse_stored_text = false;
    bool done = false;  // an outcome is recorded
};

class BatchOutcomes {
  public:
    BatchOutcomes(EngineCounters& counters, StepObserver* observer, TimePoint now)
        : counters_(counters), observer_(observer), now_(now) {}

    // Tells the observer (if any) what became of a task.
    void note(const ClaimedStep& s, const Work* w, std::string kind, std::string reason = {},
              std::optional<TimePoint> next_at = std::nullopt, std::string outcome = {},
              std::optional<TimePoint> at = std::nullopt) {
        if (!observer_) return;
        StepEvent e;
        e.kind = std::move(kind);
        e.at = at.value_or(now_);
        e.organisation_id = s.organisation_id;
        e.campaign_id = s.campaign_id;
        e.enrollment_id = s.enrollment_id;
        e.step_id = s.step_id;
        e.step_order = s.step_order;
        e.recipient = w && !w->recipient.empty()  ? w->recipient
                      : !s.position_email.empty() ? s.position_email
                                                  : s.person_email;
        e.variant_label = w && !w->variant_label.empty() ? w->variant_label : s.assigned_label;
        if (w) e.subject = w->subject;
        if (w && w->window.zone) e.zone = std::string(w->window.zone->name());
        e.outcome = std::move(outcome);
        e.reason = std::move(reason);
        e.next_at = next_at;
        observer_->on_step_event(e);
    }

    void task(const ClaimedStep& s, std::string status, std::optional<TimePoint> run_at,
              int attempts_delta, std::optional<std::string> reason) {
        batch.tasks.push_back(
            {s.organisation_id, s.task_id, std::move(status),
             run_at ? std::optional<db::Micros>(to_micros(*run_at)) : std::nullopt, attempts_delta,
             std::move(reason)});
    }

    // The step is done (sent or skipped): move the enrollment on and enqueue
    // what follows, or complete it after its last step.
    void advance(const Work& w, TimePoint at, std::optional<std::string> reason) {
        const auto& s = *w.step;
        task(s, "succeeded", std::nullopt, 0, std::move(reason));
        counters_.succeeded++;
        if (!s.next_step_id) note(s, &w, "complete", "last step done", std::nullopt, {}, at);
        if (s.next_step_id) {
            const auto next =
                next_step_time(at, std::chrono::seconds(s.next_step_delay_seconds), w.window);
            batch.enrollments.push_back({s.organisation_id, s.enrollment_id, "active", s.step_order,
                                         to_micros(next), std::nullopt});
            batch.next_tasks.push_back({s.organisation_id, s.campaign_id, s.enrollment_id,
                                        *s.next_step_id, to_micros(next)});
        } else {
            batch.enrollments.push_back({s.organisation_id, s.enrollment_id, "completed",
                                         s.step_order, std::nullopt, std::nullopt});
        }
    }

    // The enrollment ends without a send (its address is suppressed).
    void stop_enrollment(const ClaimedStep& s, const Work* w, const std::string& status,
                         const std::string& reason) {
        note(s, w, "stop", reason, std::nullopt, status);
        task(s, "cancelled", std::nullopt, 0, "cancelled: " + reason);
        batch.enrollments.push_back({s.organisation_id, s.enrollment_id, status,
                                     s.current_step_order, std::nullopt, reason});
        counters_.cancelled++;
        spdlog::info("enrollment {} stopped: {}", s.enrollment_id, reason);
    }

    // `noted`: the caller already reported it (a refused send).
    void fail_enrollment(const ClaimedStep& s, const Work* w, const std::string& reason,
                         bool noted = false) {
        if (!noted) note(s, w, "fail", reason);
        task(s, "failed", std::nullopt, 0, reason);
        batch.enrollments.push_back({s.organisation_id, s.enrollment_id, "failed",
                                     s.current_step_order, std::nullopt, reason});
        counters_.failed++;
        spdlog::warn("enrollment {} failed at step {}: {}", s.enrollment_id, s.step_order, reason);
    }

    db::FinishBatch batch;

  private:
    EngineCounters& counters_;
    StepObserver* observer_;
    TimePoint now_;
};

adapters::TemplateVariables variables_of(const ClaimedStep& s, const std::string& recipient,
                                         const std::string& variant_label) {
    adapters::TemplateVariables v{
        {"person.first_name", s.first_name},
        {"person.last_name", s.last_name},
        {"person.full_name", s.first_name + " " + s.last_name},
        {"person.email", recipient},
        {"position.title", s.position_title},
        {"position.email", s.position_email},
        {"company.name", s.company_name},
        {"company.siren", s.company_siren},
        {"company.naf_code", s.company_naf_code},
        {"company.domain", s.company_domain},
        {"campaign.name", s.campaign_name},
        {"sender.name", s.from_name},
        {"sender.email", s.from_email},
        {"step.order", std::to_string(s.step_order)},
        {"variant.label", variant_label},
    };
    return v;
}

}  // namespace

StepRunner::StepRunner(db::EngineStore& store, adapters::SendAdapter& adapter,
                       const adapters::GeneratorSet& generators, const Clock& clock,
                       RandomSource& random, const EngineSettings& settings,
                       EngineCounters& counters)
    : store_(store),
      adapter_(adapter),
      generators_(generators),
      clock_(clock),
      random_(random),
      settings_(settings),
      counters_(counters) {}

std::size_t StepRunner::run_batch(const std::atomic<bool>* stopping) {
    const auto now = clock_.now();
    const auto claimed = store_.claim(to_micros(now), settings_.batch_size, settings_.instance_id,
                                      settings_.lease_seconds);
    if (claimed.empty()) return 0;
    counters_.claimed += claimed.size();
    for (const auto& c : claimed)
        counters_.claim_lag_seconds.observe(now - from_micros(std::min(c.run_at, to_micros(now))));
    const auto started = std::chrono::steady_clock::now();
    const auto elapsed_ms = [&] {
        return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count();
    };

    BatchOutcomes out(counters_, observer_, now);
    std::vector<Work> work(claimed.size());
    std::vector<Work*> sends;

    // 1. Plan every task.
    for (std::size_t i = 0; i < claimed.size(); ++i) {
        auto& w = work[i];
        const auto& s = claimed[i];
        w.step = &s;
        try {
            w.campaign_zone = find_time_zone(s.campaign_timezone);
            w.window.zone =
                s.person_timezone.empty() ? w.campaign_zone : find_time_zone(s.person_timezone);
            w.window.start = std::chrono::minutes(s.window_start_minutes);
            w.window.end = std::chrono::minutes(s.window_end_minutes);
            w.window.weekdays = weekday_mask(s.send_days);
        } catch (const std::exception& e) {
            out.fail_enrollment(s, &w, std::string("bad sending window: ") + e.what());
            w.done = true;
            continue;
        }
        StepSituation situation;
        situation.enrollment_status = s.enrollment_status;
        situation.campaign_status = s.campaign_status;
        situation.step_exists = s.step_exists;
        situation.condition = parse_condition(s.condition).value_or(StepCondition::always);
        situation.replied = s.replied;
        situation.opened = s.opened;
        situation.existing = parse_message_status(s.message_status).value_or(ExistingMessage::none);
        situation.unknown_outcome = settings_.unknown_outcome;
        situation.now = now;
        situation.window = w.window;
        const auto plan = plan_step(situation);

        switch (plan.action) {
            case StepAction::send:
                if (!s.suppressed_reason.empty()) {
                    // Unsubscribed or bounced, maybe through another campaign.
                    out.stop_enrollment(
                        s, &w, s.suppressed_reason == "bounced" ? "bounced" : "unsubscribed",
                        "address is on the organisation's suppression list (" +
                            s.suppressed_reason + ")");
                    break;
                }
                sends.push_back(&w);
                continue;
            case StepAction::skip:
                out.note(s, &w, "skip", plan.reason);
                out.advance(w, now, plan.reason);
                counters_.skipped++;
                spdlog::info("enrollment {} step {}: {}", s.enrollment_id, s.step_order,
                             plan.reason);
                break;
            case StepAction::already_sent:
                out.note(s, &w, "already-sent", plan.reason);
                out.advance(w, now, plan.reason);
                spdlog::info("enrollment {} step {}: {}", s.enrollment_id, s.step_order,
                             plan.reason);
                break;
            case StepAction::cancel:
                out.note(s, &w, "cancel", plan.reason);
                out.task(s, "cancelled", std::nullopt, 0, "cancelled: " + plan.reason);
                counters_.cancelled++;
                break;
            case StepAction::release:
                out.note(s, &w, "release", plan.reason);
                out.task(s, "pending", std::nullopt, -1, plan.reason);
                counters_.released++;
                break;
            case StepAction::hold:
                out.note(s, &w, "hold", plan.reason);
                out.task(s, "failed", std::nullopt, 0, plan.reason);
                counters_.held++;
                spdlog::warn("enrollment {} step {}: held for an operator: {}", s.enrollment_id,
                             s.step_order, plan.reason);
                break;
            case StepAction::defer:
                out.note(s, &w, "defer", plan.reason, plan.run_at);
                out.task(s, "pending", plan.run_at, -1, "deferred: " + plan.reason);
                counters_.deferred++;
                break;
        }
        w.done = true;
    }

    // 2. Variants: the stored one, else the winner of a concluded
    // experiment, else a stable weighted pick, stored on first use.
    std::vector<db::VariantChoice> wanted;
    for (auto* w : sends) {
        const auto& s = *w->step;
        if (s.assigned_variant_id || !s.experiment_id || s.variants.empty()) continue;
        std::string variant;
        if (s.experiment_status == "completed" && s.winner_variant_id) {
            variant = *s.winner_variant_id;
        } else {
            std::vector<int> weights;
            for (const auto& v : s.variants) weights.push_back(v.weight);
            variant = s.variants[pick_variant(*s.experiment_id, s.enrollment_id, weights)].id;
        }
        wanted.push_back(
            {s.organisation_id, s.enrollment_id, s.step_id, *s.experiment_id, variant});
    }
    spdlog::trace("batch of {}: planned at {:.1f} ms", claimed.size(), elapsed_ms());
    std::map<std::pair<std::string, std::string>, std::string> chosen;
    for (const auto& c : store_.assign_variants(wanted, to_micros(now)))
        chosen[{c.organisation_id, c.enrollment_id}] = c.variant_id;

    // 3. Generate (or reuse what an earlier attempt stored).
    std::vector<Work*> ready, to_generate;
    for (auto* w : sends) {
        const auto& s = *w->step;
        w->prompt_id = s.step_prompt_id;
        w->subject_template = s.step_subject_template;
        w->body_template = s.step_body_template;
        if (s.assigned_variant_id) {
            w->variant_id = s.assigned_variant_id;
            w->variant_label = s.assigned_label;
            w->prompt_id = s.assigned_prompt_id;
            w->subject_template = s.assigned_subject_template;
            w->body_template = s.assigned_body_template;
        } else if (const auto it = chosen.find({s.organisation_id, s.enrollment_id});
                   it != chosen.end()) {
            for (const auto& v : s.variants) {
                if (v.id != it->second) continue;
                w->variant_id = v.id;
                w->variant_label = v.label;
                w->prompt_id = v.prompt_id;
                w->subject_template = v.subject_template;
                w->body_template = v.body_template;
            }
        }
        w->recipient = !s.position_email.empty() ? s.position_email : s.person_email;
        if (w->recipient.empty()) {
            out.fail_enrollment(s, w, "permanent failure: the prospect has no email address");
            w->done = true;
            continue;
        }
        if (s.email_status == "invalid" || s.email_status == "bounced") {
            out.fail_enrollment(
                s, w,
                "permanent failure: address " + w->recipient + " is marked " + s.email_status);
            w->done = true;
            continue;
        }
        if (s.message_has_text) {
            // Generated on an earlier attempt and stored: sent as it is (the
            // write returns the stored text), never generated again.
            w->reuse_stored_text = true;
            ready.push_back(w);
            continue;
        }
        to_generate.push_back(w);
    }

    // How each prompt is generated, in one lookup for the batch.
    std::map<std::pair<std::string, std::string>, db::PromptGeneration> generation;
    if (!to_generate.empty()) {
        std::vector<std::pair<std::string, std::string>> keys;
        for (auto* w : to_generate) keys.emplace_back(w->step->organisation_id, w->prompt_id);
        for (auto& g : store_.prompt_generation(keys))
            generation[{g.organisation_id, g.prompt_id}] = std::move(g);
    }
    for (auto* w : to_generate) {
        const auto& s = *w->step;
        adapters::PromptSpec spec;
        spec.subject_template = w->subject_template;
        spec.body_template = w->body_template;
        if (const auto it = generation.find({s.organisation_id, w->prompt_id});
            it != generation.end()) {
            spec.generator = it->second.generator;
            spec.system_prompt = it->second.system_prompt;
            spec.model = it->second.model;
        }
        auto* generator = generators_.find(spec.generator);
        if (!generator) {
            out.fail_enrollment(s, w,
                                "permanent failure: prompt " + w->prompt_id + " uses generator '" +
                                    spec.generator +
                                    "', which this daemon does not have configured");
            w->done = true;
            continue;
        }
        const auto render_started = std::chrono::steady_clock::now();
        try {
            auto text = generator->generate(spec, variables_of(s, w->recipient, w->variant_label));
            w->subject = std::move(text.subject);
            w->body = std::move(text.body);
            w->body_html = text.body_html.empty()
                               ? adapters::paragraphs_to_html(adapters::html_escape(w->body))
                               : std::move(text.body_html);
        } catch (const adapters::GenerationError& e) {
            counters_.generation_seconds.observe(std::chrono::steady_clock::now() - render_started);
            if (!e.transient()) {
                out.fail_enrollment(s, w,
                                    std::string("permanent failure: ") + e.what() + " (prompt " +
                                        w->prompt_id + ")");
            } else {
                const auto plan =
                    plan_failure(FailureKind::transient, e.what(), s.attempts, s.max_attempts,
                                 clock_.now(), settings_.backoff, random_);
                if (plan.retry) {
                    out.note(s, w, "retry", "generation: " + plan.reason, plan.retry_at);
                    out.task(s, "pending", plan.retry_at, 0, "generation: " + plan.reason);
                    counters_.retried++;
                } else {
                    out.fail_enrollment(s, w, "generation: " + plan.reason);
                }
            }
            w->done = true;
            continue;
        }
        counters_.generation_seconds.observe(std::chrono::steady_clock::now() - render_started);
        if (s.thread_with_previous && s.thread_root_message_id) {
            w->in_reply_to = s.thread_root_message_id;
            w->subject = s.thread_root_subject.rfind("Re: ", 0) == 0
                             ? s.thread_root_subject
                             : "Re: " + s.thread_root_subject;
        }
        ready.push_back(w);
    }
    // Stored text keeps its threading: the root is the same as when it was written.
    for (auto* w : ready) {
        if (w->reuse_stored_text && w->step->thread_with_previous &&
            w->step->thread_root_message_id)
            w->in_reply_to = w->step->thread_root_message_id;
    }

    spdlog::trace("batch of {}: rendered at {:.1f} ms", claimed.size(), elapsed_ms());
    // Shutting down: give back whatever has not been committed to a send.
    if (stopping && stopping->load()) {
        for (auto* w : ready) {
            out.note(*w->step, w, "release", "released at shutdown before sending");
            out.task(*w->step, "pending", std::nullopt, -1,
                     std::string("released at shutdown before sending"));
            w->done = true;
        }
        counters_.released += ready.size();
        ready.clear();
    }

    // 4. The send transaction: still active? paced? under the daily limit?
    // It commits the batch to its sends and writes the first chunk 'sending'.
    std::map<std::pair<std::string, std::string>, Work*> by_enrollment;
    std::map<std::pair<std::string, std::string>, std::string>
        cap_day;  // enrollment -> campaign-local day
    std::vector<db::OutboundDraft> drafts;
    const auto chunk_size = static_cast<std::size_t>(std::max(1, settings_.in_flight_chunk));
    std::optional<db::EngineStore::Transaction> tx;
    if (!ready.empty()) {
        tx.emplace(store_);

        std::vector<std::pair<std::string, std::string>> keys;
        for (auto* w : ready) keys.emplace_back(w->step->organisation_id, w->step->enrollment_id);
        const auto active = tx->active_enrollments(keys);
        std::vector<Work*> go;
        for (auto* w : ready) {
            const std::pair key{w->step->organisation_id, w->step->enrollment_id};
            if (std::find(active.begin(), active.end(), key) == active.end()) {
                // Paused, stopped or replied since the claim: the next claim decides.
                out.note(*w->step, w, "release", "enrollment or campaign changed before sending");
                out.task(*w->step, "pending", std::nullopt, -1,
                         std::string("released: enrollment or campaign changed before sending"));
                counters_.released++;
                w->done = true;
            } else {
                go.push_back(w);
            }
        }

        if (settings_.spacing_max.count() > 0 && !go.empty()) {
            std::vector<db::SenderSlot> senders;
            for (auto* w : go)
                senders.push_back({w->step->organisation_id, w->step->from_email, 0});
            auto slots = tx->lock_senders(senders, to_micros(now));
            std::map<std::pair<std::string, std::string>, db::SenderSlot> by_sender;
            for (auto& slot : slots) by_sender[{slot.organisation_id, slot.from_email}] = slot;
            std::vector<Work*> paced;
            const auto wait =
                std::chrono::duration_cast<std::chrono::microseconds>(settings_.spacing_max);
            for (auto* w : go) {
                auto& slot = by_sender.at({w->step->organisation_id, w->step->from_email});
                if (slot.next_send_at <= to_micros(now)) {
                    const auto gap = random_.between(settings_.spacing_min.count(),
                                                     settings_.spacing_max.count());
                    slot.next_send_at = to_micros(now) + gap * 1000;
                    paced.push_back(w);
                } else {
                    // Its own slot at the end of this sender's queue, spacing_max
                    // after the one before (a send's gap is at most that), so it
                    // finds the sender free when it comes due.
                    const auto at = from_micros(std::max(slot.next_send_at, slot.queued_until));
                    slot.queued_until = to_micros(at + wait);
                    out.note(*w->step, w, "defer", "pacing sends of " + w->step->from_email, at);
                    out.task(*w->step, "pending", at, -1,
                             std::string("deferred: pacing sends of ") + w->step->from_email);
                    counters_.deferred++;
                    w->done = true;
                }
            }
            std::vector<db::SenderSlot> updated;
            for (const auto& [key, slot] : by_sender) updated.push_back(slot);
            tx->set_senders(updated);
            go = std::move(paced);
        }

        // Daily limit per campaign and campaign-local day.
        std::map<std::tuple<std::string, std::string, std::string>, std::vector<Work*>> groups;
        for (auto* w : go) {
            const auto day = format_day(local_day(now, w->campaign_zone));
            groups[{w->step->organisation_id, w->step->campaign_id, day}].push_back(w);
        }
        std::vector<db::DailyCapRequest> requests;
        for (const auto& [key, members] : groups)
            requests.push_back({std::get<0>(key), std::get<1>(key), std::get<2>(key),
                                static_cast<int>(members.size())});
        std::vector<Work*> granted;
        for (const auto& g : tx->reserve_daily(requests)) {
            auto& members = groups[{g.organisation_id, g.campaign_id, g.local_day}];
            for (std::size_t i = 0; i < members.size(); ++i) {
                auto* w = members[i];
                if (static_cast<int>(i) < g.granted) {
                    granted.push_back(w);
                    cap_day[{w->step->organisation_id, w->step->enrollment_id}] = g.local_day;
                } else {
                    const auto tomorrow = start_of_next_local_day(now, w->campaign_zone);
                    const auto at = next_window_time(tomorrow, w->window);
                    out.note(*w->step, w, "defer",
                             "daily send limit of " + std::to_string(w->step->daily_send_limit) +
                                 " reached for " + g.local_day,
                             at);
                    out.task(*w->step, "pending", at, -1,
                             "deferred: daily send limit of " +
                                 std::to_string(w->step->daily_send_limit) + " reached for " +
                                 g.local_day);
                    counters_.deferred++;
                    w->done = true;
                }
            }
        }
        // Keep the claim's run_at order for the sends.
        std::sort(granted.begin(), granted.end());  // pointers into `work`
        for (auto* w : granted) {
            const auto& s = *w->step;
            drafts.push_back({s.organisation_id, s.campaign_id, s.enrollment_id, s.step_id,
                              w->variant_id, w->prompt_id, s.from_email, w->recipient, w->subject,
                              w->body, w->in_reply_to, w->body_html, s.campaign_timezone,
                              cap_day[{s.organisation_id, s.enrollment_id}]});
            by_enrollment[{s.organisation_id, s.enrollment_id}] = w;
        }
    }

    // 5. Hand the emails over a chunk at a time. Each chunk is written
    // 'sending' (if enrollment and campaign are still active) in the
    // transaction that records the previous chunk's outcomes, so a crash
    // leaves at most one chunk with an unknown outcome.
    std::size_t recorded = 0, outcomes = 0;
    const auto give_back_cap = [&](const Work& w) {
        const auto& s = *w.step;
        out.batch.released_caps.push_back(
            {s.organisation_id, s.campaign_id, cap_day[{s.organisation_id, s.enrollment_id}], 1});
    };
    // Writes drafts [from, to) in the open transaction; returns those to send.
    const auto write_chunk = [&](std::size_t from, std::size_t to) {
        std::vector<db::OutboundDraft> chunk(drafts.begin() + static_cast<std::ptrdiff_t>(from),
                                             drafts.begin() + static_cast<std::ptrdiff_t>(to));
        std::vector<db::WrittenMessage> to_send;
        for (auto& r : tx->write_sending(chunk, settings_.message_id_domain,
                                         settings_.unknown_outcome == UnknownOutcomePolicy::resend,
                                         to_micros(now))) {
            auto* w = by_enrollment.at({r.organisation_id, r.enrollment_id});
            if (r.message) {
                to_send.push_back(std::move(*r.message));
                continue;
            }
            give_back_cap(*w);
            if (!r.active) {
                out.note(*w->step, w, "release", "enrollment or campaign changed before sending");
                out.task(*w->step, "pending", std::nullopt, -1,
                         std::string("released: enrollment or campaign changed before sending"));
                counters_.released++;
            } else {
                out.note(*w->step, w, "hold",
                         "the message for this step changed state while this task ran");
                out.task(*w->step, "failed", std::nullopt, 0,
                         std::string("held: the message for this step changed state while this "
                                     "task ran; check it"));
                counters_.held++;
            }
            w->done = true;
        }
        // In the drafts' order.
        std::sort(to_send.begin(), to_send.end(), [&](const auto& a, const auto& b) {
            return by_enrollment.at({a.organisation_id, a.enrollment_id}) <
                   by_enrollment.at({b.organisation_id, b.enrollment_id});
        });
        return to_send;
    };
    const auto flush = [&] {
        if (!tx) tx.emplace(store_);
        outcomes += out.batch.tasks.size();
        recorded += tx->finish(out.batch, settings_.instance_id, to_micros(clock_.now()));
        out.batch = {};
    };

    std::vector<db::WrittenMessage> in_flight;
    if (!drafts.empty()) in_flight = write_chunk(0, std::min(drafts.size(), chunk_size));
    for (std::size_t next = chunk_size;; next += chunk_size) {
        if (tx) {
            tx->commit();
            tx.reset();
        }
        for (const auto& m : in_flight) {
            auto* w = by_enrollment.at({m.organisation_id, m.enrollment_id});
            const auto& s = *w->step;
            w->subject = m.subject;  // the stored text's, on a retry
            adapters::OutboundEmail email;
            email.organisation_id = s.organisation_id;
            email.campaign_id = s.campaign_id;
            email.message_id = m.message_id;
            email.rfc_message_id = m.rfc_message_id;
            email.from_email = m.from_email;
            email.to_email = m.to_email;
            email.subject = m.subject;
            const auto sent_at = clock_.now();
            adapters::MimeFields mime;
            mime.from_email = m.from_email;
            mime.from_name = s.from_name;
            mime.to_email = m.to_email;
            mime.reply_to = s.reply_to;
            mime.subject = m.subject;
            mime.body_text = m.body;
            mime.body_html = m.body_html;
            mime.message_id = m.rfc_message_id;
            mime.in_reply_to = m.in_reply_to;
            if (m.in_reply_to) mime.references = {*m.in_reply_to};
            mime.date = std::chrono::floor<std::chrono::seconds>(sent_at);
            if (!m.tracking_token.empty() && !settings_.tracking_base_url.empty()) {
                mime.unsubscribe_url = settings_.tracking_base_url + "/u/" + m.tracking_token;
                if (s.track_opens && mime.body_html)
                    *mime.body_html += "\n<img src=\"" + settings_.tracking_base_url + "/o/" +
                                       m.tracking_token +
                                       ".gif\" width=\"1\" height=\"1\" alt=\"\" "
                                       "style=\"display:none\">";
            }
            if (!settings_.unsubscribe_mailto.empty())
                mime.unsubscribe_mailto = settings_.unsubscribe_mailto;
            email.mime = adapters::build_mime(mime);
            adapters::SendResult result;
            const auto send_started = std::chrono::steady_clock::now();
            try {
                result = adapter_.send(email);
            } catch (const std::exception& e) {
                result = adapters::SendResult::transient(std::string("adapter error: ") + e.what());
            }
            counters_.send_seconds.observe(std::chrono::steady_clock::now() - send_started);
            if (result.outcome == adapters::SendOutcome::sent) {
                out.batch.messages.push_back({m.organisation_id, m.message_id, "sent",
                                              to_micros(sent_at), result.provider_message_id,
                                              std::nullopt});
                out.note(s, w, "send", {}, std::nullopt, "sent", sent_at);
                out.advance(*w, sent_at, std::nullopt);
                counters_.sent++;
            } else {
                const auto kind = result.outcome == adapters::SendOutcome::permanent_failure
                                      ? FailureKind::permanent
                                      : FailureKind::transient;
                const auto plan = plan_failure(kind, result.reason, s.attempts, s.max_attempts,
                                               clock_.now(), settings_.backoff, random_);
                out.batch.messages.push_back(
                    {m.organisation_id, m.message_id, "failed", std::nullopt, "", plan.reason});
                counters_.send_failed++;
                give_back_cap(*w);
                out.note(s, w, "send", plan.reason,
                         plan.retry ? std::optional(plan.retry_at) : std::nullopt,
                         plan.retry ? "retry" : "failed", sent_at);
                if (plan.retry) {
                    out.task(s, "pending", plan.retry_at, 0, plan.reason);
                    counters_.retried++;
                    spdlog::info("enrollment {} step {}: {}", s.enrollment_id, s.step_order,
                                 plan.reason);
                } else {
                    out.fail_enrollment(s, w, plan.reason, true);
                }
            }
            w->done = true;
        }
        in_flight.clear();
        if (next >= drafts.size()) break;
        tx.emplace(store_);
        if (stopping && stopping->load()) {
            // Shutting down: what is not in flight yet goes back, slots too.
            for (std::size_t i = next; i < drafts.size(); ++i) {
                auto* w = by_enrollment.at({drafts[i].organisation_id, drafts[i].enrollment_id});
                out.note(*w->step, w, "release", "released at shutdown before sending");
                out.task(*w->step, "pending", std::nullopt, -1,
                         std::string("released at shutdown before sending"));
                give_back_cap(*w);
                counters_.released++;
                w->done = true;
            }
            break;
        }
        // This chunk's outcomes and the next chunk's 'sending' rows, together.
        flush();
        in_flight = write_chunk(next, std::min(drafts.size(), next + chunk_size));
    }

    flush();
    tx->commit();
    spdlog::trace("batch of {}: finished at {:.1f} ms", claimed.size(), elapsed_ms());
    if (recorded != outcomes) {
        spdlog::warn(
            "{} of {} task outcomes were not recorded: their lease passed to another daemon",
            outcomes - recorded, outcomes);
    }
    return claimed.size();
}

}  // namespace pf::scheduler
