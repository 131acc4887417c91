-- Demo data for the embedded default (scripts/run-demo). Idempotent: fixed
-- ids and ON CONFLICT DO NOTHING, so loading it twice changes nothing.
-- The active campaign sends at any hour of any day, so the demo shows sends
-- whenever it is run; the draft one keeps office hours.
-- Companies are fictitious; their SIRENs are made up but pass the Luhn check.
\set ON_ERROR_STOP 1
BEGIN;

INSERT INTO iam.organisations (id, name, slug) VALUES
    ('11111111-1111-4111-8111-111111111111', 'Atelier Prospect Lyon', 'atelier-prospect'),
    ('22222222-2222-4222-8222-222222222222', 'Conseil Nord Ouest', 'conseil-nord-ouest')
ON CONFLICT DO NOTHING;

INSERT INTO iam.users (id, email, full_name) VALUES
    ('11111111-0000-4000-8000-0000000000a1', 'camille.roux@atelier-prospect.example', 'Camille Roux'),
    ('22222222-0000-4000-8000-0000000000a1', 'yann.le-goff@conseil-nord-ouest.example', 'Yann Le Goff')
ON CONFLICT DO NOTHING;

INSERT INTO iam.organisation_users (organisation_id, id, user_id, role) VALUES
    ('11111111-1111-4111-8111-111111111111', '11111111-0000-4000-8000-0000000000b1', '11111111-0000-4000-8000-0000000000a1', 'owner'),
    ('22222222-2222-4222-8222-222222222222', '22222222-0000-4000-8000-0000000000b1', '22222222-0000-4000-8000-0000000000a1', 'owner')
ON CONFLICT DO NOTHING;

INSERT INTO crm.companies (organisation_id, id, name, siren, naf_code, pharow_id, domain) VALUES
    ('11111111-1111-4111-8111-111111111111', '11111111-0000-4000-8000-0000000000c1', 'Logiciels Saône & Rhône', '812345676', '62.01Z', 'ph_1001', 'saone-rhone.example'),
    ('11111111-1111-4111-8111-111111111111', '11111111-0000-4000-8000-0000000000c2', 'Boulangeries Fénelon', '833451271', '10.71C', 'ph_1002', 'fenelon.example'),
    ('11111111-1111-4111-8111-111111111111', '11111111-0000-4000-8000-0000000000c3', 'Cabinet Éric Lemaître Conseil', '798765434', '70.22Z', 'ph_1003', 'lemaitre-conseil.example'),
    ('11111111-1111-4111-8111-111111111111', '11111111-0000-4000-8000-0000000000c4', 'Transports Garonne Fret', '902118744', '49.41A', 'ph_1004', 'garonne-fret.example'),
    ('22222222-2222-4222-8222-222222222222', '22222222-0000-4000-8000-0000000000c1', 'Données Armor', '884523101', '63.11Z', 'ph_2001', 'donnees-armor.example'),
    ('22222222-2222-4222-8222-222222222222', '22222222-0000-4000-8000-0000000000c2', 'Chantiers de l''Iroise', '841002934', '30.11Z', 'ph_2002', 'iroise.example')
ON CONFLICT DO NOTHING;

INSERT INTO crm.people (organisation_id, id, first_name, last_name, email, timezone) VALUES
    ('11111111-1111-4111-8111-111111111111', '11111111-0000-4000-8000-0000000000d1', 'Élodie', 'Marchand', NULL, 'Europe/Paris'),
    ('11111111-1111-4111-8111-111111111111', '11111111-0000-4000-8000-0000000000d2', 'François', 'Lefèvre', NULL, 'Europe/Paris'),
    ('11111111-1111-4111-8111-111111111111', '11111111-0000-4000-8000-0000000000d3', 'Anaïs', 'Bérenger', NULL, NULL),
    ('11111111-1111-4111-8111-111111111111', '11111111-0000-4000-8000-0000000000d4', 'Jérôme', 'Nguyễn', NULL, 'Europe/Paris'),
    ('11111111-1111-4111-8111-111111111111', '11111111-0000-4000-8000-0000000000d5', 'Zoé', 'Château', NULL, 'America/Montreal'),
    ('11111111-1111-4111-8111-111111111111', '11111111-0000-4000-8000-0000000000d6', 'Gaëlle', 'Dupré', NULL, 'Indian/Reunion'),
    ('22222222-2222-4222-8222-222222222222', '22222222-0000-4000-8000-0000000000d1', 'Loïc', 'Kerjean', NULL, 'Europe/Paris'),
    ('22222222-2222-4222-8222-222222222222', '22222222-0000-4000-8000-0000000000d2', 'Maëlys', 'Tanguy', NULL, NULL)
ON CONFLICT DO NOTHING;

