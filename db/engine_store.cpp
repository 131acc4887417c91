#include "db/engine_store.hpp"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "db/pg_array.hpp"

namespace pf::db {
namespace {

// Every statement the engine runs. $n parameters only; arrays travel as one
// parameter each and are unnested on the server.
const std::map<std::string, std::string>& statements() {
    static const std::map<std::string, std::string> sql = {
        {"pf_claim", R"sql(
WITH due AS (
    -- The campaign check is a boolean scalar subquery on purpose: the
    -- planner cannot turn it into a join and estimates it to keep half the
    -- rows, so the claim walks tasks_due_idx in run_at order and stops after
    -- $2 rows, however many due tasks one campaign has.
    SELECT t.organisation_id, t.id
    FROM outreach.tasks t
    WHERE t.status = 'pending' AND t.run_at <= pf_from_micros($1)
      AND (SELECT c.status = 'active' FROM outreach.campaigns c
           WHERE c.organisation_id = t.organisation_id AND c.id = t.campaign_id)
    ORDER BY t.run_at, t.organisation_id, t.id
    LIMIT $2
    FOR UPDATE OF t SKIP LOCKED),
claimed AS (
    UPDATE outreach.tasks t
    SET status = 'running', locked_by = $3,
        locked_until = pf_from_micros($1) + make_interval(secs => $4), attempts = t.attempts + 1
    FROM due
    WHERE t.organisation_id = due.organisation_id AND t.id = due.id
    RETURNING t.organisation_id, t.id, t.campaign_id, t.enrollment_id, t.step_id, t.run_at,
              t.attempts, t.max_attempts)
SELECT k.organisation_id, k.id, k.campaign_id, k.enrollment_id, coalesce(k.step_id::text, ''),
       pf_micros(k.run_at), k.attempts, k.max_attempts,
       e.status, e.current_step_order,
       c.status, c.name, c.timezone,
       (extract(epoch FROM c.send_window_start) / 60)::int, (extract(epoch FROM c.send_window_end) / 60)::int,
       c.send_days::text, c.daily_send_limit, c.from_email, coalesce(c.from_name, ''), coalesce(c.reply_to, ''),
       s.id IS NOT NULL, coalesce(s.step_order, 0), coalesce(s.condition, 'always'),
       coalesce(s.thread_with_previous, false), coalesce(s.prompt_id::text, ''),
       coalesce(sp.subject_template, ''), coalesce(sp.body_template, ''),
       nxt.id, coalesce(nxt.delay_seconds, 0),
       p.first_name, p.last_name, coalesce(p.email, ''), coalesce(p.timezone, ''),
       coalesce(pos.title, ''), coalesce(pos.email, ''), coalesce(pos.email_status, ''),
       coalesce(co.name, ''), coalesce(co.siren, ''), coalesce(co.naf_code, ''), coalesce(co.domain, ''),
       a.variant_id, coalesce(a.label, ''), coalesce(a.prompt_id::text, ''),
       coalesce(a.subject_template, ''), coalesce(a.body_template, ''),
       x.id, coalesce(x.status, ''), x.winner_variant_id, x.variants,
       m.id, coalesce(m.status, ''), m.has_text,
       f.replied, m.opened, coalesce(f.suppressed, ''), c.track_opens,
       m.root_rfc_message_id, coalesce(m.root_subject, '')
FROM claimed k
JOIN outreach.campaign_enrollments e ON e.organisation_id = k.organisation_id AND e.id = k.enrollment_id
JOIN outreach.campaigns c ON c.organisation_id = k.organisation_id AND c.id = k.campaign_id
JOIN crm.people p ON p.organisation_id = e.organisation_id AND p.id = e.person_id
LEFT JOIN crm.positions pos ON pos.organisation_id = e.organisation_id AND pos.id = e.position_id
LEFT JOIN crm.companies co ON co.organisation_id = pos.organisation_id AND co.id = pos.company_id
LEFT JOIN outreach.workflow_steps s ON s.organisation_id = k.organisation_id AND s.id = k.step_id
LEFT JOIN outreach.prompts sp ON sp.organisation_id = s.organisation_id AND sp.id = s.prompt_id
LEFT JOIN LATERAL (
    SELECT ws.id, ws.delay_seconds FROM outreach.workflow_steps ws
    WHERE ws.organisation_id = k.organisation_id AND ws.campaign_id = k.campaign_id
      AND ws.step_order > s.step_order
    ORDER BY ws.step_order LIMIT 1) nxt ON true
LEFT JOIN LATERAL (
    SELECT asg.variant_id, v.label, v.prompt_id, vp.subject_template, vp.body_template
    FROM outreach.enrollment_step_variant_assignments asg
    JOIN outreach.step_experiment_variants v
      ON v.organisation_id = asg.organisation_id AND v.id = asg.variant_id
    JOIN outreach.prompts vp ON vp.organisation_id = v.organisation_id AND vp.id = v.prompt_id
    WHERE asg.organisation_id = k.organisation_id AND asg.enrollment_id = k.enrollment_id
      AND asg.step_id = k.step_id
    ORDER BY asg.assigned_at LIMIT 1) a ON true
LEFT JOIN LATERAL (
    SELECT ex.id, ex.status, ex.winner_variant_id,
           (SELECT json_agg(json_build_object('id', v.id, 'label', v.label, 'weight', v.weight,
                                              'prompt_id', v.prompt_id, 'subject', vp.subject_template,
                                              'body', vp.body_template) ORDER BY v.label)
            FROM outreach.step_experiment_variants v
            JOIN outreach.prompts vp ON vp.organisation_id = v.organisation_id AND vp.id = v.prompt_id
            WHERE v.organisation_id = ex.organisation_id AND v.experiment_id = ex.id)::text AS variants
    FROM outreach.step_experiments ex
    WHERE ex.organisation_id = k.organisation_id AND ex.step_id = k.step_id AND a.variant_id IS NULL
      AND (ex.status = 'running' OR (ex.status = 'completed' AND ex.winner_variant_id IS NOT NULL))
    ORDER BY ex.status = 'running' DESC, ex.created_at DESC LIMIT 1) x ON true
-- The enrollment's outbound messages (one per step done, so a handful), in
-- one range scan of messages_one_outbound_per_step: this step's row, whether
-- any was opened, and the thread root (the earliest step's sent message).
LEFT JOIN LATERAL (
    SELECT (array_agg(om.id) FILTER (WHERE om.step_id = k.step_id))[1] AS id,
           coalesce(bool_or(om.subject IS NOT NULL AND om.body_text IS NOT NULL)
                        FILTER (WHERE om.step_id = k.step_id), false) AS has_text,
           (array_agg(om.status) FILTER (WHERE om.step_id = k.step_id))[1] AS status,
           coalesce(bool_or(os.open_count > 0), false) AS opened,
           (array_agg(om.rfc_message_id ORDER BY rs.step_order)
                FILTER (WHERE om.status = 'sent' AND rs.step_order < s.step_order))[1] AS root_rfc_message_id,
           (array_agg(om.subject ORDER BY rs.step_order)
                FILTER (WHERE om.status = 'sent' AND rs.step_order < s.step_order))[1] AS root_subject
    FROM outreach.messages om
    JOIN outreach.workflow_steps rs ON rs.organisation_id = om.organisation_id AND rs.id = om.step_id
    LEFT JOIN tracking.message_open_stats os
      ON os.organisation_id = om.organisation_id AND os.message_id = om.id
    WHERE om.organisation_id = k.organisation_id AND om.enrollment_id = k.enrollment_id
      AND om.direction = 'outbound') m ON true
CROSS JOIN LATERAL (
    SELECT EXISTS (SELECT 1 FROM outreach.messages r
                   WHERE r.organisation_id = k.organisation_id AND r.enrollment_id = k.enrollment_id
                     AND r.direction = 'inbound') AS replied,
           (SELECT sup.reason FROM tracking.suppressions sup
            WHERE sup.organisation_id = k.organisation_id
              AND sup.email = coalesce(pos.email, p.email)) AS suppressed) f
ORDER BY k.run_at, k.organisation_id, k.id)sql"},

        {"pf_assign_variants", R"sql(
WITH wanted AS (
    SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::uuid[])
        AS w(organisation_id, enrollment_id, step_id, experiment_id, variant_id)),
inserted AS (
    INSERT INTO outreach.enrollment_step_variant_assignments
        (organisation_id, enrollment_id, step_id, experiment_id, variant_id, assigned_at)
    SELECT organisation_id, enrollment_id, step_id, experiment_id, variant_id, pf_from_micros($6) FROM wanted
    ON CONFLICT (organisation_id, enrollment_id, experiment_id) DO NOTHING
    RETURNING organisation_id, enrollment_id, experiment_id, variant_id)
SELECT w.organisation_id, w.enrollment_id, w.step_id, w.experiment_id,
       coalesce(i.variant_id, a.variant_id)
FROM wanted w
LEFT JOIN inserted i ON i.organisation_id = w.organisation_id AND i.enrollment_id = w.enrollment_id
                    AND i.experiment_id = w.experiment_id
LEFT JOIN outreach.enrollment_step_variant_assignments a
  ON a.organisation_id = w.organisation_id AND a.enrollment_id = w.enrollment_id
 AND a.experiment_id = w.experiment_id)sql"},

        {"pf_prompt_generation", R"sql(
SELECT p.organisation_id, p.id, p.generator, coalesce(p.system_prompt, ''), coalesce(p.model, '')
FROM outreach.prompts p
JOIN (SELECT DISTINCT * FROM unnest($1::uuid[], $2::uuid[])) AS w(organisation_id, id)
  ON p.organisation_id = w.organisation_id AND p.id = w.id)sql"},

        {"pf_read_variants", R"sql(
SELECT a.organisation_id, a.enrollment_id, a.step_id, a.experiment_id, a.variant_id
FROM outreach.enrollment_step_variant_assignments a
JOIN unnest($1::uuid[], $2::uuid[], $3::uuid[]) AS w(organisation_id, enrollment_id, experiment_id)
  ON a.organisation_id = w.organisation_id AND a.enrollment_id = w.enrollment_id
 AND a.experiment_id = w.experiment_id)sql"},

        {"pf_active_enrollments", R"sql(
SELECT e.organisation_id, e.id
FROM outreach.campaign_enrollments e
JOIN unnest($1::uuid[], $2::uuid[]) AS w(organisation_id, enrollment_id)
  ON e.organisation_id = w.organisation_id AND e.id = w.enrollment_id
JOIN outreach.campaigns c ON c.organisation_id = e.organisation_id AND c.id = e.campaign_id
WHERE e.status = 'active' AND c.status = 'active')sql"},

        {"pf_ensure_senders", R"sql(
INSERT INTO outreach.sender_pacing (organisation_id, from_email, next_send_at)
SELECT DISTINCT organisation_id, from_email, timestamptz '-infinity'
FROM unnest($1::uuid[], $2::citext[]) AS w(organisation_id, from_email)
ON CONFLICT (organisation_id, from_email) DO NOTHING)sql"},

        {"pf_lock_senders", R"sql(
SELECT sp.organisation_id, sp.from_email, pf_micros(greatest(sp.next_send_at, pf_from_micros($3))),
       pf_micros(greatest(sp.queued_until, pf_from_micros($3)))
FROM outreach.sender_pacing sp
JOIN (SELECT DISTINCT * FROM unnest($1::uuid[], $2::citext[])) AS w(organisation_id, from_email)
  ON sp.organisation_id = w.organisation_id AND sp.from_email = w.from_email
ORDER BY sp.organisation_id, sp.from_email
FOR UPDATE OF sp)sql"},

        {"pf_set_senders", R"sql(
UPDATE outreach.sender_pacing sp
SET next_send_at = pf_from_micros(w.next_send_at), queued_until = pf_from_micros(w.queued_until)
FROM unnest($1::uuid[], $2::citext[], $3::bigint[], $4::bigint[])
     AS w(organisation_id, from_email, next_send_at, queued_until)
WHERE sp.organisation_id = w.organisation_id AND sp.from_email = w.from_email)sql"},

        {"pf_ensure_daily", R"sql(
INSERT INTO outreach.campaign_daily_sends (organisation_id, campaign_id, local_day)
SELECT DISTINCT organisation_id, campaign_id, local_day
FROM unnest($1::uuid[], $2::uuid[], $3::date[]) AS w(organisation_id, campaign_id, local_day)
ON CONFLICT (organisation_id, campaign_id, local_day) DO NOTHING)sql"},

        {"pf_reserve_daily", R"sql(
WITH current AS (
    SELECT d.organisation_id, d.campaign_id, d.local_day, d.reserved, w.wanted, c.daily_send_limit
    FROM outreach.campaign_daily_sends d
    JOIN unnest($1::uuid[], $2::uuid[], $3::date[], $4::int[]) AS w(organisation_id, campaign_id, local_day, wanted)
      ON d.organisation_id = w.organisation_id AND d.campaign_id = w.campaign_id AND d.local_day = w.local_day
    JOIN outreach.campaigns c ON c.organisation_id = d.organisation_id AND c.id = d.campaign_id
    ORDER BY d.organisation_id, d.campaign_id, d.local_day
    FOR UPDATE OF d),
granted AS (
    SELECT organisation_id, campaign_id, local_day,
           greatest(0, least(wanted, daily_send_limit - reserved)) AS granted
    FROM current),
updated AS (
    UPDATE outreach.campaign_daily_sends d SET reserved = d.reserved + g.granted
    FROM granted g
    WHERE d.organisation_id = g.organisation_id AND d.campaign_id = g.campaign_id
      AND d.local_day = g.local_day AND g.granted > 0
    RETURNING d.organisation_id)
SELECT organisation_id, campaign_id, local_day::text, granted FROM granted)sql"},

        {"pf_write_sending", R"sql(
WITH w AS (
    SELECT *, md5(u.enrollment_id::text || ':' || u.step_id::text)::uuid AS message_id
    FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::uuid[], $6::uuid[],
                $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $15::text[])
        AS u(organisation_id, campaign_id, enrollment_id, step_id, variant_id, prompt_id,
             from_email, to_email, subject, body, in_reply_to, body_html)),
-- FOR SHARE on the campaign rows: a pause (an UPDATE of the row) either
-- committed first, and then this sees it and writes nothing, or waits until
-- these messages are committed in flight, where the pause can see them.
active_campaigns AS (
    SELECT c.organisation_id, c.id
    FROM outreach.campaigns c
    WHERE (c.organisation_id, c.id) IN (SELECT DISTINCT organisation_id, campaign_id FROM w)
      AND c.status = 'active'
    ORDER BY c.organisation_id, c.id
    FOR SHARE),
go AS (
    SELECT w.*
    FROM w
    JOIN active_campaigns c ON c.organisation_id = w.organisation_id AND c.id = w.campaign_id
    JOIN outreach.campaign_enrollments e
      ON e.organisation_id = w.organisation_id AND e.id = w.enrollment_id AND e.status = 'active'),
written AS (
    INSERT INTO outreach.messages AS m
        (organisation_id, id, campaign_id, enrollment_id, step_id, variant_id, prompt_id, direction,
         status, from_email, to_email, subject, body_text, body_html, rfc_message_id, in_reply_to,
         reference_ids, attempts, generated_at)
    SELECT organisation_id, message_id, campaign_id, enrollment_id, step_id, variant_id, prompt_id,
           'outbound', 'sending', from_email, to_email, subject, body, body_html,
           message_id::text || '@' || coalesce(nullif($12::text, ''), split_part(from_email, '@', 2)),
           in_reply_to, CASE WHEN in_reply_to IS NULL THEN '{}'::text[] ELSE ARRAY[in_reply_to] END, 1,
           pf_from_micros($14::bigint)
    FROM go
    ON CONFLICT (organisation_id, enrollment_id, step_id) WHERE direction = 'outbound'
    DO UPDATE SET status = 'sending', attempts = m.attempts + 1, last_error = NULL
    WHERE m.status IN ('pending', 'failed') OR (m.status = 'sending' AND $13::boolean)
    RETURNING m.organisation_id, m.enrollment_id, m.id, m.rfc_message_id, m.from_email, m.to_email,
              coalesce(m.subject, '') AS subject, coalesce(m.body_text, '') AS body, m.in_reply_to,
              m.body_html),
-- Each sent message's tracking token (open pixel, one-click unsubscribe):
-- made with its first write, kept on retries.
new_tokens AS (
    INSERT INTO tracking.pixels (organisation_id, message_id)
    SELECT organisation_id, id FROM written
    ON CONFLICT (organisation_id, message_id) DO NOTHING
    RETURNING organisation_id, message_id, token)
SELECT w.organisation_id, w.enrollment_id, go.enrollment_id IS NOT NULL, written.id,
       written.rfc_message_id, written.from_email, written.to_email, written.subject, written.body,
       written.in_reply_to, written.body_html, coalesce(nt.token, px.token)
FROM w
LEFT JOIN go ON go.organisation_id = w.organisation_id AND go.enrollment_id = w.enrollment_id
LEFT JOIN written ON written.organisation_id = w.organisation_id
                 AND written.enrollment_id = w.enrollment_id
LEFT JOIN new_tokens nt ON nt.organisation_id = written.organisation_id AND nt.message_id = written.id
LEFT JOIN tracking.pixels px ON px.organisation_id = written.organisation_id AND px.message_id = written.id)sql"},

        {"pf_finish_tasks", R"sql(
UPDATE outreach.tasks t
SET status = w.status,
    run_at = coalesce(pf_from_micros(w.run_at), t.run_at),
    attempts = greatest(0, t.attempts + w.attempts_delta),
    last_error = w.last_error,
    locked_by = NULL, locked_until = NULL,
    finished_at = CASE WHEN w.status IN ('succeeded', 'failed', 'cancelled') THEN pf_from_micros($8) END
FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::bigint[], $5::int[], $6::text[])
    AS w(organisation_id, id, status, run_at, attempts_delta, last_error)
WHERE t.organisation_id = w.organisation_id AND t.id = w.id
  AND t.status = 'running' AND t.locked_by = $7)sql"},

