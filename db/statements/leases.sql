-- name: pf_rescue_leases
UPDATE outreach.tasks
SET status = 'pending', last_error = 'lease of ' || locked_by || ' expired at ' || locked_until
        || ' (daemon presumed dead); task made claimable again',
    locked_by = NULL, locked_until = NULL
WHERE status = 'running' AND locked_until < pf_from_micros($1)

-- name: pf_release_leases
UPDATE outreach.tasks
SET status = 'pending', attempts = greatest(0, attempts - 1), locked_by = NULL, locked_until = NULL,
    last_error = 'released by ' || $1 || ' at shutdown before it ran'
WHERE status = 'running' AND locked_by = $1

