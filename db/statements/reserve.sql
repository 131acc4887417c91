-- name: pf_active_enrollments
SELECT e.organisation_id, e.id AS enrollment_id
FROM outreach.campaign_enrollments e
JOIN unnest($1::uuid[], $2::uuid[]) AS w(organisation_id, enrollment_id)
  ON e.organisation_id = w.organisation_id AND e.id = w.enrollment_id
JOIN outreach.campaigns c ON c.organisation_id = e.organisation_id AND c.id = e.campaign_id
WHERE e.status = 'active' AND c.status = 'active'

-- name: pf_ensure_daily
INSERT INTO outreach.campaign_daily_sends (organisation_id, campaign_id, local_day)
SELECT DISTINCT organisation_id, campaign_id, local_day
FROM unnest($1::uuid[], $2::uuid[], $3::date[]) AS w(organisation_id, campaign_id, local_day)
ON CONFLICT (organisation_id, campaign_id, local_day) DO NOTHING

-- name: pf_reserve_daily
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
SELECT organisation_id, campaign_id, local_day::text AS local_day, granted FROM granted

-- name: pf_write_sending
WITH w AS (
    SELECT *, md5(u.enrollment_id::text || ':' || u.step_id::text)::uuid AS message_id
    FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::uuid[], $6::uuid[],
                $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $15::text[], $16::uuid[])
        AS u(organisation_id, campaign_id, enrollment_id, step_id, variant_id, prompt_id,
             from_email, to_email, subject, body, in_reply_to, body_html, mailbox_id)),
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
-- Only for tasks this instance ($17) still holds: a daemon that was only slow
-- and whose task the janitor rescued (pf_rescue_leases) must not start a send
-- that its successor may be starting too. FOR SHARE: the rescue either
-- committed first, and then nothing is written here, or skips the row until
-- this is committed 'sending', which its successor then finds.
leased AS (
    SELECT t.organisation_id, t.enrollment_id
    FROM outreach.tasks t
    WHERE (t.organisation_id, t.enrollment_id) IN (SELECT organisation_id, enrollment_id FROM w)
      AND t.kind = 'run_step' AND t.status IN ('pending', 'running') AND t.status = 'running'
      AND t.locked_by = $17::text
    FOR SHARE OF t),
-- FOR SHARE on the enrollments: a reply, bounce or unsubscribe recorded
-- meanwhile (an UPDATE of the row) either committed first, and then the
-- re-checked status leaves the email out, or waits until it is committed
-- 'sending'. A reply that lands while its next step is claimed never lets
-- that step go.
open_enrollments AS (
    SELECT e.organisation_id, e.id
    FROM outreach.campaign_enrollments e
    WHERE (e.organisation_id, e.id) IN (SELECT organisation_id, enrollment_id FROM w)
      AND e.status = 'active'
    ORDER BY e.organisation_id, e.id
    FOR SHARE OF e),
go AS (
    SELECT w.*
    FROM w
    JOIN leased l ON l.organisation_id = w.organisation_id AND l.enrollment_id = w.enrollment_id
    JOIN active_campaigns c ON c.organisation_id = w.organisation_id AND c.id = w.campaign_id
    JOIN open_enrollments e ON e.organisation_id = w.organisation_id AND e.id = w.enrollment_id),
