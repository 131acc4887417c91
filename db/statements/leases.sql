-- name: pf_rescue_leases
-- The janitor's lease rescue: running tasks whose daemon is presumed dead go
-- back to pending, due at once, so wake idle daemons (LISTEN prospectflow_tasks).
-- Presumed dead, by any of:
--   - the lease ran out ($1 is now): a daemon that never renewed it;
--   - its instance's heartbeat is older than $2 (now - instance_timeout), the
--     fast path after a SIGKILL: seconds, not the whole lease;
--   - its instance has no row (forgotten, or a daemon from before heartbeats)
--     and the lease was neither taken nor renewed since $3 (updated_at is
--     set by the claim and by each renewal).
-- $2 and $3 NULL: leases only (the replay, whose fixtures have no instances).
-- $4, this daemon's own instance, is never rescued by the heartbeat rules: its
-- workers are alive by definition, whatever its clock says of its last beat.
--
-- Rescue is safe against a daemon that was only slow: its finish
-- (pf_finish_tasks) only updates tasks still 'running' under its own
-- locked_by, and pf_write_sending only writes 'sending' for tasks it still
-- holds (FOR SHARE of the task row, which this FOR UPDATE SKIP LOCKED never
-- waits for). A send it had already handed over leaves its message 'sending',
-- and whoever claims the task next finds that row and does not send blindly
-- (scheduler.unknown_outcome). SKIP LOCKED: a task whose row a finish or a
-- 'sending' write holds is being worked on right now; the next pass sees it.
WITH dead AS (
    SELECT t.organisation_id, t.id,
           CASE WHEN t.locked_until < pf_from_micros($1)
                THEN 'lease of ' || t.locked_by || ' expired at ' || t.locked_until
                WHEN i.id IS NOT NULL
                THEN 'instance ' || t.locked_by || ' last beat at ' || i.heartbeat_at
                ELSE 'instance ' || t.locked_by || ' is not registered and last renewed its lease at '
                     || t.updated_at
           END || ' (daemon presumed dead); task made claimable again' AS why
    FROM outreach.tasks t
    LEFT JOIN outreach.instances i ON i.id = t.locked_by
    WHERE t.status = 'running'
      AND (t.locked_until < pf_from_micros($1)
           OR (t.locked_by IS DISTINCT FROM $4::text AND (
                   i.heartbeat_at < pf_from_micros($2::bigint)
                   OR (i.id IS NULL AND t.updated_at < pf_from_micros($3::bigint)))))
    FOR UPDATE OF t SKIP LOCKED),
rescued AS (
    UPDATE outreach.tasks t
    SET status = 'pending', last_error = dead.why,
        locked_by = NULL, locked_until = NULL, updated_at = pf_from_micros($1)
    FROM dead
    WHERE t.organisation_id = dead.organisation_id AND t.id = dead.id
    RETURNING 1),
wake AS (
    SELECT pg_notify('prospectflow_tasks', '') WHERE EXISTS (SELECT 1 FROM rescued))
SELECT (SELECT count(*) FROM rescued) AS rescued, (SELECT count(*) FROM wake) AS woken

-- name: pf_release_leases
-- Given back at shutdown: due at once for the other daemons, so wake them.
WITH released AS (
    UPDATE outreach.tasks
    SET status = 'pending', attempts = greatest(0, attempts - 1), locked_by = NULL,
        locked_until = NULL, last_error = 'released by ' || $1 || ' at shutdown before it ran'
    WHERE status = 'running' AND locked_by = $1
    RETURNING 1),
wake AS (
    SELECT pg_notify('prospectflow_tasks', '') WHERE EXISTS (SELECT 1 FROM released))
SELECT (SELECT count(*) FROM released) AS released, (SELECT count(*) FROM wake) AS woken

-- name: pf_heartbeat
-- The instance's beat ($1 id, $2 host, $3 pid, $4 version, $5 started, $6
-- now, all times from the engine's clock) and its lease renewal, in one
-- statement. The upsert also brings back a row that another daemon's janitor
-- forgot (a daemon that was only slow). Renewal: leases of this instance's
-- running tasks that would end within half a lease ($7 seconds), or within
-- two beats ($8 seconds apart), are pushed to a full lease from now, so a long batch (a slow relay, a big chunk) keeps
-- its tasks; the rest are left alone, so a beat writes no row most of the
-- time. SKIP LOCKED: a task its own worker is finishing or writing 'sending'
-- right now is not waited for (no lock-order deadlock with that worker); the
-- next beat renews it if it is still running.
WITH beat AS (
    INSERT INTO outreach.instances AS i (id, host, pid, version, started_at, heartbeat_at,
                                         created_at, updated_at)
    VALUES ($1, $2, $3::int, $4, pf_from_micros($5), pf_from_micros($6), pf_from_micros($6),
            pf_from_micros($6))
    ON CONFLICT (id) DO UPDATE
    SET heartbeat_at = greatest(i.heartbeat_at, EXCLUDED.heartbeat_at), host = EXCLUDED.host,
        pid = EXCLUDED.pid, version = EXCLUDED.version, updated_at = EXCLUDED.heartbeat_at
    RETURNING 1),
due AS (
    SELECT t.organisation_id, t.id FROM outreach.tasks t
    WHERE t.status = 'running' AND t.locked_by = $1
      AND t.locked_until < pf_from_micros($6)
          + make_interval(secs => greatest($7::double precision / 2, 2 * $8::double precision))
    FOR UPDATE OF t SKIP LOCKED),
renewed AS (
    UPDATE outreach.tasks t
    SET locked_until = pf_from_micros($6) + make_interval(secs => $7::double precision),
        updated_at = pf_from_micros($6)
    FROM due
    WHERE t.organisation_id = due.organisation_id AND t.id = due.id AND t.status = 'running'
      AND t.locked_by = $1
    RETURNING 1)
SELECT (SELECT count(*) FROM beat) AS beats, (SELECT count(*) FROM renewed) AS renewed

-- name: pf_deregister_instance
-- A clean stop, after the daemon gave back its leases.
DELETE FROM outreach.instances WHERE id = $1

-- name: pf_forget_instances
-- Rows of instances silent since $1 (long dead): their leases, if any are
-- left, fall under the rescue's "not registered" rule.
DELETE FROM outreach.instances WHERE heartbeat_at < pf_from_micros($1)
