-- The engine's side of the schema: daily send counters, sender pacing, and
-- the triggers that keep outreach.tasks in step with what the app writes.
--
-- The app's contract stays as DESIGN section 2 says: it inserts an 'active'
-- enrollment into an 'active' campaign and the first step is enqueued here;
-- it sets an enrollment's status (or records a reply) and its pending tasks
-- are cancelled here. The daemon never has to be called.

-- Exact conversions between timestamptz and microseconds since the epoch:
-- the daemon passes its own clock's time (virtual in tests) as a bigint.
CREATE OR REPLACE FUNCTION public.pf_from_micros(micros bigint) RETURNS timestamptz
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT timestamptz 'epoch' + micros * interval '1 microsecond';
$$;
CREATE OR REPLACE FUNCTION public.pf_micros(t timestamptz) RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT (extract(epoch FROM t) * 1000000)::bigint;
$$;

-- Sends reserved per campaign and campaign-local day against
-- campaigns.daily_send_limit. The daemon reserves a slot (row lock, one
-- UPDATE) before it hands a message over, so several daemons together never
-- exceed the limit; a slot is given back when the send fails.
CREATE TABLE IF NOT EXISTS outreach.campaign_daily_sends (
    organisation_id uuid        NOT NULL,
    campaign_id     uuid        NOT NULL,
    local_day       date        NOT NULL,
    reserved        integer     NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT campaign_daily_sends_pkey PRIMARY KEY (organisation_id, campaign_id, local_day),
    CONSTRAINT campaign_daily_sends_organisation_fkey FOREIGN KEY (organisation_id)
        REFERENCES iam.organisations (id) ON DELETE CASCADE,
    CONSTRAINT campaign_daily_sends_campaign_fkey FOREIGN KEY (organisation_id, campaign_id)
        REFERENCES outreach.campaigns (organisation_id, id) ON DELETE CASCADE,
    CONSTRAINT campaign_daily_sends_reserved_non_negative CHECK (reserved >= 0)
);

-- The earliest instant a sender's next email may go: consecutive sends of
-- one sender are spaced by a small random interval, across all daemons.
CREATE TABLE IF NOT EXISTS outreach.sender_pacing (
    organisation_id uuid          NOT NULL,
    from_email      public.citext NOT NULL,
    next_send_at    timestamptz   NOT NULL,
    created_at      timestamptz   NOT NULL DEFAULT now(),
    updated_at      timestamptz   NOT NULL DEFAULT now(),
    CONSTRAINT sender_pacing_pkey PRIMARY KEY (organisation_id, from_email),
    CONSTRAINT sender_pacing_organisation_fkey FOREIGN KEY (organisation_id)
        REFERENCES iam.organisations (id) ON DELETE CASCADE
);

CREATE OR REPLACE TRIGGER campaign_daily_sends_touch_updated_at BEFORE UPDATE ON outreach.campaign_daily_sends
    FOR EACH ROW EXECUTE FUNCTION public.pf_touch_updated_at();
CREATE OR REPLACE TRIGGER sender_pacing_touch_updated_at BEFORE UPDATE ON outreach.sender_pacing
    FOR EACH ROW EXECUTE FUNCTION public.pf_touch_updated_at();

-- The step an enrollment does next: the campaign's first step after the last
-- one done (step orders need not be contiguous). NULL when none is left.
CREATE OR REPLACE FUNCTION outreach.next_step_id(organisation uuid, campaign uuid, done_order integer)
RETURNS uuid LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT ws.id FROM outreach.workflow_steps ws
    WHERE ws.organisation_id = organisation AND ws.campaign_id = campaign AND ws.step_order > done_order
    ORDER BY ws.step_order LIMIT 1;
$$;

-- New enrollments: enqueue the next step (normally step 1) of every active
-- enrollment of an active campaign. Statement-level, so a bulk import is one
-- INSERT ... SELECT. The task is due at the enrollment's next_run_at when the
-- app set one, else at its created_at.
CREATE OR REPLACE FUNCTION outreach.enqueue_new_enrollments() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO outreach.tasks (organisation_id, campaign_id, enrollment_id, step_id, run_at)
    SELECT organisation_id, campaign_id, id, step_id, run_at FROM (
        SELECT n.organisation_id, n.campaign_id, n.id, coalesce(n.next_run_at, n.created_at) AS run_at,
               outreach.next_step_id(n.organisation_id, n.campaign_id, n.current_step_order) AS step_id
        FROM new_enrollments n
        JOIN outreach.campaigns c
          ON c.organisation_id = n.organisation_id AND c.id = n.campaign_id AND c.status = 'active'
        WHERE n.status = 'active') next
    WHERE step_id IS NOT NULL
    ON CONFLICT (organisation_id, enrollment_id) WHERE kind = 'run_step' AND status IN ('pending', 'running')
    DO NOTHING;
    RETURN NULL;
