#include "scheduler/handover.hpp"

#include <algorithm>
#include <map>

#include "adapters/email_composer.hpp"

namespace pf::scheduler {
namespace {

db::OutboundDraft draft_of(const StepWork& w) {
    const auto& s = w.step;
    return {s.organisation_id,
            s.campaign_id,
            s.enrollment_id,
            s.step_id,
            w.variant_id,
            w.prompt_id,
            w.sender_email(),
            w.recipient,
            w.subject,
            w.body,
            w.in_reply_to,
            w.body_html,
            s.campaign_timezone,
            w.cap_day,
            w.mailbox ? std::optional(w.mailbox->id) : std::nullopt};
}

adapters::MailboxAccount account_of(const db::MailboxRow& m) {
    return {m.id,        m.email,  m.smtp_url,        m.smtp_security,  m.smtp_username,
            m.auth_kind, m.secret, m.oauth_token_url, m.oauth_client_id};
}

}  // namespace

void Handover::run(std::optional<db::EngineStore::Transaction>& tx,
                   const std::shared_ptr<std::vector<StepWork>>& batch,
                   const std::vector<StepWork*>& sends, const std::atomic<bool>* stopping) {
    const auto limit = static_cast<std::size_t>(std::max(1, parts_.settings.in_flight_chunk));
    const std::span<StepWork* const> all(sends);
    for (std::size_t from = 0; from < all.size();) {
        collect_ready();
        while (state_.emails >= limit) collect_oldest();  // room for at least one
        const auto chunk = all.subspan(from, std::min(limit - state_.emails, all.size() - from));
        if (!tx) {
            tx.emplace(parts_.store);
            if (stopping && stopping->load()) {
                // Shutting down: what is not in flight yet goes back, slots too.
                release_unwritten(all.subspan(from));
                return;
            }
        }
        // Earlier outcomes and this chunk's 'sending' rows, together.
        recorder_.record(*tx, state_, out_);
        auto emails = write_chunk(*tx, chunk);
        tx->commit();
        tx.reset();
        state_.written();
        hand_over(batch, std::move(emails));
        from += chunk.size();
    }
    collect_ready();
}

std::vector<InFlightEmail> Handover::write_chunk(db::EngineStore::Transaction& tx,
                                                 std::span<StepWork* const> chunk) {
    std::vector<db::OutboundDraft> drafts;
    std::map<std::pair<std::string, std::string>, StepWork*> by_enrollment;
    const auto& settings = parts_.settings;
    for (auto* w : chunk) {
        drafts.push_back(draft_of(*w));
        drafts.back().resend_in_flight =
            settings.unknown_outcome == UnknownOutcomePolicy::resend || w->idempotent_adapter;
        by_enrollment[{w->step.organisation_id, w->step.enrollment_id}] = w;
    }
    std::vector<InFlightEmail> written;
    for (auto& r : tx.write_sending(drafts, settings.message_id_domain,
                                    to_micros(parts_.clock.now()), settings.instance_id)) {
        auto* w = by_enrollment.at({r.organisation_id, r.enrollment_id});
        if (r.message)
            written.push_back({w, std::move(*r.message)});
        else
            not_written(*w, r.active);
    }
    // In the claim's order (pointers into the batch).
    std::sort(written.begin(), written.end(),
              [](const InFlightEmail& a, const InFlightEmail& b) { return a.work < b.work; });
    return written;
}

void Handover::not_written(StepWork& w, bool still_active) {
    out_.give_back_daily_slot(w);
    if (!still_active) {
        // Also when this instance lost the task's lease (rescued by another
        // daemon's janitor): then the outcome written here changes nothing,
        // since pf_finish_tasks only updates tasks still leased to us.
        out_.released(w, "enrollment or campaign changed before sending",
                      "released: enrollment or campaign changed before sending");
        return;
    }
    out_.held(w, "the message for this step changed state while this task ran",
              "held: the message for this step changed state while this task ran; check it");
}

void Handover::hand_over(const std::shared_ptr<std::vector<StepWork>>& batch,
                         std::vector<InFlightEmail> emails) {
    if (emails.empty()) return;
    const auto count = emails.size();
    InFlightChunk chunk{batch, std::move(emails), std::make_shared<adapters::PendingSends>(count),
                        parts_.clock.now()};
    std::vector<adapters::OutboundEmail> outbound;
    for (auto& e : chunk.emails) {
        e.work->subject = e.message.subject;  // the stored text's, on a retry
        outbound.push_back(outbound_email(e, chunk.sent_at));
    }
    // Each email's time to its result, as the adapter reports it.
    auto collect = chunk.results->callback();
    const auto started = std::chrono::steady_clock::now();
    auto& histogram = parts_.counters.send_seconds;
    state_.emails += chunk.emails.size();
    state_.chunks.push_back(std::move(chunk));
    parts_.adapter.send_many(std::move(outbound),
                             [collect, started, &histogram](std::size_t i, adapters::SendResult r) {
                                 histogram.observe(std::chrono::steady_clock::now() - started);
                                 collect(i, std::move(r));
                             });
}

adapters::OutboundEmail Handover::outbound_email(const InFlightEmail& e, TimePoint sent_at) const {
    const auto& s = e.work->step;
    const auto& m = e.message;
    const auto& mailbox = e.work->mailbox;
    const auto& from_name =
        mailbox && !mailbox->display_name.empty() ? mailbox->display_name : s.from_name;
    adapters::OutgoingEmail outgoing{
        m.from_email, from_name,        m.to_email,    s.reply_to,       m.subject,    m.body,
        m.body_html,  m.rfc_message_id, m.in_reply_to, m.tracking_token, s.track_opens};
    const adapters::TrackingLinks links{parts_.settings.tracking_base_url,
                                        parts_.settings.unsubscribe_mailto};
    adapters::OutboundEmail email;
    email.organisation_id = s.organisation_id;
    email.campaign_id = s.campaign_id;
    email.message_id = m.message_id;
    email.rfc_message_id = m.rfc_message_id;
    email.from_email = m.from_email;
    email.to_email = m.to_email;
    email.subject = m.subject;
    email.mime =
        adapters::compose_mime(outgoing, links, std::chrono::floor<std::chrono::seconds>(sent_at));
    if (mailbox) email.mailbox = account_of(*mailbox);
    return email;
}

void Handover::collect_ready() {
    while (!state_.chunks.empty() && state_.chunks.front().results->ready()) collect_oldest();
}

void Handover::collect_all() {
    while (!state_.chunks.empty()) collect_oldest();
}

void Handover::collect_oldest() {
    auto chunk = std::move(state_.chunks.front());
    state_.chunks.pop_front();
    const auto results = chunk.results->wait();
    for (std::size_t i = 0; i < chunk.emails.size(); ++i)
        record_result(chunk.emails[i], results[i], chunk.sent_at);
    state_.emails -= chunk.emails.size();
}

void Handover::record_result(const InFlightEmail& e, const adapters::SendResult& result,
                             TimePoint sent_at) {
    const auto& s = e.work->step;
    if (result.outcome == adapters::SendOutcome::sent) {
        out_.sent(*e.work, e.message.message_id, sent_at, result.provider_message_id);
        if (e.work->mailbox) out_.mailbox_ok(*e.work);
        return;
    }
    if (e.work->mailbox && result.sender_problem != adapters::SenderProblem::none) {
        mailbox_unavailable(e, result);
        return;
    }
    if (e.work->mailbox) parts_.counters.mailboxes.count(e.work->mailbox->email, false, false);
    const auto kind = result.outcome == adapters::SendOutcome::permanent_failure
                          ? FailureKind::permanent
                          : FailureKind::transient;
    const auto plan = plan_failure(kind, result.reason, s.attempts, s.max_attempts,
                                   parts_.clock.now(), parts_.settings.backoff, parts_.random);
    out_.send_failed(*e.work, e.message.message_id, sent_at, plan);
}

// Nothing was handed over. After a refused login, an enrollment never
// contacted is tried again at once (and finds the mailbox in error and
// another of its pool); a contacted one waits for the mailbox's owner. A
// connection failure is retried after the usual backoff, without counting
// an attempt.
void Handover::mailbox_unavailable(const InFlightEmail& e, const adapters::SendResult& result) {
    const auto& w = *e.work;
    const auto now = parts_.clock.now();
    const bool auth = result.sender_problem == adapters::SenderProblem::authentication;
    const auto retry_at =
        !auth ? now + std::chrono::duration_cast<std::chrono::microseconds>(retry_delay(
                          std::max(1, w.step.attempts), parts_.settings.backoff, parts_.random))
        : w.step.contacted ? now + parts_.settings.mailbox_retry
                           : now;
    out_.mailbox_unavailable(w, e.message.message_id, retry_at,
                             auth ? "authentication" : "connection", result.reason,
                             parts_.settings.mailbox_failures_to_error);
}

void Handover::release_unwritten(std::span<StepWork* const> rest) {
    for (auto* w : rest) {
        out_.released(*w, "released at shutdown before sending",
                      "released at shutdown before sending");
        out_.give_back_daily_slot(*w);
    }
}

}  // namespace pf::scheduler