INSERT INTO crm.positions (organisation_id, id, person_id, company_id, title, email, email_status) VALUES
    ('11111111-1111-4111-8111-111111111111', '11111111-0000-4000-8000-0000000000e1', '11111111-0000-4000-8000-0000000000d1', '11111111-0000-4000-8000-0000000000c1', 'Directrice technique', 'elodie.marchand@saone-rhone.example', 'valid'),
    ('11111111-1111-4111-8111-111111111111', '11111111-0000-4000-8000-0000000000e2', '11111111-0000-4000-8000-0000000000d2', '11111111-0000-4000-8000-0000000000c2', 'Gérant', 'francois.lefevre@fenelon.example', 'valid'),
    ('11111111-1111-4111-8111-111111111111', '11111111-0000-4000-8000-0000000000e3', '11111111-0000-4000-8000-0000000000d3', '11111111-0000-4000-8000-0000000000c3', 'Associée', 'anais.berenger@lemaitre-conseil.example', 'risky'),
    ('11111111-1111-4111-8111-111111111111', '11111111-0000-4000-8000-0000000000e4', '11111111-0000-4000-8000-0000000000d4', '11111111-0000-4000-8000-0000000000c4', 'Responsable logistique', 'jerome.nguyen@garonne-fret.example', 'valid'),
    ('11111111-1111-4111-8111-111111111111', '11111111-0000-4000-8000-0000000000e5', '11111111-0000-4000-8000-0000000000d5', '11111111-0000-4000-8000-0000000000c1', 'Directrice commerciale', 'zoe.chateau@saone-rhone.example', 'unknown'),
    ('11111111-1111-4111-8111-111111111111', '11111111-0000-4000-8000-0000000000e6', '11111111-0000-4000-8000-0000000000d6', '11111111-0000-4000-8000-0000000000c4', 'DAF', 'gaelle.dupre@garonne-fret.example', 'valid'),
    ('22222222-2222-4222-8222-222222222222', '22222222-0000-4000-8000-0000000000e1', '22222222-0000-4000-8000-0000000000d1', '22222222-0000-4000-8000-0000000000c1', 'CTO', 'loic.kerjean@donnees-armor.example', 'valid'),
    ('22222222-2222-4222-8222-222222222222', '22222222-0000-4000-8000-0000000000e2', '22222222-0000-4000-8000-0000000000d2', '22222222-0000-4000-8000-0000000000c2', 'Directrice des achats', 'maelys.tanguy@iroise.example', 'valid')
ON CONFLICT DO NOTHING;

-- Prompts: step 1 has two versions under test (A and B), steps 2 and 3 one each.
INSERT INTO outreach.prompts (organisation_id, id, name, version, subject_template, body_template) VALUES
    ('11111111-1111-4111-8111-111111111111', '11111111-0000-4000-8000-0000000000f1', 'premier-contact', 1,
     'Une question sur {{company.name}}',
     E'Bonjour {{person.first_name}},\n\nJ''ai vu que {{company.name}} recrute. Auriez-vous 15 minutes cette semaine ?\n\n{{sender.name}}'),
    ('11111111-1111-4111-8111-111111111111', '11111111-0000-4000-8000-0000000000f2', 'premier-contact', 2,
     '{{person.first_name}}, une idée pour {{company.name}}',
     E'Bonjour {{person.first_name}},\n\nNous aidons des équipes comme la vôtre à gagner du temps sur la prospection.\n\n{{sender.name}}'),
    ('11111111-1111-4111-8111-111111111111', '11111111-0000-4000-8000-0000000000f3', 'relance', 1,
     'Re: Une question sur {{company.name}}',
     E'Bonjour {{person.first_name}},\n\nJe me permets de revenir vers vous.\n\n{{sender.name}}'),
    ('11111111-1111-4111-8111-111111111111', '11111111-0000-4000-8000-0000000000f4', 'dernier-message', 1,
     'Dernier message',
     E'Bonjour {{person.first_name}},\n\nSans nouvelles de votre part, je ne vous relancerai plus.\n\n{{sender.name}}'),
    ('22222222-2222-4222-8222-222222222222', '22222222-0000-4000-8000-0000000000f1', 'presentation', 1,
     'Présentation de Conseil Nord Ouest',
     E'Bonjour {{person.first_name}},\n\nUn court message pour nous présenter.\n\n{{sender.name}}')
ON CONFLICT DO NOTHING;