END;
$$;
CREATE OR REPLACE TRIGGER campaign_enrollments_enqueue
    AFTER INSERT ON outreach.campaign_enrollments
    REFERENCING NEW TABLE AS new_enrollments
    FOR EACH STATEMENT EXECUTE FUNCTION outreach.enqueue_new_enrollments();

-- An enrollment that stops being active (replied, bounced, unsubscribed,
-- removed, paused, failed or completed by the app) loses its pending tasks,
-- with the reason; one that becomes active again gets its next step.
CREATE OR REPLACE FUNCTION outreach.sync_enrollment_tasks() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status <> 'active' THEN
        UPDATE outreach.tasks
        SET status = 'cancelled', finished_at = now(),
            last_error = 'cancelled: enrollment is now ' || NEW.status
        WHERE organisation_id = NEW.organisation_id AND enrollment_id = NEW.id AND status = 'pending';
    ELSE
        INSERT INTO outreach.tasks (organisation_id, campaign_id, enrollment_id, step_id, run_at)
        SELECT c.organisation_id, c.id, NEW.id,
               outreach.next_step_id(c.organisation_id, c.id, NEW.current_step_order), now()
        FROM outreach.campaigns c
        WHERE c.organisation_id = NEW.organisation_id AND c.id = NEW.campaign_id AND c.status = 'active'
          AND outreach.next_step_id(c.organisation_id, c.id, NEW.current_step_order) IS NOT NULL
        ON CONFLICT (organisation_id, enrollment_id) WHERE kind = 'run_step' AND status IN ('pending', 'running')
        DO NOTHING;
    END IF;
    RETURN NULL;
END;
$$;
CREATE OR REPLACE TRIGGER campaign_enrollments_sync_tasks
    AFTER UPDATE OF status ON outreach.campaign_enrollments
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION outreach.sync_enrollment_tasks();

-- A campaign that becomes active (launched, or resumed) enqueues its active
-- enrollments that have no open task yet and steps left, due when they were
-- planned (next_run_at) or else when they were enrolled. Tasks that fell due
-- while it was paused stay as they are: the daemon's windows, daily limit and
-- sender pacing decide when they go, so a resume is never a burst.
CREATE OR REPLACE FUNCTION outreach.enqueue_activated_campaign() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO outreach.tasks (organisation_id, campaign_id, enrollment_id, step_id, run_at)
    SELECT organisation_id, campaign_id, id, step_id, run_at FROM (
        SELECT e.organisation_id, e.campaign_id, e.id, coalesce(e.next_run_at, e.created_at) AS run_at,
               outreach.next_step_id(e.organisation_id, e.campaign_id, e.current_step_order) AS step_id
        FROM outreach.campaign_enrollments e
        WHERE e.organisation_id = NEW.organisation_id AND e.campaign_id = NEW.id AND e.status = 'active') next
    WHERE step_id IS NOT NULL
    ON CONFLICT (organisation_id, enrollment_id) WHERE kind = 'run_step' AND status IN ('pending', 'running')
    DO NOTHING;
    PERFORM pg_notify('prospectflow_tasks', '');
    RETURN NULL;
END;
$$;
CREATE OR REPLACE TRIGGER campaigns_enqueue_on_activate
    AFTER UPDATE OF status ON outreach.campaigns
    FOR EACH ROW WHEN (NEW.status = 'active' AND OLD.status IS DISTINCT FROM 'active')
    EXECUTE FUNCTION outreach.enqueue_activated_campaign();

-- A reply (an inbound message) ends its enrollment; a bounce too.
CREATE OR REPLACE FUNCTION outreach.stop_enrollment_on_event() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    new_status text := CASE WHEN NEW.direction = 'inbound' THEN 'replied' ELSE 'bounced' END;
BEGIN
    UPDATE outreach.campaign_enrollments
    SET status = new_status, finished_at = now(),
        last_error = CASE WHEN new_status = 'replied' THEN NULL
                          ELSE 'bounced: ' || coalesce(NEW.last_error, 'message ' || NEW.id || ' bounced') END
    WHERE organisation_id = NEW.organisation_id AND id = NEW.enrollment_id
      AND status IN ('active', 'paused');
    RETURN NULL;