        {"pf_finish_messages", R"sql(
UPDATE outreach.messages m
SET status = w.status, sent_at = coalesce(pf_from_micros(w.sent_at), m.sent_at),
    provider_message_id = coalesce(nullif(w.provider_message_id, ''), m.provider_message_id),
    last_error = w.last_error
FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::bigint[], $5::text[], $6::text[])
    AS w(organisation_id, id, status, sent_at, provider_message_id, last_error)
WHERE m.organisation_id = w.organisation_id AND m.id = w.id)sql"},

        {"pf_finish_enrollments", R"sql(
UPDATE outreach.campaign_enrollments e
SET status = w.status,
    current_step_order = greatest(e.current_step_order, w.step_order),
    next_run_at = pf_from_micros(w.next_run_at),
    last_error = w.last_error,
    finished_at = CASE WHEN w.status <> 'active' THEN pf_from_micros($7) ELSE e.finished_at END
FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::int[], $5::bigint[], $6::text[])
    AS w(organisation_id, id, status, step_order, next_run_at, last_error)
WHERE e.organisation_id = w.organisation_id AND e.id = w.id AND e.status = 'active')sql"},

        {"pf_insert_next_tasks", R"sql(
INSERT INTO outreach.tasks (organisation_id, campaign_id, enrollment_id, step_id, run_at)
SELECT w.organisation_id, w.campaign_id, w.enrollment_id, w.step_id, pf_from_micros(w.run_at)
FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::bigint[])
    AS w(organisation_id, campaign_id, enrollment_id, step_id, run_at)