INSERT INTO outreach.campaigns (organisation_id, id, name, status, timezone, send_window_start, send_window_end,
                                send_days, daily_send_limit, from_email, from_name, reply_to, track_opens) VALUES
    ('11111111-1111-4111-8111-111111111111', '11111111-0000-4000-8000-000000000a01', 'Rentrée PME Auvergne-Rhône-Alpes', 'active',
     'Europe/Paris', '00:00', '24:00', '{1,2,3,4,5,6,7}', 50,
     'camille.roux@atelier-prospect.example', 'Camille Roux', 'camille.roux@atelier-prospect.example', true),
    ('22222222-2222-4222-8222-222222222222', '22222222-0000-4000-8000-000000000a01', 'Bretagne industrie', 'draft',
     'Europe/Paris', '08:30', '17:30', '{2,3,4}', 20,
     'yann.le-goff@conseil-nord-ouest.example', 'Yann Le Goff', NULL, false)
ON CONFLICT DO NOTHING;

INSERT INTO outreach.workflow_steps (organisation_id, id, campaign_id, step_order, delay_seconds, prompt_id, condition, thread_with_previous) VALUES
    ('11111111-1111-4111-8111-111111111111', '11111111-0000-4000-8000-000000000b01', '11111111-0000-4000-8000-000000000a01', 1, 0,      '11111111-0000-4000-8000-0000000000f1', 'always',   false),
    ('11111111-1111-4111-8111-111111111111', '11111111-0000-4000-8000-000000000b02', '11111111-0000-4000-8000-000000000a01', 2, 172800, '11111111-0000-4000-8000-0000000000f3', 'no_reply', true),
    ('11111111-1111-4111-8111-111111111111', '11111111-0000-4000-8000-000000000b03', '11111111-0000-4000-8000-000000000a01', 3, 345600, '11111111-0000-4000-8000-0000000000f4', 'no_reply', true),
    ('22222222-2222-4222-8222-222222222222', '22222222-0000-4000-8000-000000000b01', '22222222-0000-4000-8000-000000000a01', 1, 0,      '22222222-0000-4000-8000-0000000000f1', 'always',   false)
ON CONFLICT DO NOTHING;

INSERT INTO outreach.step_experiments (organisation_id, id, step_id, name, status) VALUES
    ('11111111-1111-4111-8111-111111111111', '11111111-0000-4000-8000-000000000c01', '11111111-0000-4000-8000-000000000b01', 'Objet : question ou idée', 'running')
ON CONFLICT DO NOTHING;

INSERT INTO outreach.step_experiment_variants (organisation_id, id, experiment_id, label, weight, prompt_id) VALUES
    ('11111111-1111-4111-8111-111111111111', '11111111-0000-4000-8000-000000000c11', '11111111-0000-4000-8000-000000000c01', 'A', 1, '11111111-0000-4000-8000-0000000000f1'),
    ('11111111-1111-4111-8111-111111111111', '11111111-0000-4000-8000-000000000c12', '11111111-0000-4000-8000-000000000c01', 'B', 1, '11111111-0000-4000-8000-0000000000f2')
ON CONFLICT DO NOTHING;

INSERT INTO outreach.campaign_enrollments (organisation_id, id, campaign_id, person_id, position_id, status) VALUES
    ('11111111-1111-4111-8111-111111111111', '11111111-0000-4000-8000-000000000e01', '11111111-0000-4000-8000-000000000a01', '11111111-0000-4000-8000-0000000000d1', '11111111-0000-4000-8000-0000000000e1', 'active'),
    ('11111111-1111-4111-8111-111111111111', '11111111-0000-4000-8000-000000000e02', '11111111-0000-4000-8000-000000000a01', '11111111-0000-4000-8000-0000000000d2', '11111111-0000-4000-8000-0000000000e2', 'active'),
    ('11111111-1111-4111-8111-111111111111', '11111111-0000-4000-8000-000000000e03', '11111111-0000-4000-8000-000000000a01', '11111111-0000-4000-8000-0000000000d3', '11111111-0000-4000-8000-0000000000e3', 'active'),
    ('11111111-1111-4111-8111-111111111111', '11111111-0000-4000-8000-000000000e04', '11111111-0000-4000-8000-000000000a01', '11111111-0000-4000-8000-0000000000d4', '11111111-0000-4000-8000-0000000000e4', 'active'),
    ('11111111-1111-4111-8111-111111111111', '11111111-0000-4000-8000-000000000e05', '11111111-0000-4000-8000-000000000a01', '11111111-0000-4000-8000-0000000000d5', '11111111-0000-4000-8000-0000000000e5', 'active'),
    ('11111111-1111-4111-8111-111111111111', '11111111-0000-4000-8000-000000000e06', '11111111-0000-4000-8000-000000000a01', '11111111-0000-4000-8000-0000000000d6', '11111111-0000-4000-8000-0000000000e6', 'active'),
    ('22222222-2222-4222-8222-222222222222', '22222222-0000-4000-8000-000000000e01', '22222222-0000-4000-8000-000000000a01', '22222222-0000-4000-8000-0000000000d1', '22222222-0000-4000-8000-0000000000e1', 'active')
ON CONFLICT DO NOTHING;

COMMIT;