END;
$$;
CREATE OR REPLACE TRIGGER messages_reply_stops_enrollment
    AFTER INSERT ON outreach.messages
    FOR EACH ROW WHEN (NEW.direction = 'inbound')
    EXECUTE FUNCTION outreach.stop_enrollment_on_event();
CREATE OR REPLACE TRIGGER messages_bounce_stops_enrollment
    AFTER UPDATE OF status ON outreach.messages
    FOR EACH ROW WHEN (NEW.status = 'bounced' AND OLD.status IS DISTINCT FROM 'bounced')
    EXECUTE FUNCTION outreach.stop_enrollment_on_event();

-- Wake idle daemons (LISTEN prospectflow_tasks) when a task is, or is about
-- to be, due. clock_timestamp(), not now(): a task due "now" may carry a time
-- taken after this transaction began, or a daemon's clock a little ahead of
-- the server's. A woken worker that finds nothing due yet sleeps until the
-- next due task, so waking a few seconds early costs nothing. PostgreSQL
-- folds identical notifications of one transaction into one.
CREATE OR REPLACE FUNCTION outreach.notify_due_tasks() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM changed_tasks
               WHERE status = 'pending' AND run_at <= clock_timestamp() + interval '5 seconds') THEN
        PERFORM pg_notify('prospectflow_tasks', '');
    END IF;
    RETURN NULL;
END;
$$;
CREATE OR REPLACE TRIGGER tasks_notify_due_on_insert
    AFTER INSERT ON outreach.tasks REFERENCING NEW TABLE AS changed_tasks
    FOR EACH STATEMENT EXECUTE FUNCTION outreach.notify_due_tasks();
CREATE OR REPLACE TRIGGER tasks_notify_due_on_update
    AFTER UPDATE ON outreach.tasks REFERENCING NEW TABLE AS changed_tasks
    FOR EACH STATEMENT EXECUTE FUNCTION outreach.notify_due_tasks();

-- Databases that had enrollments before these triggers: enqueue the next
-- step of every active enrollment of an active campaign that has none open.
INSERT INTO outreach.tasks (organisation_id, campaign_id, enrollment_id, step_id, run_at)
SELECT organisation_id, campaign_id, id, step_id, run_at FROM (
    SELECT e.organisation_id, e.campaign_id, e.id, coalesce(e.next_run_at, now()) AS run_at,
           outreach.next_step_id(e.organisation_id, e.campaign_id, e.current_step_order) AS step_id
    FROM outreach.campaign_enrollments e
    JOIN outreach.campaigns c
      ON c.organisation_id = e.organisation_id AND c.id = e.campaign_id AND c.status = 'active'
    WHERE e.status = 'active') next
WHERE step_id IS NOT NULL
ON CONFLICT (organisation_id, enrollment_id) WHERE kind = 'run_step' AND status IN ('pending', 'running')
DO NOTHING;

-- The queue's hot tables change every row several times in minutes: vacuum
-- and analyze them after a fixed number of changes rather than a fraction of
-- their size, and without throttling, or dead index entries pile up in front
-- of the claim. (autovacuum_naptime, a server setting, bounds how soon
-- autovacuum comes round; README's operations section recommends 5 s.)
ALTER TABLE outreach.tasks SET (
    autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 2000,
    autovacuum_vacuum_insert_scale_factor = 0, autovacuum_vacuum_insert_threshold = 5000,
    autovacuum_analyze_scale_factor = 0, autovacuum_analyze_threshold = 2000,
    autovacuum_vacuum_cost_delay = 0);
ALTER TABLE outreach.messages SET (
    autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 2000,
    autovacuum_vacuum_insert_scale_factor = 0, autovacuum_vacuum_insert_threshold = 5000,
    autovacuum_analyze_scale_factor = 0, autovacuum_analyze_threshold = 2000,
    autovacuum_vacuum_cost_delay = 0);
ALTER TABLE outreach.campaign_enrollments SET (
    autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 2000,
    autovacuum_analyze_scale_factor = 0, autovacuum_analyze_threshold = 2000,
    autovacuum_vacuum_cost_delay = 0);
