#include "db/inbound_effects.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <pqxx/pqxx>

#include "db/pg_array.hpp"
#include "db/row_reader.hpp"

namespace pf::db {
namespace {

constexpr const char* kMatchColumns = R"sql(
SELECT m.organisation_id, m.campaign_id, m.enrollment_id, m.id AS message_id,
       m.to_email::text AS to_email, m.from_email::text AS from_email,
       coalesce(m.mailbox_id::text, '') AS mailbox_id, coalesce(e.position_id::text, '') AS position_id
FROM outreach.messages m
JOIN outreach.campaign_enrollments e ON e.organisation_id = m.organisation_id AND e.id = m.enrollment_id
)sql";

std::optional<MatchedMessage> first_match(const pqxx::result& rows) {
    if (rows.empty()) return std::nullopt;
    const RowReader in(rows);
    const auto& r = rows[0];
    return MatchedMessage{in.text(r, "organisation_id"), in.text(r, "campaign_id"),
                          in.text(r, "enrollment_id"),   in.text(r, "message_id"),
                          in.text(r, "to_email"),        in.text(r, "from_email"),
                          in.text(r, "mailbox_id"),      in.text(r, "position_id")};
}

EffectResult result_for(const MatchedMessage& m) {
    EffectResult r;
    r.matched = true;
    r.organisation_id = m.organisation_id;
    r.enrollment_id = m.enrollment_id;
    r.message_id = m.message_id;
    r.campaign_id = m.campaign_id;
    return r;
}

bool enrollment_is_open(pqxx::transaction_base& tx, const MatchedMessage& m) {
    const auto rows = tx.exec_params(R"sql(
SELECT 1 FROM outreach.campaign_enrollments
WHERE organisation_id = $1 AND id = $2 AND status IN ('active', 'paused'))sql",
                                     m.organisation_id, m.enrollment_id);
    return !rows.empty();
}

bool stops_on_company_reply(pqxx::transaction_base& tx, const MatchedMessage& m) {
    const auto rows = tx.exec_params(R"sql(
SELECT stop_on_company_reply FROM outreach.campaigns WHERE organisation_id = $1 AND id = $2)sql",
                                     m.organisation_id, m.campaign_id);
    return !rows.empty() && rows[0][0].as<bool>();
}

// stop_on_company_reply: the other open enrollments of the campaign whose
// position is at the replier's company (positions_company_idx, then
// campaign_enrollments_position_idx). Asked first: most campaigns do not
// want it, and the join is not free for a company with thousands of people.
int stop_colleagues(pqxx::transaction_base& tx, const MatchedMessage& m) {
    if (m.position_id.empty() || !stops_on_company_reply(tx, m)) return 0;
    const auto rows = tx.exec_params(R"sql(
UPDATE outreach.campaign_enrollments e
SET status = 'removed', finished_at = now(),
    last_error = 'stopped: ' || $4::text || ' of the same company replied'
FROM crm.positions replier, crm.positions colleague
WHERE replier.organisation_id = $1 AND replier.id = $3::uuid
  AND colleague.organisation_id = $1 AND colleague.company_id = replier.company_id
  AND e.organisation_id = $1 AND e.position_id = colleague.id
  AND e.campaign_id = $2 AND e.id <> $5::uuid AND e.status IN ('active', 'paused')
RETURNING e.id)sql",
                                     m.organisation_id, m.campaign_id, m.position_id, m.to_email,
                                     m.enrollment_id);
    return static_cast<int>(rows.size());
}

struct SendCount {
    int sends = 0, hard = 0;
};

// The last window_sends sends of the mailbox (or campaign) within window_days
// (of now_micros; 0: the database's clock, for the webhooks).
SendCount recent_sends(pqxx::transaction_base& tx, const std::string& organisation_id,
                       const std::string& column, const std::string& id,
                       const EffectSettings& settings, std::int64_t now_micros) {
    const auto sql = fmt::format(R"sql(
SELECT count(*)::int AS sends, count(*) FILTER (WHERE status = 'bounced')::int AS hard
FROM (SELECT status FROM outreach.messages
      WHERE organisation_id = $1 AND {} = $2::uuid AND direction = 'outbound'
        AND sent_at >= (CASE WHEN $3::bigint > 0 THEN pf_from_micros($3) ELSE now() END)
                       - make_interval(days => $4)
      ORDER BY sent_at DESC LIMIT $5) recent)sql",
                                 column);
    const auto rows = tx.exec_params(sql, organisation_id, id, now_micros, settings.window_days,
                                     settings.window_sends);
    const RowReader in(rows);
    return {in.get<int>(rows[0], "sends"), in.get<int>(rows[0], "hard")};
}

