-- name: pf_next_due
-- Like the claim: walk tasks_due_idx from the bound in run_at order and stop
-- at the first task of an active campaign. A join let the planner start from
-- the campaign and sort all its tasks (read every time, ~1,000x the rows).
-- The bound is an InitPlan: evaluated once, not per row.
SELECT pf_micros(t.run_at) AS run_at
FROM outreach.tasks t
WHERE t.status = 'pending' AND t.run_at > (SELECT pf_from_micros($1))
  AND (SELECT c.status = 'active' FROM outreach.campaigns c
       WHERE c.organisation_id = t.organisation_id AND c.id = t.campaign_id)
ORDER BY t.run_at LIMIT 1

