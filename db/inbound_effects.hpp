#pragma once
// What a reply, a bounce or an automatic reply does to the enrollment it
// concerns, inside the caller's transaction: shared by the IMAP reader
// (db/inbound_store) and the tracking listener's webhooks
// (db/tracking_store), so both end sequences the same way.

#include <cstdint>
#include <optional>
#include <pqxx/transaction_base>
#include <string>
#include <vector>

namespace pf::db {

// Our outbound message an inbound one concerns, with what the effects need.
struct MatchedMessage {
    std::string organisation_id, campaign_id, enrollment_id, message_id;
    std::string to_email, from_email, mailbox_id, position_id;
};

// Bounce protection: hard bounces over the last `window_sends` sends of a
// mailbox or campaign, within `window_days`. The rate's denominator is at
// least window_sends, so a mailbox's first few sends cannot trip it alone.
struct EffectSettings {
    int window_sends = 50;
    int window_days = 7;
    double pause_percent = 3.0;
    int recent_recipient_days = 30;  // "From is a recent recipient of that mailbox"
};

struct EffectResult {
    bool matched = false;
    std::string organisation_id, enrollment_id, message_id, campaign_id;
    bool enrollment_ended = false;         // this event ended it (replied, bounced)
    int colleagues_stopped = 0;            // stop_on_company_reply
    std::optional<std::string> resume_at;  // out-of-office: the next step not before (ISO)
    std::optional<std::string> mailbox_paused, campaign_paused;  // bounce protection: the reason
};

struct ReplyFacts {
    std::string rfc_message_id;  // the reply's own id, without <>; may be empty
    std::string in_reply_to;     // the id it answers (ours), for the thread
    std::string from_email, to_email, subject, body_text;
    std::int64_t received_micros = 0;
};

struct BounceFacts {
    bool hard = true;
    std::string status, diagnostic;
};

// The outbound message any of `ids` names in the organisation (all of them
// when organisation_id is empty: the webhook's global ids), newest first.
std::optional<MatchedMessage> match_by_message_ids(pqxx::transaction_base& tx,
                                                   const std::string& organisation_id,
                                                   const std::vector<std::string>& ids);
// The newest message the mailbox sent to `email` in the last `days` days.
std::optional<MatchedMessage> match_recent_recipient(pqxx::transaction_base& tx,
                                                     const std::string& organisation_id,
                                                     const std::string& mailbox_id,
                                                     const std::string& email, int days,
                                                     std::int64_t now_micros);

// Records the reply on the thread (once per Message-ID), which ends the
// enrollment as replied; with stop_on_company_reply, ends the colleagues'.
EffectResult apply_reply(pqxx::transaction_base& tx, const MatchedMessage& m,
                         const ReplyFacts& reply);
// Hard: the message bounced (ends the enrollment), the position bounced,
// the address suppressed, then bounce protection. Soft: noted on the message.
EffectResult apply_bounce(pqxx::transaction_base& tx, const MatchedMessage& m,
                          const BounceFacts& bounce, const EffectSettings& settings,
                          std::int64_t now_micros);
// An out-of-office: with a return date, the pending next step waits until
// that date plus the campaign's ooo_resume_delay_days (midnight in the
// campaign's zone); without one, nothing changes.
EffectResult apply_auto_reply(pqxx::transaction_base& tx, const MatchedMessage& m,
                              const std::optional<std::string>& return_date);

}  // namespace pf::db

namespace pf::db {

// Pure: whether `hard` bounces in `sends` recent sends reach the pause
// threshold, and the reason to record ("3 hard bounces in the last 50 sends
// (6.0 %) reached 3.0 %").
struct BounceRateVerdict {
    bool pause = false;
    std::string reason;
};
BounceRateVerdict judge_bounce_rate(int hard, int sends, const EffectSettings& settings);

}  // namespace pf::db