JOIN outreach.campaign_enrollments e
  ON e.organisation_id = w.organisation_id AND e.id = w.enrollment_id AND e.status = 'active'
ON CONFLICT (organisation_id, enrollment_id) WHERE kind = 'run_step' AND status IN ('pending', 'running')
DO NOTHING)sql"},

        {"pf_release_daily", R"sql(
UPDATE outreach.campaign_daily_sends d SET reserved = greatest(0, d.reserved - w.released)
FROM unnest($1::uuid[], $2::uuid[], $3::date[], $4::int[]) AS w(organisation_id, campaign_id, local_day, released)
WHERE d.organisation_id = w.organisation_id AND d.campaign_id = w.campaign_id AND d.local_day = w.local_day)sql"},

        {"pf_rescue_leases", R"sql(
UPDATE outreach.tasks
SET status = 'pending', last_error = 'lease of ' || locked_by || ' expired at ' || locked_until
        || ' (daemon presumed dead); task made claimable again',
    locked_by = NULL, locked_until = NULL
WHERE status = 'running' AND locked_until < pf_from_micros($1))sql"},

        {"pf_release_leases", R"sql(
UPDATE outreach.tasks
SET status = 'pending', attempts = greatest(0, attempts - 1), locked_by = NULL, locked_until = NULL,
    last_error = 'released by ' || $1 || ' at shutdown before it ran'
WHERE status = 'running' AND locked_by = $1)sql"},

        {"pf_next_due", R"sql(
-- Like the claim: walk tasks_due_idx from the bound in run_at order and stop
-- at the first task of an active campaign. A join let the planner start from
-- the campaign and sort all its tasks (read every time, ~1,000x the rows).
-- The bound is an InitPlan: evaluated once, not per row.
SELECT pf_micros(t.run_at)
FROM outreach.tasks t
WHERE t.status = 'pending' AND t.run_at > (SELECT pf_from_micros($1))
  AND (SELECT c.status = 'active' FROM outreach.campaigns c
       WHERE c.organisation_id = t.organisation_id AND c.id = t.campaign_id)
ORDER BY t.run_at LIMIT 1)sql"},
    };
    return sql;
}

