-- name: pf_next_due
-- The earliest run_at after $1 of a pending task of an active campaign: per
-- organisation with pending tasks (the claim's skip scan), the first such
-- task in its range of tasks_org_due_idx. The bound is an InitPlan:
-- evaluated once, not per row.
WITH RECURSIVE orgs AS (
    (SELECT t.organisation_id FROM outreach.tasks t
     WHERE t.status = 'pending'
     ORDER BY t.organisation_id, t.run_at LIMIT 1)
    UNION ALL
    SELECT n.organisation_id
    FROM orgs o
    CROSS JOIN LATERAL (
        SELECT t.organisation_id FROM outreach.tasks t
        WHERE t.status = 'pending' AND t.organisation_id > o.organisation_id
        ORDER BY t.organisation_id, t.run_at LIMIT 1) n)
SELECT pf_micros(min(first.run_at)) AS run_at
FROM orgs o
CROSS JOIN LATERAL (
    SELECT t.run_at FROM outreach.tasks t
    WHERE t.organisation_id = o.organisation_id AND t.status = 'pending'
      AND t.run_at > (SELECT pf_from_micros($1))
      AND (SELECT c.status = 'active' FROM outreach.campaigns c
           WHERE c.organisation_id = t.organisation_id AND c.id = t.campaign_id)
    ORDER BY t.run_at LIMIT 1) first
HAVING min(first.run_at) IS NOT NULL
