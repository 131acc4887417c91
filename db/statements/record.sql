-- name: pf_finish_tasks
-- Tasks this instance still holds; `updated` counts them. A task put back
-- pending and due within seconds (a retry, a deferral) wakes idle daemons.
WITH finished AS (
    UPDATE outreach.tasks t
    SET status = w.status,
        run_at = coalesce(pf_from_micros(w.run_at), t.run_at),
        attempts = greatest(0, t.attempts + w.attempts_delta),
        last_error = w.last_error,
        locked_by = NULL, locked_until = NULL,
        finished_at = CASE WHEN w.status IN ('succeeded', 'failed', 'cancelled') THEN pf_from_micros($8) END,
        updated_at = pf_from_micros($8)
    FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::bigint[], $5::int[], $6::text[])
        AS w(organisation_id, id, status, run_at, attempts_delta, last_error)
    WHERE t.organisation_id = w.organisation_id AND t.id = w.id
      AND t.status = 'running' AND t.locked_by = $7
    RETURNING t.status, t.run_at),
wake AS (
    SELECT pg_notify('prospectflow_tasks', '')
    WHERE EXISTS (SELECT 1 FROM finished
                  WHERE status = 'pending' AND run_at <= pf_from_micros($8) + interval '5 seconds'))
SELECT (SELECT count(*) FROM finished) AS updated, (SELECT count(*) FROM wake) AS woken

-- name: pf_finish_messages
UPDATE outreach.messages m
SET status = w.status, sent_at = coalesce(pf_from_micros(w.sent_at), m.sent_at),
    provider_message_id = coalesce(nullif(w.provider_message_id, ''), m.provider_message_id),
    last_error = w.last_error, updated_at = pf_from_micros($7)
FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::bigint[], $5::text[], $6::text[])
    AS w(organisation_id, id, status, sent_at, provider_message_id, last_error)
WHERE m.organisation_id = w.organisation_id AND m.id = w.id

-- name: pf_finish_enrollments
UPDATE outreach.campaign_enrollments e
SET status = w.status,
    current_step_order = greatest(e.current_step_order, w.step_order),
    next_run_at = pf_from_micros(w.next_run_at),
    last_error = w.last_error,
    finished_at = CASE WHEN w.status <> 'active' THEN pf_from_micros($7) ELSE e.finished_at END,
    updated_at = pf_from_micros($7)
FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::int[], $5::bigint[], $6::text[])
    AS w(organisation_id, id, status, step_order, next_run_at, last_error)
WHERE e.organisation_id = w.organisation_id AND e.id = w.id AND e.status = 'active'

-- name: pf_insert_next_tasks
INSERT INTO outreach.tasks (organisation_id, campaign_id, enrollment_id, step_id, run_at)
SELECT w.organisation_id, w.campaign_id, w.enrollment_id, w.step_id, pf_from_micros(w.run_at)
FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::bigint[])
    AS w(organisation_id, campaign_id, enrollment_id, step_id, run_at)
JOIN outreach.campaign_enrollments e
  ON e.organisation_id = w.organisation_id AND e.id = w.enrollment_id AND e.status = 'active'
ON CONFLICT (organisation_id, enrollment_id) WHERE kind = 'run_step' AND status IN ('pending', 'running')
DO NOTHING

-- name: pf_release_daily
UPDATE outreach.campaign_daily_sends d SET reserved = greatest(0, d.reserved - w.released)
FROM unnest($1::uuid[], $2::uuid[], $3::date[], $4::int[]) AS w(organisation_id, campaign_id, local_day, released)
WHERE d.organisation_id = w.organisation_id AND d.campaign_id = w.campaign_id AND d.local_day = w.local_day