template <typename T, typename F>
std::string column(const std::vector<T>& rows, F field) {
    std::vector<std::string> values;
    values.reserve(rows.size());
    for (const auto& r : rows) values.push_back(field(r));
    return to_pg_array(values);
}

template <typename T, typename F>
std::string optional_column(const std::vector<T>& rows, F field) {
    std::vector<std::optional<std::string>> values;
    values.reserve(rows.size());
    for (const auto& r : rows) values.push_back(field(r));
    return to_pg_array(values);
}

std::optional<std::string> nullable(const pqxx::field& f) {
    if (f.is_null()) return std::nullopt;
    return f.as<std::string>();
}

std::optional<std::string> micros_text(const std::optional<Micros>& m) {
    if (!m) return std::nullopt;
    return std::to_string(*m);
}

}  // namespace

template <typename... Args>
pqxx::result EngineStore::run(pqxx::transaction_base& tx, const char* name, Args&&... args) {
    if (prepared_) return tx.exec_prepared(name, std::forward<Args>(args)...);
    return tx.exec_params(statements().at(name), std::forward<Args>(args)...);
}

EngineStore::EngineStore(pqxx::connection& connection, bool prepared_statements)
    : connection_(connection), prepared_(prepared_statements) {
    if (prepared_) {
        for (const auto& [name, sql] : statements()) connection_.prepare(name, sql);
    }
}

