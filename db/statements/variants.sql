-- name: pf_assign_variants
WITH wanted AS (
    SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::uuid[])
        AS w(organisation_id, enrollment_id, step_id, experiment_id, variant_id)),
inserted AS (
    INSERT INTO outreach.enrollment_step_variant_assignments
        (organisation_id, enrollment_id, step_id, experiment_id, variant_id, assigned_at)
    SELECT organisation_id, enrollment_id, step_id, experiment_id, variant_id, pf_from_micros($6) FROM wanted
    ON CONFLICT (organisation_id, enrollment_id, experiment_id) DO NOTHING
    RETURNING organisation_id, enrollment_id, experiment_id, variant_id)
SELECT w.organisation_id, w.enrollment_id, w.step_id, w.experiment_id,
       coalesce(i.variant_id, a.variant_id) AS variant_id
FROM wanted w
LEFT JOIN inserted i ON i.organisation_id = w.organisation_id AND i.enrollment_id = w.enrollment_id
                    AND i.experiment_id = w.experiment_id
LEFT JOIN outreach.enrollment_step_variant_assignments a
  ON a.organisation_id = w.organisation_id AND a.enrollment_id = w.enrollment_id
 AND a.experiment_id = w.experiment_id

-- name: pf_read_variants
SELECT a.organisation_id, a.enrollment_id, a.step_id, a.experiment_id, a.variant_id
FROM outreach.enrollment_step_variant_assignments a
JOIN unnest($1::uuid[], $2::uuid[], $3::uuid[]) AS w(organisation_id, enrollment_id, experiment_id)
  ON a.organisation_id = w.organisation_id AND a.enrollment_id = w.enrollment_id
 AND a.experiment_id = w.experiment_id

-- name: pf_prompt_generation
SELECT p.organisation_id, p.id AS prompt_id, p.generator, coalesce(p.system_prompt, '') AS system_prompt,
       coalesce(p.model, '') AS model
FROM outreach.prompts p
JOIN (SELECT DISTINCT * FROM unnest($1::uuid[], $2::uuid[])) AS w(organisation_id, id)
  ON p.organisation_id = w.organisation_id AND p.id = w.id

