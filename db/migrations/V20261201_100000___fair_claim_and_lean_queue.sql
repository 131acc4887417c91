-- The step queue, fairer and leaner (issue: the step pipeline in phases).
--
-- Fair claims. tasks_due_idx (run_at, organisation_id, id) let one
-- organisation's backlog of due tasks sit in front of every other
-- organisation's until it drained. The claim now walks the pending tasks
-- organisation by organisation: a skip scan over this index finds each
-- organisation with pending work in one probe (its first entry is its
-- earliest run_at), and takes a share of the batch from each. It leads with
-- organisation_id like every other tenant index, so the global index goes.
CREATE INDEX IF NOT EXISTS tasks_org_due_idx
    ON outreach.tasks (organisation_id, run_at, id) WHERE status = 'pending';
DROP INDEX IF EXISTS outreach.tasks_due_idx;

-- Per-campaign task counts (control port, console) only ask about open and
-- failed tasks; a partial index skips the finished ones, so completing a
-- task adds no entry to it.
CREATE INDEX IF NOT EXISTS tasks_campaign_open_idx
    ON outreach.tasks (organisation_id, campaign_id, status)
    WHERE status IN ('pending', 'running', 'failed');
DROP INDEX IF EXISTS outreach.tasks_campaign_status_idx;

-- updated_at on the hot tables: the engine's statements set it themselves
-- (to the engine's clock), so the per-row PL/pgSQL call runs only for
-- updates that leave it unchanged (the app's, the control port's).
CREATE OR REPLACE TRIGGER tasks_touch_updated_at BEFORE UPDATE ON outreach.tasks
    FOR EACH ROW WHEN (NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at)
    EXECUTE FUNCTION public.pf_touch_updated_at();
CREATE OR REPLACE TRIGGER messages_touch_updated_at BEFORE UPDATE ON outreach.messages
    FOR EACH ROW WHEN (NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at)
    EXECUTE FUNCTION public.pf_touch_updated_at();
CREATE OR REPLACE TRIGGER campaign_enrollments_touch_updated_at
    BEFORE UPDATE ON outreach.campaign_enrollments
    FOR EACH ROW WHEN (NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at)
    EXECUTE FUNCTION public.pf_touch_updated_at();

-- Wake-ups on UPDATE: the statement trigger built a transition table of
-- every claimed and finished task (two to six statements per batch) to find
-- the rare update that makes a task due. The statements that do that notify
-- themselves instead: the engine's finish and lease rescue
-- (db/statements), an operator's retry (db/control_store.cpp). Inserts keep
-- their trigger (the app's enrollments, next steps).
DROP TRIGGER IF EXISTS tasks_notify_due_on_update ON outreach.tasks;