std::vector<ClaimedStep> EngineStore::claim(Micros now, int limit, const std::string& instance,
                                            int lease_seconds) {
    pqxx::work tx(connection_);
    const auto rows = run(tx, "pf_claim", now, limit, instance, lease_seconds);
    tx.commit();

    std::vector<ClaimedStep> claimed;
    claimed.reserve(rows.size());
    for (const auto& r : rows) {
        ClaimedStep c;
        int i = 0;
        c.organisation_id = r[i++].as<std::string>();
        c.task_id = r[i++].as<std::string>();
        c.campaign_id = r[i++].as<std::string>();
        c.enrollment_id = r[i++].as<std::string>();
        c.step_id = r[i++].as<std::string>();
        c.run_at = r[i++].as<Micros>();
        c.attempts = r[i++].as<int>();
        c.max_attempts = r[i++].as<int>();
        c.enrollment_status = r[i++].as<std::string>();
        c.current_step_order = r[i++].as<int>();
        c.campaign_status = r[i++].as<std::string>();
        c.campaign_name = r[i++].as<std::string>();
        c.campaign_timezone = r[i++].as<std::string>();
        c.window_start_minutes = r[i++].as<int>();
        c.window_end_minutes = r[i++].as<int>();
        c.send_days = parse_int_array(r[i++].as<std::string>());
        c.daily_send_limit = r[i++].as<int>();
        c.from_email = r[i++].as<std::string>();
        c.from_name = r[i++].as<std::string>();
        c.reply_to = r[i++].as<std::string>();
        c.step_exists = r[i++].as<bool>();
        c.step_order = r[i++].as<int>();
        c.condition = r[i++].as<std::string>();
        c.thread_with_previous = r[i++].as<bool>();
        c.step_prompt_id = r[i++].as<std::string>();
        c.step_subject_template = r[i++].as<std::string>();
        c.step_body_template = r[i++].as<std::string>();
        c.next_step_id = nullable(r[i++]);
        c.next_step_delay_seconds = r[i++].as<int>();
        c.first_name = r[i++].as<std::string>();
        c.last_name = r[i++].as<std::string>();
        c.person_email = r[i++].as<std::string>();
        c.person_timezone = r[i++].as<std::string>();
        c.position_title = r[i++].as<std::string>();
        c.position_email = r[i++].as<std::string>();
        c.email_status = r[i++].as<std::string>();
        c.company_name = r[i++].as<std::string>();
        c.company_siren = r[i++].as<std::string>();
        c.company_naf_code = r[i++].as<std::string>();
        c.company_domain = r[i++].as<std::string>();
        c.assigned_variant_id = nullable(r[i++]);
        c.assigned_label = r[i++].as<std::string>();
        c.assigned_prompt_id = r[i++].as<std::string>();
        c.assigned_subject_template = r[i++].as<std::string>();
        c.assigned_body_template = r[i++].as<std::string>();
        c.experiment_id = nullable(r[i++]);
        c.experiment_status = r[i++].as<std::string>();
        c.winner_variant_id = nullable(r[i++]);
        if (const auto variants = nullable(r[i++])) {
            for (const auto& v : nlohmann::json::parse(*variants)) {
                c.variants.push_back(VariantRow{
                    v.at("id").get<std::string>(), v.at("label").get<std::string>(),
                    v.at("weight").get<int>(), v.at("prompt_id").get<std::string>(),
                    v.at("subject").get<std::string>(), v.at("body").get<std::string>()});
            }
        }
        c.message_id = nullable(r[i++]);
        c.message_status = r[i++].as<std::string>();
        c.message_has_text = r[i++].as<bool>();
        c.replied = r[i++].as<bool>();
        c.opened = r[i++].as<bool>();
        c.suppressed_reason = r[i++].as<std::string>();
        c.track_opens = r[i++].as<bool>();
        c.thread_root_message_id = nullable(r[i++]);
        c.thread_root_subject = r[i++].as<std::string>();
        claimed.push_back(std::move(c));
    }
    return claimed;
}

