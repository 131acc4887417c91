-- Sender mailboxes for the control port's tests, on top of
-- control_fixture.sql (its organisations, company and prompt):
--   A: anna@ (active, Pacific/Auckland, a secret, 7 sent today) and bob@
--      (error, ramping: 5 + 5 a day since two local days ago, so 15 today), the
--      pool of A's draft campaign ...00a2, whose three enrollments wait:
--      a2-enrollment1 on bob@ (deferred while bob@ is in error),
--      a2-enrollment2 on bob@ (a follow-up due in 3 days by its delay),
--      a2-enrollment3 on anna@ (waiting for anna@ after a refused login).
--   B: bea@ (active; a password written into its SMTP URL).
-- The campaign stays draft, so no daemon claims its tasks.
\set ON_ERROR_STOP 1
BEGIN;
INSERT INTO outreach.campaigns (organisation_id, id, name, status, timezone, send_window_start,
                                send_window_end, send_days, daily_send_limit, from_email)
VALUES ('aaaaaaaa-0000-4000-8000-000000000001', 'aaaaaaaa-0000-4000-8000-0000000000a2', 'Alpha mailboxes',
        'draft', 'UTC', '00:00', '24:00', '{1,2,3,4,5,6,7}', 1000000, 'sales@alpha.example');
INSERT INTO outreach.workflow_steps (organisation_id, id, campaign_id, step_order, delay_seconds, prompt_id)
VALUES ('aaaaaaaa-0000-4000-8000-000000000001', 'aaaaaaaa-0000-4000-8000-0000000000e2',
        'aaaaaaaa-0000-4000-8000-0000000000a2', 1, 0, 'aaaaaaaa-0000-4000-8000-0000000000f1'),
       ('aaaaaaaa-0000-4000-8000-000000000001', 'aaaaaaaa-0000-4000-8000-0000000000e3',
        'aaaaaaaa-0000-4000-8000-0000000000a2', 2, 259200, 'aaaaaaaa-0000-4000-8000-0000000000f1');
INSERT INTO outreach.mailboxes (organisation_id, id, email, display_name, status, status_reason,
                                status_changed_at, timezone, daily_limit, ramp_start_date,
                                ramp_initial, ramp_step_per_day, smtp_url, smtp_username, secret,
                                consecutive_failures)
VALUES ('aaaaaaaa-0000-4000-8000-000000000001', 'aaaaaaaa-0000-4000-8000-0000000000d1',
        'anna@alpha-mail.example', 'Anna A', 'active', NULL, NULL, 'Pacific/Auckland', 30, NULL, NULL, 0,
        'smtps://smtp.alpha-mail.example:465', 'anna@alpha-mail.example',
        'pfsec1:CONTROL-TEST-SECRET-9f3c2a', 0),
       ('aaaaaaaa-0000-4000-8000-000000000001', 'aaaaaaaa-0000-4000-8000-0000000000d2',
        'bob@alpha-mail.example', NULL, 'error', 'authentication failed: 535 5.7.8', now(),
        'America/New_York', 30, (now() AT TIME ZONE 'America/New_York')::date - 2, 5, 5,
        'smtp://smtp.alpha-mail.example:587', NULL, NULL, 3),
       ('bbbbbbbb-0000-4000-8000-000000000001', 'bbbbbbbb-0000-4000-8000-0000000000d1',
        'bea@bravo-mail.example', NULL, 'active', NULL, NULL, 'Europe/Paris', 30, NULL, NULL, 0,
        'smtps://bea:CONTROL-TEST-SECRET-9f3c2a@smtp.bravo-mail.example:465', NULL, NULL, 0);
INSERT INTO outreach.mailbox_daily_sends (organisation_id, mailbox_id, local_day, reserved)
VALUES ('aaaaaaaa-0000-4000-8000-000000000001', 'aaaaaaaa-0000-4000-8000-0000000000d1',
        (now() AT TIME ZONE 'Pacific/Auckland')::date, 7),
       ('aaaaaaaa-0000-4000-8000-000000000001', 'aaaaaaaa-0000-4000-8000-0000000000d1',
        (now() AT TIME ZONE 'Pacific/Auckland')::date - 1, 11);
INSERT INTO outreach.campaign_mailboxes (organisation_id, campaign_id, mailbox_id)
VALUES ('aaaaaaaa-0000-4000-8000-000000000001', 'aaaaaaaa-0000-4000-8000-0000000000a2',
        'aaaaaaaa-0000-4000-8000-0000000000d1'),
       ('aaaaaaaa-0000-4000-8000-000000000001', 'aaaaaaaa-0000-4000-8000-0000000000a2',
        'aaaaaaaa-0000-4000-8000-0000000000d2');
INSERT INTO crm.people (organisation_id, id, first_name, last_name)
SELECT 'aaaaaaaa-0000-4000-8000-000000000001', md5('a2-person' || i)::uuid, 'Amaury' || i, 'A'
FROM generate_series(1, 3) i;
INSERT INTO crm.positions (organisation_id, id, person_id, company_id, email, email_status)
SELECT 'aaaaaaaa-0000-4000-8000-000000000001', md5('a2-position' || i)::uuid, md5('a2-person' || i)::uuid,
       'aaaaaaaa-0000-4000-8000-0000000000c1', 'a2-' || i || '@prospects.example', 'valid'
FROM generate_series(1, 3) i;
INSERT INTO outreach.campaign_enrollments (organisation_id, id, campaign_id, person_id, position_id,
                                           mailbox_id, current_step_order)
SELECT 'aaaaaaaa-0000-4000-8000-000000000001', md5('a2-enrollment' || i)::uuid,
       'aaaaaaaa-0000-4000-8000-0000000000a2', md5('a2-person' || i)::uuid, md5('a2-position' || i)::uuid,
       CASE WHEN i = 3 THEN 'aaaaaaaa-0000-4000-8000-0000000000d1'
            ELSE 'aaaaaaaa-0000-4000-8000-0000000000d2' END::uuid, 1
FROM generate_series(1, 3) i;
INSERT INTO outreach.tasks (organisation_id, campaign_id, enrollment_id, step_id, run_at, last_error)
SELECT 'aaaaaaaa-0000-4000-8000-000000000001', 'aaaaaaaa-0000-4000-8000-0000000000a2',
       md5('a2-enrollment' || i)::uuid, 'aaaaaaaa-0000-4000-8000-0000000000e3', now() + w, e
FROM (VALUES
  (1, interval '15 minutes', 'deferred: mailbox bob@alpha-mail.example is error (authentication failed: 535 5.7.8); this enrollment waits for it (its thread is from it)'),
  (2, interval '3 days', NULL),
  (3, interval '1 hour', 'waiting for its mailbox: authentication failed for anna@alpha-mail.example')) v(i, w, e);
COMMIT;
