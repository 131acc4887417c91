-- Daemon instances: each running prospectflowd registers here at start,
-- beats every scheduler.heartbeat_interval_seconds and deletes its row on a
-- clean stop. The janitor's lease rescue (db/statements/leases.sql) reads it:
-- a task 'running' under an instance whose heartbeat is older than
-- scheduler.instance_timeout_seconds, or under an instance with no row whose
-- lease was not renewed for that long, is claimable again within seconds
-- instead of at the end of its lease (minutes).
--
-- The documented exception to DESIGN's tenant rules (like the global
-- tasks_lease_idx): a daemon serves every organisation, so this table has no
-- organisation_id, its key is the instance id alone, and no tenant row
-- points at it or is pointed at by it (tasks.locked_by is a plain text copy of
-- the id, not a foreign key: a lease must survive its instance's row, which is
-- exactly the case the rescue looks for). It holds no tenant data, so sharding
-- by tenant would replicate it, not split it. db/validation-tests.sql checks
-- that it stays that way.
CREATE TABLE IF NOT EXISTS outreach.instances (
    -- The id the daemon leases tasks under (tasks.locked_by): host:pid.
    id           text        NOT NULL PRIMARY KEY,
    host         text        NOT NULL,
    pid          integer     NOT NULL,
    version      text        NOT NULL,
    started_at   timestamptz NOT NULL,
    -- Written from the engine's clock, as are the leases it is compared with.
    heartbeat_at timestamptz NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT instances_pid_positive CHECK (pid > 0),
    CONSTRAINT instances_id_not_empty CHECK (id <> '')
);

CREATE OR REPLACE TRIGGER instances_touch_updated_at BEFORE UPDATE ON outreach.instances
    FOR EACH ROW EXECUTE FUNCTION public.pf_touch_updated_at();