std::vector<VariantChoice> EngineStore::assign_variants(const std::vector<VariantChoice>& wanted,
                                                        Micros now) {
    if (wanted.empty()) return {};
    pqxx::work tx(connection_);
    const auto org = column(wanted, [](const auto& w) { return w.organisation_id; });
    const auto enrollment = column(wanted, [](const auto& w) { return w.enrollment_id; });
    const auto experiment = column(wanted, [](const auto& w) { return w.experiment_id; });
    auto rows = run(tx, "pf_assign_variants", org, enrollment,
                    column(wanted, [](const auto& w) { return w.step_id; }), experiment,
                    column(wanted, [](const auto& w) { return w.variant_id; }), now);
    tx.commit();
    std::vector<VariantChoice> result;
    bool missing = false;
    for (const auto& r : rows) {
        if (r[4].is_null()) {
            missing = true;
            continue;
        }
        result.push_back({r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<std::string>(),
                          r[3].as<std::string>(), r[4].as<std::string>()});
    }
    if (missing) {
        // A concurrent assigner committed after this statement's snapshot:
        // its row won; read it with a fresh snapshot.
        pqxx::work again(connection_);
        result.clear();
        for (const auto& r : run(again, "pf_read_variants", org, enrollment, experiment)) {
            result.push_back({r[0].as<std::string>(), r[1].as<std::string>(),
                              r[2].as<std::string>(), r[3].as<std::string>(),
                              r[4].as<std::string>()});
        }
        again.commit();
    }
    return result;
}

std::vector<PromptGeneration> EngineStore::prompt_generation(
    const std::vector<std::pair<std::string, std::string>>& prompts) {
    if (prompts.empty()) return {};
    // One statement: no BEGIN/SET/ROLLBACK round trips around it.
    pqxx::nontransaction tx(connection_);
    std::vector<PromptGeneration> out;
    for (const auto& r :
         run(tx, "pf_prompt_generation", column(prompts, [](const auto& p) { return p.first; }),
             column(prompts, [](const auto& p) { return p.second; }))) {
        out.push_back({r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<std::string>(),
                       r[3].as<std::string>(), r[4].as<std::string>()});
    }
    return out;
}

