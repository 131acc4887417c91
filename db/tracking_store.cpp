#include "db/tracking_store.hpp"

#include <pqxx/pqxx>

#include "db/pg_array.hpp"

namespace pf::db {

std::size_t TrackingStore::record_opens(const std::vector<OpenCount>& opens) {
    if (opens.empty()) return 0;
    std::vector<std::string> tokens, counts, firsts, lasts;
    for (const auto& o : opens) {
        tokens.push_back(o.token);
        counts.push_back(std::to_string(o.count));
        firsts.push_back(std::to_string(o.first_micros));
        lasts.push_back(std::to_string(o.last_micros));
    }
    pqxx::work tx(connection_);
    const auto r = tx.exec_params(R"sql(
INSERT INTO tracking.message_open_stats AS s
    (organisation_id, message_id, open_count, first_opened_at, last_opened_at)
SELECT px.organisation_id, px.message_id, w.n, pf_from_micros(w.first), pf_from_micros(w.last)
FROM unnest($1::text[], $2::int[], $3::bigint[], $4::bigint[]) AS w(token, n, first, last)
JOIN tracking.pixels px ON px.token = w.token
ORDER BY px.organisation_id, px.message_id
ON CONFLICT (organisation_id, message_id) DO UPDATE
SET open_count = s.open_count + excluded.open_count,
    first_opened_at = least(s.first_opened_at, excluded.first_opened_at),
    last_opened_at = greatest(s.last_opened_at, excluded.last_opened_at))sql",
                                  to_pg_array(tokens), to_pg_array(counts), to_pg_array(firsts),
                                  to_pg_array(lasts));
    tx.commit();
    return r.affected_rows();
}

EventResult TrackingStore::unsubscribe(const std::string& token) {
    pqxx::work tx(connection_);
    const auto rows = tx.exec_params(R"sql(
SELECT m.organisation_id, m.enrollment_id, m.id, m.to_email
FROM tracking.pixels px
JOIN outreach.messages m ON m.organisation_id = px.organisation_id AND m.id = px.message_id
WHERE px.token = $1)sql",
                                     token);
    if (rows.empty()) return {};
    EventResult result{true, rows[0][0].as<std::string>(), rows[0][1].as<std::string>(),
                       rows[0][2].as<std::string>()};
    const auto to_email = rows[0][3].as<std::string>();
    // The status change's trigger cancels the enrollment's pending tasks.
    tx.exec_params(R"sql(
UPDATE outreach.campaign_enrollments
SET status = 'unsubscribed', finished_at = now(), last_error = 'unsubscribed by the recipient (one-click)'
WHERE organisation_id = $1 AND id = $2 AND status IN ('active', 'paused'))sql",
                   result.organisation_id, result.enrollment_id);
    tx.exec_params(R"sql(
INSERT INTO tracking.suppressions (organisation_id, email, reason, source_message_id)
VALUES ($1, $2, 'unsubscribed', $3)
ON CONFLICT (organisation_id, email) DO NOTHING)sql",
                   result.organisation_id, to_email, result.message_id);
    tx.commit();
    return result;
}

EventResult TrackingStore::record_reply(const InboundReply& reply) {
    if (reply.refers_to.empty()) return {};
    pqxx::work tx(connection_);
    const auto rows = tx.exec_params(R"sql(
SELECT m.organisation_id, m.campaign_id, m.enrollment_id, m.id, m.to_email, m.from_email
FROM outreach.messages m
WHERE m.rfc_message_id = ANY ($1::text[]) AND m.direction = 'outbound'
ORDER BY m.sent_at DESC NULLS LAST
LIMIT 1)sql",
                                     to_pg_array(reply.refers_to));
    if (rows.empty()) return {};
    const auto& r = rows[0];
    EventResult result{true, r[0].as<std::string>(), r[2].as<std::string>(), r[3].as<std::string>()};
    // Recorded once per reply Message-ID (a webhook may be delivered twice);
    // the insert's trigger ends the enrollment as replied.
    tx.exec_params(R"sql(
INSERT INTO outreach.messages
    (organisation_id, campaign_id, enrollment_id, parent_message_id, direction, status, from_email,
     to_email, subject, body_text, rfc_message_id, in_reply_to, received_at)
VALUES ($1, $2, $3, $4, 'inbound', 'received', coalesce(nullif($5, ''), $6), coalesce(nullif($7, ''), $8),
        nullif($9, ''), nullif($10, ''), coalesce(nullif($11, ''), gen_random_uuid()::text || '@reply.invalid'),
        $12, now())
ON CONFLICT (organisation_id, rfc_message_id) DO NOTHING)sql",
                   result.organisation_id, r[1].as<std::string>(), result.enrollment_id,
                   result.message_id, reply.from_email, r[4].as<std::string>(), reply.to_email,
                   r[5].as<std::string>(), reply.subject, reply.body_text, reply.message_id,
                   reply.refers_to.front());
    tx.commit();
    return result;
}

EventResult TrackingStore::record_bounce(const Bounce& bounce) {
    pqxx::work tx(connection_);
    const auto rows = tx.exec_params(R"sql(
SELECT m.organisation_id, m.enrollment_id, m.id, m.to_email, e.position_id
FROM outreach.messages m
JOIN outreach.campaign_enrollments e ON e.organisation_id = m.organisation_id AND e.id = m.enrollment_id
WHERE m.rfc_message_id = $1 AND m.direction = 'outbound')sql",
                                     bounce.rfc_message_id);
    if (rows.empty()) return {};
    const auto& r = rows[0];
    EventResult result{true, r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<std::string>()};
    const std::string why = std::string(bounce.hard ? "hard" : "soft") + " bounce " + bounce.status +
                            (bounce.diagnostic.empty() ? "" : ": " + bounce.diagnostic);
    if (!bounce.hard) {
        // A soft bounce may pass: noted on the message, the sequence goes on.
        tx.exec_params("UPDATE outreach.messages SET last_error = $3 WHERE organisation_id = $1 AND id = $2",
                       result.organisation_id, result.message_id, why);
        tx.commit();
        return result;
    }
    // The status change's trigger ends the enrollment as bounced.
    tx.exec_params(R"sql(
UPDATE outreach.messages SET status = 'bounced', last_error = $3, sent_at = coalesce(sent_at, now())
WHERE organisation_id = $1 AND id = $2)sql",
                   result.organisation_id, result.message_id, why);
    if (!r[4].is_null()) {
        tx.exec_params(R"sql(
UPDATE crm.positions SET email_status = 'bounced' WHERE organisation_id = $1 AND id = $2)sql",
                       result.organisation_id, r[4].as<std::string>());
    }
    tx.exec_params(R"sql(
INSERT INTO tracking.suppressions (organisation_id, email, reason, source_message_id)
VALUES ($1, $2, 'bounced', $3)
ON CONFLICT (organisation_id, email) DO NOTHING)sql",
                   result.organisation_id, r[3].as<std::string>(), result.message_id);
    tx.commit();
    return result;
}

}  // namespace pf::db