written AS (
    INSERT INTO outreach.messages AS m
        (organisation_id, id, campaign_id, enrollment_id, step_id, variant_id, prompt_id, direction,
         status, from_email, to_email, subject, body_text, body_html, rfc_message_id, in_reply_to,
         reference_ids, attempts, generated_at, mailbox_id)
    SELECT organisation_id, message_id, campaign_id, enrollment_id, step_id, variant_id, prompt_id,
           'outbound', 'sending', from_email, to_email, subject, body, body_html,
           message_id::text || '@' || coalesce(nullif($12::text, ''), split_part(from_email, '@', 2)),
           in_reply_to, CASE WHEN in_reply_to IS NULL THEN '{}'::text[] ELSE ARRAY[in_reply_to] END, 1,
           pf_from_micros($14::bigint), mailbox_id
    FROM go
    ON CONFLICT (organisation_id, enrollment_id, step_id) WHERE direction = 'outbound'
    -- A retry goes from the sender the engine chose now: an enrollment that
    -- was never contacted may have moved to another mailbox of its pool.
    DO UPDATE SET status = 'sending', attempts = m.attempts + 1, last_error = NULL,
                  from_email = EXCLUDED.from_email, mailbox_id = EXCLUDED.mailbox_id,
                  updated_at = pf_from_micros($14::bigint)
    -- $13: the enrollments whose message in flight may go again (policy
    -- resend, or an idempotent adapter); for the others a 'sending' row is
    -- left alone, and the task is held.
    WHERE m.status IN ('pending', 'failed') OR (m.status = 'sending' AND m.enrollment_id = ANY ($13::uuid[]))
    RETURNING m.organisation_id, m.enrollment_id, m.id, m.rfc_message_id, m.from_email, m.to_email,
              coalesce(m.subject, '') AS subject, coalesce(m.body_text, '') AS body, m.in_reply_to,
              m.body_html, m.mailbox_id),
-- The enrollment's sender is the mailbox of its first send (and stays it:
-- the engine changes it only for an enrollment never contacted).
fixed_mailboxes AS (
    UPDATE outreach.campaign_enrollments e SET mailbox_id = written.mailbox_id
    FROM written
    WHERE e.organisation_id = written.organisation_id AND e.id = written.enrollment_id
      AND written.mailbox_id IS NOT NULL AND e.mailbox_id IS DISTINCT FROM written.mailbox_id),
-- Each sent message's tracking token (open pixel, one-click unsubscribe):
-- made with its first write, kept on retries.
new_tokens AS (
    INSERT INTO tracking.pixels (organisation_id, message_id)
    SELECT organisation_id, id FROM written
    ON CONFLICT (organisation_id, message_id) DO NOTHING
    RETURNING organisation_id, message_id, token)
SELECT w.organisation_id, w.enrollment_id, go.enrollment_id IS NOT NULL AS active,
       written.id AS message_id, written.rfc_message_id, written.from_email, written.to_email,
       written.subject, written.body, written.in_reply_to, written.body_html,
       coalesce(nt.token, px.token) AS tracking_token
FROM w
LEFT JOIN go ON go.organisation_id = w.organisation_id AND go.enrollment_id = w.enrollment_id
LEFT JOIN written ON written.organisation_id = w.organisation_id
                 AND written.enrollment_id = w.enrollment_id
LEFT JOIN new_tokens nt ON nt.organisation_id = written.organisation_id AND nt.message_id = written.id
LEFT JOIN tracking.pixels px ON px.organisation_id = written.organisation_id AND px.message_id = written.id


-- name: pf_reserve_starts
-- campaigns.max_new_per_day: first sends per campaign-local day, on the
-- daily limit's row (which pf_reserve_daily created and locked).
WITH current AS (
    SELECT d.organisation_id, d.campaign_id, d.local_day, d.started, w.wanted, c.max_new_per_day
    FROM outreach.campaign_daily_sends d
    JOIN unnest($1::uuid[], $2::uuid[], $3::date[], $4::int[]) AS w(organisation_id, campaign_id, local_day, wanted)
      ON d.organisation_id = w.organisation_id AND d.campaign_id = w.campaign_id AND d.local_day = w.local_day
    JOIN outreach.campaigns c ON c.organisation_id = d.organisation_id AND c.id = d.campaign_id
    ORDER BY d.organisation_id, d.campaign_id, d.local_day
    FOR UPDATE OF d),
granted AS (
    SELECT organisation_id, campaign_id, local_day,
           CASE WHEN max_new_per_day IS NULL THEN wanted
                ELSE greatest(0, least(wanted, max_new_per_day - started)) END AS granted
    FROM current),
updated AS (
    UPDATE outreach.campaign_daily_sends d SET started = d.started + g.granted
    FROM granted g
    WHERE d.organisation_id = g.organisation_id AND d.campaign_id = g.campaign_id
      AND d.local_day = g.local_day AND g.granted > 0
    RETURNING d.organisation_id)
SELECT organisation_id, campaign_id, local_day::text AS local_day, granted FROM granted