EngineStore::Transaction::Transaction(EngineStore& store)
    : store_(store), tx_(std::make_unique<pqxx::work>(store.connection_)) {}

EngineStore::Transaction::~Transaction() = default;

std::vector<std::pair<std::string, std::string>> EngineStore::Transaction::active_enrollments(
    const std::vector<std::pair<std::string, std::string>>& enrollments) {
    if (enrollments.empty()) return {};
    std::vector<std::pair<std::string, std::string>> active;
    for (const auto& r : store_.run(*tx_, "pf_active_enrollments",
                                    column(enrollments, [](const auto& e) { return e.first; }),
                                    column(enrollments, [](const auto& e) { return e.second; }))) {
        active.emplace_back(r[0].as<std::string>(), r[1].as<std::string>());
    }
    return active;
}

std::vector<SenderSlot> EngineStore::Transaction::lock_senders(
    const std::vector<SenderSlot>& senders, Micros now) {
    if (senders.empty()) return {};
    const auto org = column(senders, [](const auto& s) { return s.organisation_id; });
    const auto email = column(senders, [](const auto& s) { return s.from_email; });
    store_.run(*tx_, "pf_ensure_senders", org, email);
    std::vector<SenderSlot> slots;
    for (const auto& r : store_.run(*tx_, "pf_lock_senders", org, email, now))
        slots.push_back(
            {r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<Micros>(), r[3].as<Micros>()});
    return slots;
}

void EngineStore::Transaction::set_senders(const std::vector<SenderSlot>& senders) {
    if (senders.empty()) return;
    store_.run(*tx_, "pf_set_senders",
               column(senders, [](const auto& s) { return s.organisation_id; }),
               column(senders, [](const auto& s) { return s.from_email; }),
               column(senders, [](const auto& s) { return std::to_string(s.next_send_at); }),
               column(senders, [](const auto& s) { return std::to_string(s.queued_until); }));
}

std::vector<DailyCapGrant> EngineStore::Transaction::reserve_daily(
    const std::vector<DailyCapRequest>& requests) {
    if (requests.empty()) return {};
    const auto reserve = [&](const std::vector<DailyCapRequest>& wanted) {
        std::vector<DailyCapGrant> grants;
        for (const auto& r :
             store_.run(*tx_, "pf_reserve_daily",
                        column(wanted, [](const auto& w) { return w.organisation_id; }),
                        column(wanted, [](const auto& w) { return w.campaign_id; }),
                        column(wanted, [](const auto& w) { return w.local_day; }),
                        column(wanted, [](const auto& w) { return std::to_string(w.wanted); }))) {
            grants.push_back({r[0].as<std::string>(), r[1].as<std::string>(),
                              r[2].as<std::string>(), r[3].as<int>()});
        }
        return grants;
    };
    auto grants = reserve(requests);
    if (grants.size() == requests.size()) return grants;
    // The first send of a campaign-local day: create its counter, then reserve.
    std::vector<DailyCapRequest> missing;
    for (const auto& r : requests) {
        const bool found = std::any_of(grants.begin(), grants.end(), [&](const auto& g) {
            return g.organisation_id == r.organisation_id && g.campaign_id == r.campaign_id &&
                   g.local_day == r.local_day;
        });
        if (!found) missing.push_back(r);
    }
    store_.run(*tx_, "pf_ensure_daily",
               column(missing, [](const auto& m) { return m.organisation_id; }),
               column(missing, [](const auto& m) { return m.campaign_id; }),
               column(missing, [](const auto& m) { return m.local_day; }));
    for (auto& g : reserve(missing)) grants.push_back(std::move(g));
    return grants;
}

std::vector<DraftResult> EngineStore::Transaction::write_sending(
    const std::vector<OutboundDraft>& drafts, const std::string& message_id_domain,
    bool resend_in_flight, Micros now) {
    if (drafts.empty()) return {};
    const auto rows = store_.run(
        *tx_, "pf_write_sending", column(drafts, [](const auto& d) { return d.organisation_id; }),
        column(drafts, [](const auto& d) { return d.campaign_id; }),
        column(drafts, [](const auto& d) { return d.enrollment_id; }),
        column(drafts, [](const auto& d) { return d.step_id; }),
        optional_column(drafts, [](const auto& d) { return d.variant_id; }),
        column(drafts, [](const auto& d) { return d.prompt_id; }),
        column(drafts, [](const auto& d) { return d.from_email; }),
        column(drafts, [](const auto& d) { return d.to_email; }),
        column(drafts, [](const auto& d) { return d.subject; }),
        column(drafts, [](const auto& d) { return d.body; }),
        optional_column(drafts, [](const auto& d) { return d.in_reply_to; }), message_id_domain,
        resend_in_flight, now, optional_column(drafts, [](const auto& d) { return d.body_html; }));
    std::vector<DraftResult> results;
    results.reserve(rows.size());
    for (const auto& r : rows) {
        DraftResult d{r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<bool>(),
                      std::nullopt};
        if (!r[3].is_null()) {
            d.message = WrittenMessage{d.organisation_id,
                                       d.enrollment_id,
                                       r[3].as<std::string>(),
                                       r[4].as<std::string>(),
                                       r[5].as<std::string>(),
                                       r[6].as<std::string>(),
                                       r[7].as<std::string>(),
                                       r[8].as<std::string>(),
                                       nullable(r[9]),
                                       nullable(r[10]),
                                       r[11].is_null() ? std::string() : r[11].as<std::string>()};
        }
        results.push_back(std::move(d));
    }
    return results;
}

