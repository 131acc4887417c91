-- Mailboxes read over IMAP for tests/shell/inbound_imap.sh. psql variables:
-- imaps_port (the test's Dovecot), sales_secret, ops_secret, desk_secret,
-- wrong_secret (encrypted passwords; wrong_secret is not the account's),
-- oauth_secret (an encrypted OAuth refresh token) and token_url.
--   sales@acme.test reads INBOX, Spam and Archive; campaign "Lecture" sends
--     from it to one prospect per reply, out-of-office and newsletter fixture
--     and a few more (s-<name>@prospect.test), and campaign "Entreprise"
--     (stop_on_company_reply) to three people of one company and one of
--     another.
--   desk@acme.test reads INBOX and Spam; campaign "Rebonds" sends from it to
--     one prospect per bounce fixture (it ends in error: 4 hard bounces).
--   ops@acme.test: campaign "Protection"; 47 of its 50 sends of the week are
--     history (written here), the daemon sends the last 3, which bounce.
--   lost@acme.test: its IMAP login is refused; campaign "Perdu" sends from it.
--   oauth@acme.test logs in with XOAUTH2 (an access token traded for its
--     refresh token at token_url); campaign "Jeton" sends from it.
-- Every campaign has three steps; the second comes two days after the first.
-- A mailbox sends at most one email a second (min_gap 0 + 1 s).
\set ON_ERROR_STOP 1
BEGIN;
INSERT INTO iam.organisations (id, name, slug)
VALUES ('ac000000-0000-4000-8000-000000000001', 'Lecture des boîtes', 'lecture');
INSERT INTO outreach.mailboxes (organisation_id, id, email, display_name, daily_limit, min_gap_seconds,
                                max_jitter_seconds, smtp_url, smtp_security, auth_kind, secret,
                                imap_url, imap_security, imap_folders)
VALUES
 ('ac000000-0000-4000-8000-000000000001', 'ac000000-0000-4000-8000-0000000000e1', 'sales@acme.test',
  'Ventes', 1000, 0, 0, NULL, 'starttls', 'password', :'sales_secret',
  'imaps://127.0.0.1:' || :'imaps_port', 'tls', '{INBOX,Spam,Archive}'),
 ('ac000000-0000-4000-8000-000000000001', 'ac000000-0000-4000-8000-0000000000e2', 'ops@acme.test',
  'Opérations', 1000, 0, 0, NULL, 'starttls', 'password', :'ops_secret',
  'imaps://127.0.0.1:' || :'imaps_port', 'tls', '{INBOX}'),
 ('ac000000-0000-4000-8000-000000000001', 'ac000000-0000-4000-8000-0000000000e3', 'lost@acme.test',
  'Perdu', 1000, 0, 0, NULL, 'starttls', 'password', :'wrong_secret',
  'imaps://127.0.0.1:' || :'imaps_port', 'tls', '{INBOX}'),
 ('ac000000-0000-4000-8000-000000000001', 'ac000000-0000-4000-8000-0000000000e4', 'desk@acme.test',
  'Accueil', 1000, 0, 0, NULL, 'starttls', 'password', :'desk_secret',
  'imaps://127.0.0.1:' || :'imaps_port', 'tls', '{INBOX,Spam}');
INSERT INTO outreach.mailboxes (organisation_id, id, email, display_name, daily_limit, min_gap_seconds,
                                max_jitter_seconds, auth_kind, secret, oauth_token_url, oauth_client_id,
                                imap_url, imap_security)
VALUES ('ac000000-0000-4000-8000-000000000001', 'ac000000-0000-4000-8000-0000000000e5', 'oauth@acme.test',
        'Jeton', 1000, 0, 0, 'xoauth2', :'oauth_secret', :'token_url', 'client-ib',
        'imap://127.0.0.1:' || :'imap_port', 'starttls');
INSERT INTO outreach.prompts (organisation_id, id, name, version, subject_template, body_template)
VALUES ('ac000000-0000-4000-8000-000000000001', 'ac000000-0000-4000-8000-0000000000f1', 'premier', 1,
        'Une idée pour {{company.name}}', E'Bonjour {{person.first_name}},\n\nUne idée.\n\n{{sender.name}}');
INSERT INTO outreach.campaigns (organisation_id, id, name, status, timezone, send_window_start, send_window_end,
                                send_days, daily_send_limit, from_email, from_name, stop_on_company_reply,
                                ooo_resume_delay_days)
SELECT 'ac000000-0000-4000-8000-000000000001', ('ac000000-0000-4000-8000-0000000000a' || c)::uuid, n, 'draft',
       'Europe/Paris', '00:00', '24:00', '{1,2,3,4,5,6,7}', 100000, 'campagne@lecture.example', 'Campagne',
       c = '2', 2
FROM (VALUES ('1', 'Lecture'), ('2', 'Entreprise'), ('3', 'Protection'), ('4', 'Perdu'), ('5', 'Rebonds'), ('6', 'Jeton')) AS v(c, n);
INSERT INTO outreach.campaign_mailboxes (organisation_id, campaign_id, mailbox_id)
VALUES ('ac000000-0000-4000-8000-000000000001', 'ac000000-0000-4000-8000-0000000000a1', 'ac000000-0000-4000-8000-0000000000e1'),
       ('ac000000-0000-4000-8000-000000000001', 'ac000000-0000-4000-8000-0000000000a2', 'ac000000-0000-4000-8000-0000000000e1'),
       ('ac000000-0000-4000-8000-000000000001', 'ac000000-0000-4000-8000-0000000000a3', 'ac000000-0000-4000-8000-0000000000e2'),
       ('ac000000-0000-4000-8000-000000000001', 'ac000000-0000-4000-8000-0000000000a4', 'ac000000-0000-4000-8000-0000000000e3'),
       ('ac000000-0000-4000-8000-000000000001', 'ac000000-0000-4000-8000-0000000000a5', 'ac000000-0000-4000-8000-0000000000e4'),
       ('ac000000-0000-4000-8000-000000000001', 'ac000000-0000-4000-8000-0000000000a6', 'ac000000-0000-4000-8000-0000000000e5');
INSERT INTO outreach.workflow_steps (organisation_id, id, campaign_id, step_order, delay_seconds, prompt_id,
                                     thread_with_previous)
SELECT 'ac000000-0000-4000-8000-000000000001', md5(c || '-step' || i)::uuid,
       ('ac000000-0000-4000-8000-0000000000a' || c)::uuid, i, CASE WHEN i = 1 THEN 0 ELSE 2 * 86400 END,
       'ac000000-0000-4000-8000-0000000000f1', i > 1
FROM generate_series(1, 3) AS i, unnest(ARRAY['1', '2', '3', '4', '5', '6']) AS c;
-- Prospects: (campaign, local part, company).
CREATE TEMP TABLE prospects (c text, local text, company text) ON COMMIT DROP;
INSERT INTO prospects
SELECT '1', 's-' || f, 'solo-' || f
FROM unnest(ARRAY['reply_gmail', 'reply_outlook', 'reply_apple_mail', 'ooo_fr_with_date', 'ooo_fr_without_date',
                  'ooo_en_with_date', 'ooo_en_without_date', 'newsletter', 'twice', 'renumbered', 'idle',
                  'killed1', 'killed2', 'killed3', 'polled']) AS f;
INSERT INTO prospects
SELECT '5', 's-' || f, 'solo-' || f
FROM unnest(ARRAY['dsn_postfix_511', 'dsn_postfix_422', 'dsn_exchange_511', 'dsn_exchange_422', 'dsn_gmail_511',
                  'dsn_gmail_422', 'bounce_qmail_plain']) AS f;
INSERT INTO prospects VALUES ('2', 'c-anne', 'dupont'), ('2', 'c-bruno', 'dupont'), ('2', 'c-chloe', 'dupont'),
                             ('2', 'c-denis', 'martin');
INSERT INTO prospects SELECT '3', 'p-' || i, 'prot-' || i FROM generate_series(1, 50) AS i;
INSERT INTO prospects VALUES ('4', 'l-1', 'lost-1'), ('4', 'l-2', 'lost-2'), ('6', 's-oauth', 'solo-oauth');
INSERT INTO crm.companies (organisation_id, id, name)
SELECT DISTINCT 'ac000000-0000-4000-8000-000000000001'::uuid, md5('ib-company' || company)::uuid, 'Société ' || company
FROM prospects;
INSERT INTO crm.people (organisation_id, id, first_name, last_name, email)
SELECT 'ac000000-0000-4000-8000-000000000001', md5('ib-person' || local)::uuid, 'Prénom', local,
       local || '@prospect.test'
FROM prospects;
INSERT INTO crm.positions (organisation_id, id, person_id, company_id, email)
SELECT 'ac000000-0000-4000-8000-000000000001', md5('ib-position' || local)::uuid, md5('ib-person' || local)::uuid,
       md5('ib-company' || company)::uuid, local || '@prospect.test'
FROM prospects;
INSERT INTO outreach.campaign_enrollments (organisation_id, id, campaign_id, person_id, position_id)
SELECT 'ac000000-0000-4000-8000-000000000001', md5('ib-enrollment' || local)::uuid,
       ('ac000000-0000-4000-8000-0000000000a' || c)::uuid, md5('ib-person' || local)::uuid,
       md5('ib-position' || local)::uuid
FROM prospects;
-- ops's history: p-4..p-50 got their first email from ops yesterday and
-- are done; activation enqueues only p-1..p-3.
INSERT INTO outreach.messages (organisation_id, campaign_id, enrollment_id, step_id, direction, status, from_email,
                               to_email, subject, rfc_message_id, sent_at, mailbox_id)
SELECT 'ac000000-0000-4000-8000-000000000001', 'ac000000-0000-4000-8000-0000000000a3',
       md5('ib-enrollment' || 'p-' || i)::uuid, md5('3-step1')::uuid, 'outbound', 'sent', 'ops@acme.test',
       'p-' || i || '@prospect.test', 'Une idée', 'history-' || i || '@acme.test', now() - interval '1 day',
       'ac000000-0000-4000-8000-0000000000e2'
FROM generate_series(4, 50) AS i;
UPDATE outreach.campaign_enrollments SET status = 'completed', current_step_order = 3,
       mailbox_id = 'ac000000-0000-4000-8000-0000000000e2', finished_at = now()
WHERE organisation_id = 'ac000000-0000-4000-8000-000000000001'
  AND id IN (SELECT md5('ib-enrollment' || 'p-' || i)::uuid FROM generate_series(4, 50) AS i);
UPDATE outreach.campaigns SET status = 'active' WHERE organisation_id = 'ac000000-0000-4000-8000-000000000001';
COMMIT;