// What bounce protection stops: the mailbox (to error: its sends wait, the
// pool goes on) or the campaign (to paused).
struct ProtectedTarget {
    const char* message_column;  // of outreach.messages
    const char* pause_sql;       // $1 organisation, $2 id, $3 reason
};
constexpr ProtectedTarget kMailboxTarget{"mailbox_id", R"sql(
UPDATE outreach.mailboxes SET status = 'error', status_reason = $3, status_changed_at = now()
WHERE organisation_id = $1 AND id = $2 AND status = 'active' RETURNING id)sql"};
constexpr ProtectedTarget kCampaignTarget{"campaign_id", R"sql(
UPDATE outreach.campaigns SET status = 'paused', status_reason = $3
WHERE organisation_id = $1 AND id = $2 AND status = 'active' RETURNING id)sql"};

// The reason when this bounce paused the target; nothing when its rate is
// under the threshold or it was not active.
std::optional<std::string> protect(pqxx::transaction_base& tx, const ProtectedTarget& target,
                                   const std::string& organisation_id, const std::string& id,
                                   const EffectSettings& settings, std::int64_t now_micros) {
    if (id.empty()) return std::nullopt;
    const auto count =
        recent_sends(tx, organisation_id, target.message_column, id, settings, now_micros);
    const auto verdict = judge_bounce_rate(count.hard, count.sends, settings);
    if (!verdict.pause) return std::nullopt;
    const auto rows = tx.exec_params(target.pause_sql, organisation_id, id,
                                     "bounce protection: " + verdict.reason);
    if (rows.empty()) return std::nullopt;
    return verdict.reason;
}

}  // namespace

BounceRateVerdict judge_bounce_rate(int hard, int sends, const EffectSettings& settings) {
    const int denominator = std::max({sends, settings.window_sends, 1});
    const double percent = 100.0 * hard / denominator;
    BounceRateVerdict v;
    v.pause = hard > 0 && percent >= settings.pause_percent;
    v.reason =
        fmt::format("{} hard bounce(s) in the last {} send(s) ({:.1f} % of {}) reached {:.1f} %",
                    hard, sends, percent, denominator, settings.pause_percent);
    return v;
}

std::optional<MatchedMessage> match_by_message_ids(pqxx::transaction_base& tx,
                                                   const std::string& organisation_id,
                                                   const std::vector<std::string>& ids) {
    if (ids.empty()) return std::nullopt;
    // Two statements, not one with "($1 = '' OR ...)": that OR kept the
    // planner off the (organisation_id, rfc_message_id) key, and a reader
    // walked every outbound message of the organisation per inbound one.
    constexpr const char* kInOrganisation = R"sql(
WHERE m.organisation_id = $1::uuid AND m.rfc_message_id = ANY ($2::text[]) AND m.direction = 'outbound'
ORDER BY m.sent_at DESC NULLS LAST
LIMIT 1)sql";
    constexpr const char* kAnywhere = R"sql(
WHERE m.rfc_message_id = ANY ($1::text[]) AND m.direction = 'outbound'
ORDER BY m.sent_at DESC NULLS LAST
LIMIT 1)sql";
    if (organisation_id.empty())
        return first_match(tx.exec_params(std::string(kMatchColumns) + kAnywhere, to_pg_array(ids)));
    return first_match(tx.exec_params(std::string(kMatchColumns) + kInOrganisation, organisation_id,
                                      to_pg_array(ids)));
}

std::optional<MatchedMessage> match_recent_recipient(pqxx::transaction_base& tx,
                                                     const std::string& organisation_id,
                                                     const std::string& mailbox_id,
                                                     const std::string& email, int days,
                                                     std::int64_t now_micros) {
    if (email.empty()) return std::nullopt;
    const auto rows = tx.exec_params(std::string(kMatchColumns) + R"sql(
WHERE m.organisation_id = $1 AND m.mailbox_id = $2::uuid AND m.direction = 'outbound'
  AND m.to_email = $3::citext AND m.sent_at >= pf_from_micros($4) - make_interval(days => $5)
ORDER BY m.sent_at DESC
LIMIT 1)sql",
                                     organisation_id, mailbox_id, email, now_micros, days);
    return first_match(rows);
}