void EngineStore::Transaction::commit() {
    tx_->commit();
}

std::size_t EngineStore::Transaction::finish(const FinishBatch& batch, const std::string& instance,
                                             Micros now) {
    auto& tx = *tx_;
    std::size_t updated = 0;
    // Tasks first: the finished step task must leave the "one open task per
    // enrollment" index before the next step's task comes in.
    if (!batch.tasks.empty()) {
        const auto& t = batch.tasks;
        updated =
            store_
                .run(tx, "pf_finish_tasks",
                     column(t, [](const auto& x) { return x.organisation_id; }),
                     column(t, [](const auto& x) { return x.task_id; }),
                     column(t, [](const auto& x) { return x.status; }),
                     optional_column(t, [](const auto& x) { return micros_text(x.run_at); }),
                     column(t, [](const auto& x) { return std::to_string(x.attempts_delta); }),
                     optional_column(t, [](const auto& x) { return x.last_error; }), instance, now)
                .affected_rows();
    }
    if (!batch.messages.empty()) {
        const auto& m = batch.messages;
        store_.run(tx, "pf_finish_messages",
                   column(m, [](const auto& x) { return x.organisation_id; }),
                   column(m, [](const auto& x) { return x.message_id; }),
                   column(m, [](const auto& x) { return x.status; }),
                   optional_column(m, [](const auto& x) { return micros_text(x.sent_at); }),
                   column(m, [](const auto& x) { return x.provider_message_id; }),
                   optional_column(m, [](const auto& x) { return x.last_error; }));
    }
    if (!batch.enrollments.empty()) {
        const auto& e = batch.enrollments;
        store_.run(tx, "pf_finish_enrollments",
                   column(e, [](const auto& x) { return x.organisation_id; }),
                   column(e, [](const auto& x) { return x.enrollment_id; }),
                   column(e, [](const auto& x) { return x.status; }),
                   column(e, [](const auto& x) { return std::to_string(x.step_order); }),
                   optional_column(e, [](const auto& x) { return micros_text(x.next_run_at); }),
                   optional_column(e, [](const auto& x) { return x.last_error; }), now);
    }
    if (!batch.next_tasks.empty()) {
        const auto& n = batch.next_tasks;
        store_.run(tx, "pf_insert_next_tasks",
                   column(n, [](const auto& x) { return x.organisation_id; }),
                   column(n, [](const auto& x) { return x.campaign_id; }),
                   column(n, [](const auto& x) { return x.enrollment_id; }),
                   column(n, [](const auto& x) { return x.step_id; }),
                   column(n, [](const auto& x) { return std::to_string(x.run_at); }));
    }
    if (!batch.released_caps.empty()) {
        const auto& c = batch.released_caps;
        store_.run(tx, "pf_release_daily",
                   column(c, [](const auto& x) { return x.organisation_id; }),
                   column(c, [](const auto& x) { return x.campaign_id; }),
                   column(c, [](const auto& x) { return x.local_day; }),
                   column(c, [](const auto& x) { return std::to_string(x.wanted); }));
    }
    return updated;
}

std::size_t EngineStore::finish(const FinishBatch& batch, const std::string& instance, Micros now) {
    Transaction tx(*this);
    const auto updated = tx.finish(batch, instance, now);
    tx.commit();
    return updated;
}

std::size_t EngineStore::rescue_expired_leases(Micros now) {
    pqxx::work tx(connection_);
    const auto n = run(tx, "pf_rescue_leases", now).affected_rows();
    tx.commit();
    return n;
}

std::size_t EngineStore::release_leases(const std::string& instance) {
    pqxx::work tx(connection_);
    const auto n = run(tx, "pf_release_leases", instance).affected_rows();
    tx.commit();
    return n;
}

std::optional<Micros> EngineStore::next_due(Micros after) {
    pqxx::nontransaction tx(connection_);  // one statement: no BEGIN/SET/ROLLBACK
    const auto rows = run(tx, "pf_next_due", after);
    if (rows.empty()) return std::nullopt;
    return rows[0][0].as<Micros>();
}

}  // namespace pf::db
