-- name: pf_claim
-- Fair across organisations: one organisation's backlog must not hold
-- another's few due tasks until it drains. Each organisation with due tasks
-- gets a share of the batch (all of it when it is alone); the batch takes
-- every organisation's oldest task first, then every one's second, and so
-- on. Every step walks tasks_org_due_idx; nothing sorts all that is due.
WITH RECURSIVE orgs AS (
    -- Skip scan: each organisation with pending tasks, one index probe each,
    -- with its earliest pending run_at (the first entry of its range).
    (SELECT t.organisation_id, t.run_at FROM outreach.tasks t
     WHERE t.status = 'pending'
     ORDER BY t.organisation_id, t.run_at LIMIT 1)
    UNION ALL
    SELECT n.organisation_id, n.run_at
    FROM orgs o
    CROSS JOIN LATERAL (
        SELECT t.organisation_id, t.run_at FROM outreach.tasks t
        WHERE t.status = 'pending' AND t.organisation_id > o.organisation_id
        ORDER BY t.organisation_id, t.run_at LIMIT 1) n),
due_orgs AS (
    SELECT organisation_id FROM orgs WHERE run_at <= pf_from_micros($1)),
-- Twice the fair share, so an organisation with fewer due tasks than its
-- share leaves room that the others fill.
share AS (
    SELECT least($2, ceil(2.0 * $2 / greatest(1, count(*))))::int AS n FROM due_orgs),
candidates AS (
    SELECT d.organisation_id, d.id, d.run_at,
           row_number() OVER (PARTITION BY d.organisation_id ORDER BY d.run_at, d.id) AS turn
    FROM due_orgs o
    CROSS JOIN share
    CROSS JOIN LATERAL (
        -- The campaign check is a boolean scalar subquery on purpose: the
        -- planner cannot turn it into a join, so this walks the
        -- organisation's range of tasks_org_due_idx in run_at order and stops
        -- after its share, however many due tasks one campaign has.
        SELECT t.organisation_id, t.id, t.run_at
        FROM outreach.tasks t
        WHERE t.organisation_id = o.organisation_id AND t.status = 'pending'
          AND t.run_at <= pf_from_micros($1)
          AND (SELECT c.status = 'active' FROM outreach.campaigns c
               WHERE c.organisation_id = t.organisation_id AND c.id = t.campaign_id)
        ORDER BY t.run_at, t.id
        LIMIT share.n
        FOR UPDATE OF t SKIP LOCKED) d),
-- The picked tasks travel as two arrays: unnest() is always estimated at a
-- handful of rows, so even the generic plan of this prepared statement
-- updates them by primary key. (Joined as a relation, the generic plan took
-- LIMIT $2 for thousands of rows and hashed a sequential scan of every task.)
picked AS (
    SELECT array_agg(organisation_id) AS organisation_ids, array_agg(id) AS ids
    FROM (SELECT organisation_id, id FROM candidates
          ORDER BY turn, run_at, organisation_id, id
          LIMIT $2) p),
claimed AS (
    UPDATE outreach.tasks t
    SET status = 'running', locked_by = $3,
        locked_until = pf_from_micros($1) + make_interval(secs => $4), attempts = t.attempts + 1,
        updated_at = pf_from_micros($1)
    FROM unnest((SELECT organisation_ids FROM picked), (SELECT ids FROM picked))
        AS due(organisation_id, id)
    WHERE t.organisation_id = due.organisation_id AND t.id = due.id
    RETURNING t.organisation_id, t.id, t.campaign_id, t.enrollment_id, t.step_id, t.run_at,
              t.attempts, t.max_attempts)
