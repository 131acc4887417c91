-- A French three-step campaign for the end-to-end email test:
-- 50 prospects with accented names (p1..p50@prospects.example), plus
--   51: no position title, which step 1's template uses unguarded;
--   52: refuse52@… (the test's SMTP server answers 550);
--   53: later53@… (451 on the first attempt, then accepted).
\set ON_ERROR_STOP 1
BEGIN;
INSERT INTO iam.organisations (id, name, slug)
VALUES ('e1000000-0000-4000-8000-000000000001', 'Château Prospect', 'chateau-prospect');
INSERT INTO crm.companies (organisation_id, id, name, naf_code, domain)
SELECT 'e1000000-0000-4000-8000-000000000001', md5('e-company' || i)::uuid, n, '62.01Z', d
FROM (VALUES (1, 'Dupont & Fils', 'dupont-fils.example'),
             (2, 'Société Générale de Bâtiment', NULL),
             (3, 'Éts Müller <Lyon>', 'muller-lyon.example')) AS c(i, n, d);
INSERT INTO outreach.prompts (organisation_id, id, name, version, subject_template, body_template)
VALUES
 ('e1000000-0000-4000-8000-000000000001', 'e1000000-0000-4000-8000-0000000000f1', 'premier contact', 1,
  '{{person.first_name}}, une idée pour {{company.name}}',
  E'Bonjour {{person.first_name}},\n\nEn tant que {{position.title}} chez {{company.name}}, vous cherchez sans doute à gagner du temps.\nNous aidons des équipes comme la vôtre.\n\nBien à vous,\n{{sender.name}}'),
 ('e1000000-0000-4000-8000-000000000001', 'e1000000-0000-4000-8000-0000000000f2', 'relance', 1,
  'Relance',
  E'Bonjour {{person.first_name}},\n\nJe me permets de revenir vers vous.\n\n{{sender.name}}'),
 ('e1000000-0000-4000-8000-000000000001', 'e1000000-0000-4000-8000-0000000000f3', 'dernier message', 1,
  'Dernier message',
  E'Dernier message, {{person.first_name}} : {{#company.domain}}{{company.domain}}{{/company.domain}}{{^company.domain}}votre site{{/company.domain}} mérite mieux.\n\n{{sender.name}}');
INSERT INTO outreach.campaigns (organisation_id, id, name, status, timezone, send_window_start, send_window_end,
                                send_days, daily_send_limit, from_email, from_name, reply_to)
VALUES ('e1000000-0000-4000-8000-000000000001', 'e1000000-0000-4000-8000-0000000000a1', 'Rentrée en Auvergne',
        'draft', 'Europe/Paris', '00:00', '24:00', '{1,2,3,4,5,6,7}', 100000,
        'ventes@chateau-prospect.example', 'Équipe Ventes Château', 'reponses@chateau-prospect.example');
INSERT INTO outreach.workflow_steps (organisation_id, id, campaign_id, step_order, delay_seconds, prompt_id,
                                     thread_with_previous)
SELECT 'e1000000-0000-4000-8000-000000000001', md5('e-step' || i)::uuid, 'e1000000-0000-4000-8000-0000000000a1',
       i, 0, ('e1000000-0000-4000-8000-0000000000f' || i)::uuid, i > 1
FROM generate_series(1, 3) AS i;
INSERT INTO crm.people (organisation_id, id, first_name, last_name)
SELECT 'e1000000-0000-4000-8000-000000000001', md5('e-person' || i)::uuid,
       (ARRAY['Zoé', 'Élodie', 'François', 'Hélène', 'Jérôme', 'Noël', 'Anaïs', 'Loïc', 'Maëlle', 'Céline'])[1 + i % 10],
       (ARRAY['Lefèvre', 'Bérard', 'Dubœuf', 'Müller', 'Garçon'])[1 + i % 5] || ' ' || i
FROM generate_series(1, 53) AS i;
INSERT INTO crm.positions (organisation_id, id, person_id, company_id, title, email)
SELECT 'e1000000-0000-4000-8000-000000000001', md5('e-position' || i)::uuid, md5('e-person' || i)::uuid,
       md5('e-company' || (1 + i % 3))::uuid,
       CASE WHEN i = 51 THEN NULL ELSE (ARRAY['Directrice générale', 'Responsable achats', 'Gérant'])[1 + i % 3] END,
       CASE WHEN i = 52 THEN 'refuse52@prospects.example'
            WHEN i = 53 THEN 'later53@prospects.example'
            ELSE 'p' || i || '@prospects.example' END
FROM generate_series(1, 53) AS i;
INSERT INTO outreach.campaign_enrollments (organisation_id, id, campaign_id, person_id, position_id)
SELECT 'e1000000-0000-4000-8000-000000000001', md5('e-enrollment' || i)::uuid,
       'e1000000-0000-4000-8000-0000000000a1', md5('e-person' || i)::uuid, md5('e-position' || i)::uuid
FROM generate_series(1, 53) AS i;
UPDATE outreach.campaigns SET status = 'active' WHERE id = 'e1000000-0000-4000-8000-0000000000a1';
COMMIT;
