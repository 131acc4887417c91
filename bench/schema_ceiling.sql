-- The ceiling this schema puts on any engine: the row writes one step needs
-- (claim the task, write the message 'sending', mark it sent, advance the
-- enrollment, complete the task, enqueue the next step), set-based over a
-- batch of claimed tasks, with no engine logic at all: no templates, no
-- windows, no A/B, no adapter, one transaction per batch. bench/engine-bench
-- runs it with pgbench next to the peers and prospectflowd on one cluster.
CREATE OR REPLACE FUNCTION public.bench_schema_ceiling(batch integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    orgs uuid[]; ids uuid[]; campaigns uuid[]; enrollments uuid[]; steps uuid[];
BEGIN
    WITH claimed AS (
        UPDATE outreach.tasks t
        SET status = 'running', locked_by = 'ceiling', locked_until = now() + interval '5 minutes',
            attempts = t.attempts + 1
        FROM (SELECT organisation_id, id FROM outreach.tasks
              WHERE status = 'pending' AND run_at <= now()
              ORDER BY run_at, organisation_id, id LIMIT batch FOR UPDATE SKIP LOCKED) due
        WHERE t.organisation_id = due.organisation_id AND t.id = due.id
        RETURNING t.organisation_id, t.id, t.campaign_id, t.enrollment_id, t.step_id)
    SELECT array_agg(organisation_id), array_agg(id), array_agg(campaign_id), array_agg(enrollment_id),
           array_agg(step_id)
    INTO orgs, ids, campaigns, enrollments, steps FROM claimed;
    IF ids IS NULL THEN
        RETURN 0;
    END IF;
    INSERT INTO outreach.messages (organisation_id, id, campaign_id, enrollment_id, step_id, prompt_id,
                                   direction, status, from_email, to_email, subject, body_text, rfc_message_id)
    SELECT w.o, md5(w.e::text || ':' || w.s::text)::uuid, w.c, w.e, w.s, ws.prompt_id, 'outbound', 'sending',
           'load@load.example', 'p@load-prospects.example', 'Bonjour', 'Une idée.',
           md5(w.e::text || ':' || w.s::text) || '@load.example'
    FROM unnest(orgs, campaigns, enrollments, steps) AS w(o, c, e, s)
    JOIN outreach.workflow_steps ws ON ws.organisation_id = w.o AND ws.id = w.s;
    UPDATE outreach.messages m SET status = 'sent', sent_at = now()
    FROM unnest(orgs, enrollments, steps) AS w(o, e, s)
    WHERE m.organisation_id = w.o AND m.id = md5(w.e::text || ':' || w.s::text)::uuid;
    UPDATE outreach.campaign_enrollments e
    SET current_step_order = ws.step_order, next_run_at = now(),
        status = CASE WHEN outreach.next_step_id(e.organisation_id, e.campaign_id, ws.step_order) IS NULL
                      THEN 'completed' ELSE 'active' END
    FROM unnest(orgs, enrollments, steps) AS w(o, en, s)
    JOIN outreach.workflow_steps ws ON ws.organisation_id = w.o AND ws.id = w.s
    WHERE e.organisation_id = w.o AND e.id = w.en;
    UPDATE outreach.tasks t SET status = 'succeeded', finished_at = now(), locked_by = NULL, locked_until = NULL
    FROM unnest(orgs, ids) AS w(o, i)
    WHERE t.organisation_id = w.o AND t.id = w.i;
    INSERT INTO outreach.tasks (organisation_id, campaign_id, enrollment_id, step_id, run_at)
    SELECT w.o, w.c, w.e, nxt.id, now()
    FROM unnest(orgs, campaigns, enrollments, steps) AS w(o, c, e, s)
    JOIN outreach.workflow_steps ws ON ws.organisation_id = w.o AND ws.id = w.s
    CROSS JOIN LATERAL (SELECT outreach.next_step_id(w.o, w.c, ws.step_order) AS id) nxt
    WHERE nxt.id IS NOT NULL;
    RETURN array_length(ids, 1);
END;
$$;
