-- name: pf_campaign_pools
-- The pools of the batch's campaigns, by (organisation, campaign).
SELECT cm.organisation_id, cm.campaign_id, cm.mailbox_id, cm.weight
FROM outreach.campaign_mailboxes cm
JOIN (SELECT DISTINCT * FROM unnest($1::uuid[], $2::uuid[])) AS w(organisation_id, campaign_id)
  ON cm.organisation_id = w.organisation_id AND cm.campaign_id = w.campaign_id

-- name: pf_mailboxes
-- Mailbox rows by (organisation, id), secret included (still encrypted): the
-- send path hands it to the mailbox sender and nothing else.
SELECT mb.organisation_id, mb.id, mb.email::text AS email, coalesce(mb.display_name, '') AS display_name,
       mb.status, coalesce(mb.status_reason, '') AS status_reason, mb.timezone,
       mb.daily_limit, mb.min_gap_seconds, mb.max_jitter_seconds,
       coalesce(mb.ramp_start_date::text, '') AS ramp_start_date, coalesce(mb.ramp_initial, 0) AS ramp_initial,
       mb.ramp_step_per_day, coalesce(mb.smtp_url, '') AS smtp_url, mb.smtp_security,
       coalesce(mb.smtp_username, '') AS smtp_username, mb.auth_kind, coalesce(mb.secret, '') AS secret,
       coalesce(mb.oauth_token_url, '') AS oauth_token_url, coalesce(mb.oauth_client_id, '') AS oauth_client_id
FROM outreach.mailboxes mb
JOIN (SELECT DISTINCT * FROM unnest($1::uuid[], $2::uuid[])) AS w(organisation_id, id)
  ON mb.organisation_id = w.organisation_id AND mb.id = w.id

-- name: pf_ensure_mailbox_days
INSERT INTO outreach.mailbox_daily_sends (organisation_id, mailbox_id, local_day)
SELECT DISTINCT organisation_id, mailbox_id, local_day
FROM unnest($1::uuid[], $2::uuid[], $3::date[]) AS w(organisation_id, mailbox_id, local_day)
ON CONFLICT (organisation_id, mailbox_id, local_day) DO NOTHING

-- name: pf_lock_mailbox_days
-- Each mailbox's count for its local day, locked until commit (every
-- campaign and daemon reserves through this row), and how many follow-ups
-- of its enrollments are due and still waiting: to be claimed, or in the
-- mailbox's pacing queue (run_at up to its queued_until). No new first step
-- starts from the mailbox while there are any.
SELECT d.organisation_id, d.mailbox_id, d.local_day::text AS local_day, d.reserved,
       (SELECT count(*) FROM outreach.campaign_enrollments e
        JOIN outreach.tasks t ON t.organisation_id = e.organisation_id AND t.enrollment_id = e.id
        WHERE e.organisation_id = d.organisation_id AND e.mailbox_id = d.mailbox_id
          AND e.status = 'active' AND e.current_step_order > 0
          AND t.status = 'pending'
          AND t.run_at <= greatest(pf_from_micros($4), q.queued_until))::int AS due_followups
FROM outreach.mailbox_daily_sends d
JOIN outreach.mailboxes mb ON mb.organisation_id = d.organisation_id AND mb.id = d.mailbox_id
LEFT JOIN LATERAL (
    SELECT sp.queued_until FROM outreach.sender_pacing sp
    WHERE sp.organisation_id = mb.organisation_id AND sp.from_email = mb.email) q ON true
JOIN (SELECT DISTINCT * FROM unnest($1::uuid[], $2::uuid[], $3::date[])) AS w(organisation_id, mailbox_id, local_day)
  ON d.organisation_id = w.organisation_id AND d.mailbox_id = w.mailbox_id AND d.local_day = w.local_day
ORDER BY d.organisation_id, d.mailbox_id, d.local_day
FOR UPDATE OF d

-- name: pf_take_mailbox_days
UPDATE outreach.mailbox_daily_sends d SET reserved = d.reserved + w.n
FROM unnest($1::uuid[], $2::uuid[], $3::date[], $4::int[]) AS w(organisation_id, mailbox_id, local_day, n)
WHERE d.organisation_id = w.organisation_id AND d.mailbox_id = w.mailbox_id AND d.local_day = w.local_day

-- name: pf_release_mailbox_days
UPDATE outreach.mailbox_daily_sends d SET reserved = greatest(0, d.reserved - w.n)
FROM unnest($1::uuid[], $2::uuid[], $3::date[], $4::int[]) AS w(organisation_id, mailbox_id, local_day, n)
WHERE d.organisation_id = w.organisation_id AND d.mailbox_id = w.mailbox_id AND d.local_day = w.local_day

-- name: pf_mailbox_health
-- What a batch's sends said about their mailboxes: an authentication
-- failure turns an active mailbox 'error' at once; connection failures add
-- up and turn it 'error' at $6 in a row; a success clears the count.
-- A paused mailbox stays paused (its owner decides).
UPDATE outreach.mailboxes mb
SET consecutive_failures = CASE WHEN h.ok THEN 0 ELSE mb.consecutive_failures + h.failures END,
    status = CASE WHEN mb.status = 'active' AND NOT h.ok
                       AND (h.auth OR mb.consecutive_failures + h.failures >= $6) THEN 'error'
                  ELSE mb.status END,
    status_reason = CASE WHEN mb.status = 'active' AND NOT h.ok
                              AND (h.auth OR mb.consecutive_failures + h.failures >= $6) THEN h.reason
                         ELSE mb.status_reason END,
    status_changed_at = CASE WHEN mb.status = 'active' AND NOT h.ok
                                  AND (h.auth OR mb.consecutive_failures + h.failures >= $6)
                             THEN pf_from_micros($5) ELSE mb.status_changed_at END,
    updated_at = pf_from_micros($5)
FROM (SELECT organisation_id, mailbox_id,
             bool_and(problem = 'ok') AS ok, bool_or(problem = 'authentication') AS auth,
             count(*) FILTER (WHERE problem <> 'ok')::int AS failures,
             (array_agg(reason ORDER BY problem = 'authentication' DESC) FILTER (WHERE problem <> 'ok'))[1] AS reason
      FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[]) AS w(organisation_id, mailbox_id, problem, reason)
      GROUP BY organisation_id, mailbox_id) h
WHERE mb.organisation_id = h.organisation_id AND mb.id = h.mailbox_id
  AND (NOT h.ok OR mb.consecutive_failures > 0)

-- name: pf_peek_mailbox_days
-- Each mailbox's count for its local day, without a lock and without
-- creating rows (0 for a day with none yet): the sender a batch's emails are
-- written for, before the reservation confirms it under lock.
SELECT w.organisation_id, w.mailbox_id, w.local_day::text AS local_day, coalesce(d.reserved, 0) AS reserved,
       0 AS due_followups
FROM (SELECT DISTINCT * FROM unnest($1::uuid[], $2::uuid[], $3::date[])) AS w(organisation_id, mailbox_id, local_day)
LEFT JOIN outreach.mailbox_daily_sends d
  ON d.organisation_id = w.organisation_id AND d.mailbox_id = w.mailbox_id AND d.local_day = w.local_day