EffectResult apply_reply(pqxx::transaction_base& tx, const MatchedMessage& m,
                         const ReplyFacts& reply) {
    auto result = result_for(m);
    result.enrollment_ended = enrollment_is_open(tx, m);
    // Once per reply Message-ID; the insert's trigger ends the enrollment
    // as replied.
    tx.exec_params(R"sql(
INSERT INTO outreach.messages
    (organisation_id, campaign_id, enrollment_id, parent_message_id, direction, status, from_email,
     to_email, subject, body_text, rfc_message_id, in_reply_to, received_at, mailbox_id)
VALUES ($1, $2, $3, $4, 'inbound', 'received', coalesce(nullif($5, ''), $6), coalesce(nullif($7, ''), $8),
        nullif($9, ''), nullif($10, ''), coalesce(nullif($11, ''), gen_random_uuid()::text || '@reply.invalid'),
        nullif($12, ''), CASE WHEN $13::bigint > 0 THEN pf_from_micros($13) ELSE now() END, nullif($14, '')::uuid)
ON CONFLICT (organisation_id, rfc_message_id) DO NOTHING)sql",
                   m.organisation_id, m.campaign_id, m.enrollment_id, m.message_id,
                   reply.from_email, m.to_email, reply.to_email, m.from_email, reply.subject,
                   reply.body_text, reply.rfc_message_id, reply.in_reply_to, reply.received_micros,
                   m.mailbox_id);
    result.colleagues_stopped = stop_colleagues(tx, m);
    return result;
}

EffectResult apply_bounce(pqxx::transaction_base& tx, const MatchedMessage& m,
                          const BounceFacts& bounce, const EffectSettings& settings,
                          std::int64_t now_micros) {
    auto result = result_for(m);
    const std::string why = std::string(bounce.hard ? "hard" : "soft") + " bounce " +
                            bounce.status +
                            (bounce.diagnostic.empty() ? "" : ": " + bounce.diagnostic);
    if (!bounce.hard) {
        // A soft bounce may pass: noted on the message, the sequence goes on.
        tx.exec_params(
            "UPDATE outreach.messages SET last_error = $3 WHERE organisation_id = $1 AND id = $2",
            m.organisation_id, m.message_id, why);
        return result;
    }
    result.enrollment_ended = enrollment_is_open(tx, m);
    // The status change's trigger ends the enrollment as bounced.
    tx.exec_params(R"sql(
UPDATE outreach.messages SET status = 'bounced', last_error = $3, sent_at = coalesce(sent_at, now())
WHERE organisation_id = $1 AND id = $2)sql",
                   m.organisation_id, m.message_id, why);
    if (!m.position_id.empty())
        tx.exec_params(R"sql(
UPDATE crm.positions SET email_status = 'bounced' WHERE organisation_id = $1 AND id = $2::uuid)sql",
                       m.organisation_id, m.position_id);
    tx.exec_params(R"sql(
INSERT INTO tracking.suppressions (organisation_id, email, reason, source_message_id)
VALUES ($1, $2, 'bounced', $3)
ON CONFLICT (organisation_id, email) DO NOTHING)sql",
                   m.organisation_id, m.to_email, m.message_id);
    result.mailbox_paused =
        protect(tx, kMailboxTarget, m.organisation_id, m.mailbox_id, settings, now_micros);
    result.campaign_paused =
        protect(tx, kCampaignTarget, m.organisation_id, m.campaign_id, settings, now_micros);
    return result;
}

EffectResult apply_auto_reply(pqxx::transaction_base& tx, const MatchedMessage& m,
                              const std::optional<std::string>& return_date) {
    auto result = result_for(m);
    if (!return_date) return result;
    // Midnight of (return date + delay) in the campaign's zone; the send
    // window and calendar then place the step within that day or later.
    const auto rows =
        tx.exec_params(R"sql(
WITH resume AS (
    SELECT (($3::date + c.ooo_resume_delay_days)::timestamp AT TIME ZONE c.timezone) AS at
    FROM outreach.campaigns c WHERE c.organisation_id = $1 AND c.id = $4),
held AS (
    UPDATE outreach.tasks t SET run_at = greatest(t.run_at, r.at)
    FROM resume r
    WHERE t.organisation_id = $1 AND t.enrollment_id = $2 AND t.kind = 'run_step' AND t.status = 'pending'
    RETURNING t.id),
planned AS (
    UPDATE outreach.campaign_enrollments e SET next_run_at = greatest(coalesce(e.next_run_at, r.at), r.at)
    FROM resume r
    WHERE e.organisation_id = $1 AND e.id = $2 AND e.status IN ('active', 'paused')
    RETURNING e.id)
SELECT to_char(r.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS resume_at,
       (SELECT count(*) FROM held)::int AS held, (SELECT count(*) FROM planned)::int AS planned
FROM resume r)sql",
                       m.organisation_id, m.enrollment_id, *return_date, m.campaign_id);
    if (!rows.empty()) result.resume_at = RowReader(rows).text(rows[0], "resume_at");
    return result;
}

}  // namespace pf::db
