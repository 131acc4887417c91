-- Two organisations for the control port's tests, each with one active
-- campaign (window always open, no delays, one step):
--   A: organisation aaaaaaaa-...-0001, campaign aaaaaaaa-...-00a1, :a enrollments
--   B: organisation bbbbbbbb-...-0001, campaign bbbbbbbb-...-00b1, 3 enrollments
-- A's last enrollment has an address marked invalid: its task fails at once.
\set ON_ERROR_STOP 1
BEGIN;
INSERT INTO iam.organisations (id, name, slug) VALUES
  ('aaaaaaaa-0000-4000-8000-000000000001', 'Alpha', 'alpha'),
  ('bbbbbbbb-0000-4000-8000-000000000001', 'Bravo', 'bravo');
INSERT INTO crm.companies (organisation_id, id, name)
SELECT o, c, n FROM (VALUES
  ('aaaaaaaa-0000-4000-8000-000000000001'::uuid, 'aaaaaaaa-0000-4000-8000-0000000000c1'::uuid, 'Alpha SA'),
  ('bbbbbbbb-0000-4000-8000-000000000001'::uuid, 'bbbbbbbb-0000-4000-8000-0000000000c1'::uuid, 'Bravo SAS')) v(o, c, n);
INSERT INTO outreach.prompts (organisation_id, id, name, subject_template, body_template)
SELECT o, p, 'p', 'Bonjour {{person.first_name}}', 'Pour {{company.name}}.' FROM (VALUES
  ('aaaaaaaa-0000-4000-8000-000000000001'::uuid, 'aaaaaaaa-0000-4000-8000-0000000000f1'::uuid),
  ('bbbbbbbb-0000-4000-8000-000000000001'::uuid, 'bbbbbbbb-0000-4000-8000-0000000000f1'::uuid)) v(o, p);
INSERT INTO outreach.campaigns (organisation_id, id, name, status, timezone, send_window_start,
                                send_window_end, send_days, daily_send_limit, from_email)
SELECT o, c, n, 'draft', 'UTC', '00:00', '24:00', '{1,2,3,4,5,6,7}', 1000000, e FROM (VALUES
  ('aaaaaaaa-0000-4000-8000-000000000001'::uuid, 'aaaaaaaa-0000-4000-8000-0000000000a1'::uuid, 'Alpha launch', 'sales@alpha.example'),
  ('bbbbbbbb-0000-4000-8000-000000000001'::uuid, 'bbbbbbbb-0000-4000-8000-0000000000b1'::uuid, 'Bravo launch', 'sales@bravo.example')) v(o, c, n, e);
INSERT INTO outreach.workflow_steps (organisation_id, id, campaign_id, step_order, delay_seconds, prompt_id)
SELECT o, s, c, 1, 0, p FROM (VALUES
  ('aaaaaaaa-0000-4000-8000-000000000001'::uuid, 'aaaaaaaa-0000-4000-8000-0000000000e1'::uuid, 'aaaaaaaa-0000-4000-8000-0000000000a1'::uuid, 'aaaaaaaa-0000-4000-8000-0000000000f1'::uuid),
  ('bbbbbbbb-0000-4000-8000-000000000001'::uuid, 'bbbbbbbb-0000-4000-8000-0000000000e1'::uuid, 'bbbbbbbb-0000-4000-8000-0000000000b1'::uuid, 'bbbbbbbb-0000-4000-8000-0000000000f1'::uuid)) v(o, s, c, p);
INSERT INTO crm.people (organisation_id, id, first_name, last_name)
SELECT 'aaaaaaaa-0000-4000-8000-000000000001', md5('a-person' || i)::uuid, 'Aline' || i, 'A'
FROM generate_series(1, :a) i;
INSERT INTO crm.positions (organisation_id, id, person_id, company_id, email, email_status)
SELECT 'aaaaaaaa-0000-4000-8000-000000000001', md5('a-position' || i)::uuid, md5('a-person' || i)::uuid,
       'aaaaaaaa-0000-4000-8000-0000000000c1', 'a' || i || '@prospects.example',
       CASE WHEN i = :a THEN 'invalid' ELSE 'valid' END
FROM generate_series(1, :a) i;
INSERT INTO outreach.campaign_enrollments (organisation_id, id, campaign_id, person_id, position_id)
SELECT 'aaaaaaaa-0000-4000-8000-000000000001', md5('a-enrollment' || i)::uuid,
       'aaaaaaaa-0000-4000-8000-0000000000a1', md5('a-person' || i)::uuid, md5('a-position' || i)::uuid
FROM generate_series(1, :a) i;
INSERT INTO crm.people (organisation_id, id, first_name, last_name)
SELECT 'bbbbbbbb-0000-4000-8000-000000000001', md5('b-person' || i)::uuid, 'Bruno' || i, 'B'
FROM generate_series(1, 3) i;
INSERT INTO crm.positions (organisation_id, id, person_id, company_id, email)
SELECT 'bbbbbbbb-0000-4000-8000-000000000001', md5('b-position' || i)::uuid, md5('b-person' || i)::uuid,
       'bbbbbbbb-0000-4000-8000-0000000000c1', 'b' || i || '@prospects.example'
FROM generate_series(1, 3) i;
INSERT INTO outreach.campaign_enrollments (organisation_id, id, campaign_id, person_id, position_id)
SELECT 'bbbbbbbb-0000-4000-8000-000000000001', md5('b-enrollment' || i)::uuid,
       'bbbbbbbb-0000-4000-8000-0000000000b1', md5('b-person' || i)::uuid, md5('b-position' || i)::uuid
FROM generate_series(1, 3) i;
COMMIT;
