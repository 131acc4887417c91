#include "db/tracking_store.hpp"

#include <pqxx/pqxx>

#include "db/inbound_effects.hpp"
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

namespace {

EventResult event_result(const EffectResult& effect) {
    return {effect.matched, effect.organisation_id, effect.enrollment_id, effect.message_id};
}

}  // namespace

EventResult TrackingStore::record_reply(const InboundReply& reply) {
    pqxx::work tx(connection_);
    const auto matched = match_by_message_ids(tx, "", reply.refers_to);
    if (!matched) return {};
    // Recorded once per reply Message-ID (a webhook may be delivered twice).
    const auto effect = apply_reply(
        tx, *matched,
        ReplyFacts{reply.message_id, reply.refers_to.front(), reply.from_email, reply.to_email,
                   reply.subject, reply.body_text, 0});
    tx.commit();
    return event_result(effect);
}

EventResult TrackingStore::record_bounce(const Bounce& bounce) {
    pqxx::work tx(connection_);
    const auto matched = match_by_message_ids(tx, "", {bounce.rfc_message_id});
    if (!matched) return {};
    const auto effect = apply_bounce(tx, *matched, BounceFacts{bounce.hard, bounce.status, bounce.diagnostic},
                                     EffectSettings{}, 0);
    tx.commit();
    return event_result(effect);
}

}  // namespace pf::db
