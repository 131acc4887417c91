-- A load for tests and benchmarks: one organisation, one campaign whose
-- window is always open, :steps steps with no delay, :enrollments enrollments.
-- The campaign is activated last, so one trigger statement enqueues every
-- first step.  psql -v enrollments=2000 -v steps=3 -f bench/seed_load.sql
\set ON_ERROR_STOP 1
BEGIN;
INSERT INTO iam.organisations (id, name, slug)
VALUES ('10ad0000-0000-4000-8000-000000000001', 'Load', 'load');
INSERT INTO crm.companies (organisation_id, id, name, naf_code)
VALUES ('10ad0000-0000-4000-8000-000000000001', '10ad0000-0000-4000-8000-0000000000c1', 'Charge SA', '62.01Z');
INSERT INTO outreach.prompts (organisation_id, id, name, subject_template, body_template)
VALUES ('10ad0000-0000-4000-8000-000000000001', '10ad0000-0000-4000-8000-0000000000f1', 'load',
        'Bonjour {{person.first_name}}', 'Une idée pour {{company.name}}.');
INSERT INTO outreach.campaigns (organisation_id, id, name, status, timezone, send_window_start, send_window_end,
                                send_days, daily_send_limit, from_email, from_name)
VALUES ('10ad0000-0000-4000-8000-000000000001', '10ad0000-0000-4000-8000-0000000000a1', 'Load', 'draft', 'UTC',
        '00:00', '24:00', '{1,2,3,4,5,6,7}', 1000000, 'load@load.example', 'Load');
INSERT INTO outreach.workflow_steps (organisation_id, id, campaign_id, step_order, delay_seconds, prompt_id)
SELECT '10ad0000-0000-4000-8000-000000000001', md5('load-step' || i)::uuid, '10ad0000-0000-4000-8000-0000000000a1',
       i, 0, '10ad0000-0000-4000-8000-0000000000f1'
FROM generate_series(1, :steps) AS i;
INSERT INTO crm.people (organisation_id, id, first_name, last_name)
SELECT '10ad0000-0000-4000-8000-000000000001', md5('load-person' || i)::uuid, 'Zoé' || i, 'Charge'
FROM generate_series(1, :enrollments) AS i;
INSERT INTO crm.positions (organisation_id, id, person_id, company_id, email)
SELECT '10ad0000-0000-4000-8000-000000000001', md5('load-position' || i)::uuid, md5('load-person' || i)::uuid,
       '10ad0000-0000-4000-8000-0000000000c1', 'p' || i || '@load-prospects.example'
FROM generate_series(1, :enrollments) AS i;
INSERT INTO outreach.campaign_enrollments (organisation_id, id, campaign_id, person_id, position_id)
SELECT '10ad0000-0000-4000-8000-000000000001', md5('load-enrollment' || i)::uuid,
       '10ad0000-0000-4000-8000-0000000000a1', md5('load-person' || i)::uuid, md5('load-position' || i)::uuid
FROM generate_series(1, :enrollments) AS i;
UPDATE outreach.campaigns SET status = 'active' WHERE id = '10ad0000-0000-4000-8000-0000000000a1';
COMMIT;
-- Fresh statistics, as a database in service has: without them the planner
-- takes the just-filled tables for empty and scans them whole.
ANALYZE iam.organisations, crm.companies, crm.people, crm.positions, outreach.prompts, outreach.campaigns,
        outreach.workflow_steps, outreach.campaign_enrollments, outreach.tasks;