-- Read by column name (db/claim_rows.cpp): add, drop or reorder freely.
SELECT k.organisation_id, k.id AS task_id, k.campaign_id, k.enrollment_id,
       coalesce(k.step_id::text, '') AS step_id, pf_micros(k.run_at) AS run_at,
       k.attempts, k.max_attempts,
       e.status AS enrollment_status, e.current_step_order,
       c.status AS campaign_status, c.name AS campaign_name, c.timezone AS campaign_timezone,
       (extract(epoch FROM c.send_window_start) / 60)::int AS window_start_minutes,
       (extract(epoch FROM c.send_window_end) / 60)::int AS window_end_minutes,
       c.send_days::text AS send_days, c.daily_send_limit, c.from_email,
       coalesce(c.from_name, '') AS from_name, coalesce(c.reply_to, '') AS reply_to,
       c.track_opens,
       s.id IS NOT NULL AS step_exists, coalesce(s.step_order, 0) AS step_order,
       coalesce(s.condition, 'always') AS condition,
       coalesce(s.thread_with_previous, false) AS thread_with_previous,
       coalesce(s.prompt_id::text, '') AS step_prompt_id,
       coalesce(sp.subject_template, '') AS step_subject_template,
       coalesce(sp.body_template, '') AS step_body_template,
       nxt.id AS next_step_id, coalesce(nxt.delay_seconds, 0) AS next_step_delay_seconds,
       p.first_name, p.last_name, coalesce(p.email, '') AS person_email,
       coalesce(p.timezone, '') AS person_timezone,
       coalesce(pos.title, '') AS position_title, coalesce(pos.email, '') AS position_email,
       coalesce(pos.email_status, '') AS email_status,
       coalesce(co.name, '') AS company_name, coalesce(co.siren, '') AS company_siren,
       coalesce(co.naf_code, '') AS company_naf_code, coalesce(co.domain, '') AS company_domain,
       a.variant_id AS assigned_variant_id, coalesce(a.label, '') AS assigned_label,
       coalesce(a.prompt_id::text, '') AS assigned_prompt_id,
       coalesce(a.subject_template, '') AS assigned_subject_template,
       coalesce(a.body_template, '') AS assigned_body_template,
       x.id AS experiment_id, coalesce(x.status, '') AS experiment_status,
       x.winner_variant_id, x.variants,
       m.id AS message_id, coalesce(m.status, '') AS message_status,
       m.has_text AS message_has_text, m.opened,
       m.root_rfc_message_id AS thread_root_message_id,
       coalesce(m.root_subject, '') AS thread_root_subject,
       f.replied, coalesce(f.suppressed, '') AS suppressed_reason,
       EXISTS (SELECT 1 FROM outreach.campaign_mailboxes cm
               WHERE cm.organisation_id = k.organisation_id AND cm.campaign_id = k.campaign_id)
           AS campaign_has_pool,
       e.mailbox_id AS enrollment_mailbox_id, m.contacted, c.max_new_per_day,
       coalesce(nxt.delay_unit, '') AS next_step_delay_unit,
       coalesce(nxt.delay_amount, 0)::bigint AS next_step_delay_amount,
       c.holiday_calendar, c.holiday_calendar_from_country,
       coalesce(p.country, '') AS person_country, coalesce(co.country, '') AS company_country,
       hol.days AS custom_holidays, pf_micros(m.sent_at) AS message_sent_at
FROM claimed k
JOIN outreach.campaign_enrollments e ON e.organisation_id = k.organisation_id AND e.id = k.enrollment_id
JOIN outreach.campaigns c ON c.organisation_id = k.organisation_id AND c.id = k.campaign_id
JOIN crm.people p ON p.organisation_id = e.organisation_id AND p.id = e.person_id
LEFT JOIN crm.positions pos ON pos.organisation_id = e.organisation_id AND pos.id = e.position_id
LEFT JOIN crm.companies co ON co.organisation_id = pos.organisation_id AND co.id = pos.company_id
LEFT JOIN outreach.workflow_steps s ON s.organisation_id = k.organisation_id AND s.id = k.step_id
LEFT JOIN outreach.prompts sp ON sp.organisation_id = s.organisation_id AND sp.id = s.prompt_id
LEFT JOIN LATERAL (
    SELECT ws.id, ws.delay_seconds, ws.delay_unit, ws.delay_amount FROM outreach.workflow_steps ws
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
           (array_agg(om.sent_at) FILTER (WHERE om.step_id = k.step_id))[1] AS sent_at,
           coalesce(bool_or(os.open_count > 0), false) AS opened,
           (array_agg(om.rfc_message_id ORDER BY rs.step_order)
                FILTER (WHERE om.status = 'sent' AND rs.step_order < s.step_order))[1] AS root_rfc_message_id,
           (array_agg(om.subject ORDER BY rs.step_order)
                FILTER (WHERE om.status = 'sent' AND rs.step_order < s.step_order))[1] AS root_subject,
           coalesce(bool_or(om.status IN ('sent', 'bounced', 'sending')), false) AS contacted
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
-- The organisation's and the campaign's own days off, from the day before
-- the task's (any zone's local day of run_at is no earlier) on; a handful.
LEFT JOIN LATERAL (
    SELECT json_agg(json_build_object('day', h.day, 'name', h.name) ORDER BY h.day)::text AS days
    FROM outreach.holidays h
    WHERE h.organisation_id = k.organisation_id
      AND (h.campaign_id IS NULL OR h.campaign_id = k.campaign_id)
      AND h.day >= (k.run_at AT TIME ZONE 'UTC')::date - 1) hol ON true
ORDER BY k.run_at, k.organisation_id, k.id

