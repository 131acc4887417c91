#include "scheduler/step_runner.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <optional>

#include "adapters/email_composer.hpp"
#include "scheduler/batch_recorder.hpp"
#include "scheduler/handover.hpp"
#include "scheduler/mailbox_assignment.hpp"
#include "scheduler/send_reservation.hpp"
#include "scheduler/step_planner.hpp"
#include "scheduler/variant_assigner.hpp"

namespace pf::scheduler {
namespace {

using Key = std::pair<std::string, std::string>;

// Sends written in the reservation's transaction (see reserve_and_hand_over).
constexpr std::size_t kWrittenWithReservation = 4;

// The sender is the mailbox the email will most likely go from (the
// preview's), else the campaign's.
adapters::ProspectFacts prospect_facts(const StepWork& w) {
    const auto& s = w.step;
    const auto& name =
        w.mailbox && !w.mailbox->display_name.empty() ? w.mailbox->display_name : s.from_name;
    return {
        s.first_name,   s.last_name,      w.recipient,        s.position_title, s.position_email,
        s.company_name, s.company_siren,  s.company_naf_code, s.company_domain, s.campaign_name,
        name,           w.sender_email(), s.step_order,       w.variant_label};
}

// A follow-up threads under the enrollment's first sent email. Stored text
// (a retry) keeps the subject it was written with.
void thread_with_root(StepWork& w) {
    const auto& s = w.step;
    if (!s.thread_with_previous || !s.thread_root_message_id) return;
    w.in_reply_to = s.thread_root_message_id;
    if (!w.reuse_stored_text) w.subject = adapters::reply_subject(s.thread_root_subject);
}

}  // namespace

StepRunner::StepRunner(db::EngineStore& store, adapters::SendAdapter& adapter,
                       const adapters::GeneratorSet& generators, const Clock& clock,
                       RandomSource& random, const EngineSettings& settings,
                       EngineCounters& counters, PipelineState* pipeline)
    : store_(store),
      adapter_(adapter),
      generators_(generators),
      clock_(clock),
      random_(random),
      settings_(settings),
      counters_(counters),
      pipeline_(pipeline ? *pipeline : own_pipeline_) {}

std::size_t StepRunner::run_batch(const std::atomic<bool>* stopping) {
    const auto now = clock_.now();
    BatchRecorder recorder(clock_, settings_.instance_id);
    const auto batch = claim(now, recorder);
    if (batch->empty()) return finish_in_flight();
    OutcomeWriter out(counters_, observer_, now);

    const auto sends = plan(*batch, now, out);
    assign(sends, now);
    preview_senders(sends, now, out);
    auto ready = compose(sends, out);
    if (stopping && stopping->load()) {
        // Shutting down: give back whatever has not been committed to a send.
        for (auto* w : ready)
            out.released(*w, "released at shutdown before sending",
                         "released at shutdown before sending");
        ready.clear();
    }
    reserve_and_hand_over(batch, std::move(ready), now, out, recorder, stopping);
    recorder.report_lost_leases();
    return batch->size();
}

std::size_t StepRunner::finish_in_flight() {
    if (pipeline_.idle()) return 0;
    OutcomeWriter out(counters_, observer_, clock_.now());
    BatchRecorder recorder(clock_, settings_.instance_id);
    const HandoverParts parts{store_, adapter_, clock_, random_, settings_, counters_};
    Handover(parts, pipeline_, out, recorder).collect_all();
    db::EngineStore::Transaction tx(store_);
    const auto written = recorder.record(tx, pipeline_, out);
    tx.commit();
    pipeline_.written();
    recorder.report_lost_leases();
    return written;
}

// The claim's transaction also writes the outcomes carried from the last
// batch: one commit for both.
std::shared_ptr<std::vector<StepWork>> StepRunner::claim(TimePoint now, BatchRecorder& recorder) {
    db::EngineStore::Transaction tx(store_);
    recorder.record(tx, pipeline_);
    auto claimed = tx.claim(to_micros(now), settings_.batch_size, settings_.instance_id,
                            settings_.lease_seconds);
    tx.commit();
    pipeline_.written();
    auto batch = std::make_shared<std::vector<StepWork>>(claimed.size());
    for (std::size_t i = 0; i < claimed.size(); ++i) {
        counters_.claim_lag_seconds.observe(
            now - from_micros(std::min(claimed[i].run_at, to_micros(now))));
        (*batch)[i].step = std::move(claimed[i]);
    }
    counters_.claimed += batch->size();
    return batch;
}

// The reservation's daily-limit and pacing rows are each campaign's and
// sender's hot spot, locked until commit. A few sends are written in the
// reservation's own transaction (one commit less, for a trickle of due
// steps); more commit the reservation first, since holding those locks
// while a whole chunk of messages is written serialised every worker on
// them. A crash between the two transactions leaves slots reserved for
// sends that never went: the day sends fewer, never more. The batch's other
// outcomes are written with the last chunk's, or carried to the next claim
// when nothing was sent.
void StepRunner::reserve_and_hand_over(const std::shared_ptr<std::vector<StepWork>>& batch,
                                       std::vector<StepWork*> ready, TimePoint now,
                                       OutcomeWriter& out, BatchRecorder& recorder,
                                       const std::atomic<bool>* stopping) {
    const HandoverParts parts{store_, adapter_, clock_, random_, settings_, counters_};
    Handover handover(parts, pipeline_, out, recorder);
    handover.collect_ready();
    std::optional<db::EngineStore::Transaction> tx;
    std::vector<StepWork*> reserved;
    if (!ready.empty()) {
        tx.emplace(store_);
        reserved = SendReservation(*tx, settings_, random_, now, out).reserve(std::move(ready));
        if (reserved.size() > kWrittenWithReservation) {
            recorder.record(*tx, pipeline_, out);
            tx->commit();
            tx.reset();
            pipeline_.written();
        }
    }
    handover.run(tx, batch, reserved, stopping);
    if (!tx) {
        pipeline_.carry(out.take());
        return;
    }
    recorder.record(*tx, pipeline_, out);
    tx->commit();
    pipeline_.written();
}

// Asked before the mailbox is chosen: a step of a campaign with a pool, or
// of an enrollment with a mailbox, may go through a mailbox's own SMTP
// account, which never is idempotent; otherwise the route by campaign and
// sender decides.
bool StepRunner::adapter_is_idempotent(const StepWork& w) const {
    if (w.step.campaign_has_pool || w.step.enrollment_mailbox_id) return false;
    adapters::OutboundEmail probe;
    probe.organisation_id = w.step.organisation_id;
    probe.campaign_id = w.step.campaign_id;
    probe.from_email = w.step.from_email;
    return adapter_.idempotent(probe);
}

std::vector<StepWork*> StepRunner::plan(std::vector<StepWork>& batch, TimePoint now,
                                        OutcomeWriter& out) {
    std::vector<StepWork*> sends;
    for (auto& w : batch) {
        w.idempotent_adapter = adapter_is_idempotent(w);
        const auto p = plan_task(w, settings_.unknown_outcome, now);
        switch (p.action) {
            case TaskAction::send:
                sends.push_back(&w);
                break;
            case TaskAction::skip:
                out.skipped(w, p.reason);
                break;
            case TaskAction::already_sent:
                out.already_sent(w, p.reason);
                break;
            case TaskAction::cancel:
                out.cancelled(w, p.reason);
                break;
            case TaskAction::release:
                out.released(w, p.reason, p.reason);
                break;
            case TaskAction::hold:
                out.held(w, p.reason, p.reason);
                break;
            case TaskAction::defer:
                out.deferred(w, p.run_at, p.reason);
                break;
            case TaskAction::stop:
                out.stopped(w, p.stop_status, p.reason);
                break;
            case TaskAction::fail:
                out.failed(w, p.reason);
                break;
        }
    }
    return sends;
}

void StepRunner::assign(const std::vector<StepWork*>& sends, TimePoint now) {
    std::vector<db::VariantChoice> wanted;
    for (auto* w : sends)
        if (auto choice = first_use_variant(w->step)) wanted.push_back(std::move(*choice));
    std::map<Key, std::string> chosen;
    for (const auto& c : store_.assign_variants(wanted, to_micros(now)))
        chosen[{c.organisation_id, c.enrollment_id}] = c.variant_id;
    for (auto* w : sends) {
        const auto it = chosen.find({w->step.organisation_id, w->step.enrollment_id});
        apply_variant(*w, it == chosen.end() ? std::nullopt : std::optional(it->second));
    }
}

void StepRunner::preview_senders(const std::vector<StepWork*>& sends, TimePoint now,
                                 OutcomeWriter& out) {
    const bool any = std::any_of(sends.begin(), sends.end(), [](const StepWork* w) {
        return w->step.campaign_has_pool || w->step.enrollment_mailbox_id;
    });
    if (!any) return;
    db::EngineStore::Transaction tx(store_);
    MailboxAssignment(tx, settings_, now, out).preview(sends);
    tx.commit();
}

std::vector<StepWork*> StepRunner::compose(const std::vector<StepWork*>& sends,
                                           OutcomeWriter& out) {
    std::vector<StepWork*> stored, to_generate;
    for (auto* w : sends) {
        if (const auto problem = address_problem(*w)) {
            out.failed(*w, *problem);
        } else if (w->step.message_has_text) {
            // Generated on an earlier attempt and stored: sent as it is (the
            // write returns the stored text), never generated again.
            w->reuse_stored_text = true;
            stored.push_back(w);
        } else {
            to_generate.push_back(w);
        }
    }
    // Stored texts first, then the generated ones: the order reservation
    // takes pacing slots and daily-limit slots in (replays depend on it).
    auto ready = std::move(stored);
    for (auto* w : generate(to_generate, out)) ready.push_back(w);
    for (auto* w : ready) thread_with_root(*w);
    return ready;
}

std::vector<StepWork*> StepRunner::generate(const std::vector<StepWork*>& sends,
                                            OutcomeWriter& out) {
    // How each prompt is generated, in one lookup for the batch.
    std::map<Key, db::PromptGeneration> generation;
    if (!sends.empty()) {
        std::vector<Key> keys;
        for (auto* w : sends) keys.emplace_back(w->step.organisation_id, w->prompt_id);
        for (auto& g : store_.prompt_generation(keys))
            generation[{g.organisation_id, g.prompt_id}] = std::move(g);
    }
    std::vector<StepWork*> ready;
    for (auto* w : sends) {
        adapters::PromptSpec spec;
        spec.subject_template = w->subject_template;
        spec.body_template = w->body_template;
        if (const auto it = generation.find({w->step.organisation_id, w->prompt_id});
            it != generation.end()) {
            spec.generator = it->second.generator;
            spec.system_prompt = it->second.system_prompt;
            spec.model = it->second.model;
        }
        if (generate_one(*w, spec, out)) ready.push_back(w);
    }
    return ready;
}

bool StepRunner::generate_one(StepWork& w, const adapters::PromptSpec& prompt, OutcomeWriter& out) {
    auto* generator = generators_.find(prompt.generator);
    if (!generator) {
        out.failed(w, "permanent failure: prompt " + w.prompt_id + " uses generator '" +
                          prompt.generator + "', which this daemon does not have configured");
        return false;
    }
    const auto started = std::chrono::steady_clock::now();
    try {
        auto text = adapters::compose_text(*generator, prompt,
                                           adapters::template_variables(prospect_facts(w)));
        counters_.generation_seconds.observe(std::chrono::steady_clock::now() - started);
        w.subject = std::move(text.subject);
        w.body = std::move(text.body);
        w.body_html = std::move(text.body_html);
        return true;
    } catch (const adapters::GenerationError& e) {
        counters_.generation_seconds.observe(std::chrono::steady_clock::now() - started);
        if (!e.transient()) {
            out.failed(
                w, std::string("permanent failure: ") + e.what() + " (prompt " + w.prompt_id + ")");
            return false;
        }
        const auto plan =
            plan_failure(FailureKind::transient, e.what(), w.step.attempts, w.step.max_attempts,
                         clock_.now(), settings_.backoff, random_);
        if (plan.retry)
            out.generation_retry(w, plan);
        else
            out.failed(w, "generation: " + plan.reason);
        return false;
    }
}

}  // namespace pf::scheduler
