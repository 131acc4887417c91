-- Sender mailboxes for tests/shell/mailbox_smtp.sh. psql variables: port
-- (the test's SMTP server), token_url, and the encrypted secrets
-- alice_secret, bob_secret, carol_secret (an OAuth refresh token) and
-- dave_secret (encrypted under another key: it must fail with that reason).
--   campaign A "Pool à trois": alice (password), bob (password), carol
--     (xoauth2) and dave; 12 prospects a1..a12, two steps, the second
--     threaded under the first.
--   campaign B "Relève": alice and bob; 20 prospects b1..b20, created in a
--     draft campaign that the test activates.
\set ON_ERROR_STOP 1
BEGIN;
INSERT INTO iam.organisations (id, name, slug)
VALUES ('ab000000-0000-4000-8000-000000000001', 'Boîtes d''envoi', 'boites');
INSERT INTO outreach.mailboxes (organisation_id, id, email, display_name, timezone, daily_limit,
                                min_gap_seconds, max_jitter_seconds, smtp_url, smtp_security,
                                auth_kind, secret, oauth_token_url, oauth_client_id)
VALUES
 ('ab000000-0000-4000-8000-000000000001', 'ab000000-0000-4000-8000-0000000000e1', 'alice@a.example',
  'Alice Âubert', 'Europe/Paris', 100, 0, 0, 'smtp://127.0.0.1:' || :'port', 'starttls', 'password',
  :'alice_secret', NULL, NULL),
 ('ab000000-0000-4000-8000-000000000001', 'ab000000-0000-4000-8000-0000000000e2', 'bob@b.example',
  'Bob Bérard', 'Europe/Paris', 100, 1, 0, 'smtp://127.0.0.1:' || :'port', 'starttls', 'password',
  :'bob_secret', NULL, NULL),
 ('ab000000-0000-4000-8000-000000000001', 'ab000000-0000-4000-8000-0000000000e3', 'carol@c.example',
  'Carol Cœur', 'America/New_York', 100, 0, 0, 'smtp://127.0.0.1:' || :'port', 'starttls', 'xoauth2',
  :'carol_secret', :'token_url', 'client-1'),
 ('ab000000-0000-4000-8000-000000000001', 'ab000000-0000-4000-8000-0000000000e4', 'dave@d.example',
  'Dave', 'Europe/Paris', 100, 0, 0, 'smtp://127.0.0.1:' || :'port', 'starttls', 'password',
  :'dave_secret', NULL, NULL);
INSERT INTO outreach.prompts (organisation_id, id, name, version, subject_template, body_template)
VALUES
 ('ab000000-0000-4000-8000-000000000001', 'ab000000-0000-4000-8000-0000000000f1', 'premier', 1,
  'Bonjour {{person.first_name}}', E'Bonjour {{person.first_name}},\n\nUne idée.\n\n{{sender.name}}'),
 ('ab000000-0000-4000-8000-000000000001', 'ab000000-0000-4000-8000-0000000000f2', 'relance', 1,
  'Relance', E'Je reviens vers vous, {{person.first_name}}.\n\n{{sender.name}}');
INSERT INTO outreach.campaigns (organisation_id, id, name, status, timezone, send_window_start, send_window_end,
                                send_days, daily_send_limit, from_email, from_name)
VALUES ('ab000000-0000-4000-8000-000000000001', 'ab000000-0000-4000-8000-0000000000a1', 'Pool à trois',
        'draft', 'Europe/Paris', '00:00', '24:00', '{1,2,3,4,5,6,7}', 100000,
        'campagne@boites.example', 'Campagne'),
       ('ab000000-0000-4000-8000-000000000001', 'ab000000-0000-4000-8000-0000000000a2', 'Relève',
        'draft', 'Europe/Paris', '00:00', '24:00', '{1,2,3,4,5,6,7}', 100000,
        'campagne@boites.example', 'Campagne');
INSERT INTO outreach.campaign_mailboxes (organisation_id, campaign_id, mailbox_id)
SELECT 'ab000000-0000-4000-8000-000000000001'::uuid, 'ab000000-0000-4000-8000-0000000000a1'::uuid, m::uuid
FROM unnest(ARRAY['ab000000-0000-4000-8000-0000000000e1', 'ab000000-0000-4000-8000-0000000000e2',
                  'ab000000-0000-4000-8000-0000000000e3', 'ab000000-0000-4000-8000-0000000000e4']) AS m
UNION ALL
SELECT 'ab000000-0000-4000-8000-000000000001'::uuid, 'ab000000-0000-4000-8000-0000000000a2'::uuid, m::uuid
FROM unnest(ARRAY['ab000000-0000-4000-8000-0000000000e1', 'ab000000-0000-4000-8000-0000000000e2']) AS m;
-- B's follow-up comes 12 s after its first step: long enough for the test to
-- break bob's password while B's first steps go.
INSERT INTO outreach.workflow_steps (organisation_id, id, campaign_id, step_order, delay_seconds, prompt_id,
                                     thread_with_previous)
SELECT 'ab000000-0000-4000-8000-000000000001', md5(c || '-step' || i)::uuid,
       ('ab000000-0000-4000-8000-0000000000a' || c)::uuid, i, CASE WHEN c = '2' AND i = 2 THEN 12 ELSE 0 END,
       ('ab000000-0000-4000-8000-0000000000f' || i)::uuid, i > 1
FROM generate_series(1, 2) AS i, unnest(ARRAY['1', '2']) AS c;
INSERT INTO crm.people (organisation_id, id, first_name, last_name, email)
SELECT 'ab000000-0000-4000-8000-000000000001', md5('mb-person' || p)::uuid, 'Prénom ' || p, 'Nom',
       p || '@prospects.example'
FROM (SELECT 'a' || i AS p FROM generate_series(1, 12) i UNION ALL
      SELECT 'b' || i FROM generate_series(1, 20) i) s;
INSERT INTO outreach.campaign_enrollments (organisation_id, id, campaign_id, person_id)
SELECT 'ab000000-0000-4000-8000-000000000001', md5('mb-enrollment' || p)::uuid,
       CASE WHEN p LIKE 'a%' THEN 'ab000000-0000-4000-8000-0000000000a1'::uuid
            ELSE 'ab000000-0000-4000-8000-0000000000a2'::uuid END,
       md5('mb-person' || p)::uuid
FROM (SELECT 'a' || i AS p FROM generate_series(1, 12) i UNION ALL
      SELECT 'b' || i FROM generate_series(1, 20) i) s;
UPDATE outreach.campaigns SET status = 'active' WHERE id = 'ab000000-0000-4000-8000-0000000000a1';
COMMIT;
