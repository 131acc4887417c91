-- name: pf_rescue_leases
-- Rescued tasks are due at once: wake idle daemons (LISTEN prospectflow_tasks).
WITH rescued AS (
    UPDATE outreach.tasks
    SET status = 'pending', last_error = 'lease of ' || locked_by || ' expired at ' || locked_until
            || ' (daemon presumed dead); task made claimable again',
        locked_by = NULL, locked_until = NULL, updated_at = pf_from_micros($1)
    WHERE status = 'running' AND locked_until < pf_from_micros($1)
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
