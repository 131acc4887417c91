-- ProspectFlow schema validation: run with psql on a migrated database.
--   psql "$DATABASE_URL" -X -q -f db/validation-tests.sql
-- Prints one line per check, "✅ PASS  <check>" or "❌ FAIL  <check> — <why>".
-- Everything runs in one transaction that is rolled back: the database is left
-- as it was. db/VALIDATION.md explains each check.
\set ON_ERROR_STOP 1
\pset format unaligned
\pset tuples_only on
\pset footer off
SET client_min_messages = warning;

BEGIN;

CREATE FUNCTION pg_temp.report(check_name text, ok boolean, detail text DEFAULT NULL)
RETURNS text LANGUAGE sql AS $$
    SELECT CASE WHEN ok THEN '✅ PASS  ' || check_name
                ELSE '❌ FAIL  ' || check_name || coalesce(' — ' || detail, '') END;
$$;

-- Runs a statement that must be refused with the given SQLSTATE. Returns NULL
-- when it was, else what happened instead. The EXCEPTION block is a
-- savepoint, so a refused statement leaves nothing behind.
CREATE FUNCTION pg_temp.refusal(statement text, expected_state text)
RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    BEGIN
        EXECUTE statement;
    EXCEPTION WHEN OTHERS THEN
        IF SQLSTATE = expected_state THEN RETURN NULL; END IF;
        RETURN 'refused with ' || SQLSTATE || ' (' || SQLERRM || '), expected ' || expected_state;
    END;
    RETURN 'accepted, expected refusal with ' || expected_state;
END;
$$;

CREATE FUNCTION pg_temp.expect_refused(check_name text, statement text, expected_state text)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    outcome text := pg_temp.refusal(statement, expected_state);
BEGIN
    RETURN pg_temp.report(check_name, outcome IS NULL, outcome);
END;
$$;

-- Runs a statement that must succeed.
CREATE FUNCTION pg_temp.expect_accepted(check_name text, statement text)
RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    BEGIN
        EXECUTE statement;
    EXCEPTION WHEN OTHERS THEN
        RETURN pg_temp.report(check_name, false, 'refused with ' || SQLSTATE || ' (' || SQLERRM || ')');
    END;
    RETURN pg_temp.report(check_name, true);
END;
$$;

-- The tables every tenant rule applies to: all but iam.organisations,
-- iam.users and outreach.instances (the daemons' own registry, global like
-- the lease rescue: see its check below).
CREATE TEMP VIEW tenant_tables AS
SELECT c.oid AS relid, n.nspname || '.' || c.relname AS name
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r' AND n.nspname IN ('iam', 'crm', 'outreach', 'tracking')
  AND (n.nspname, c.relname) NOT IN (('iam', 'organisations'), ('iam', 'users'),
                                     ('outreach', 'instances'));

CREATE TEMP VIEW all_tables AS
SELECT c.oid AS relid, n.nspname || '.' || c.relname AS name
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r' AND n.nspname IN ('iam', 'crm', 'outreach', 'tracking');

CREATE FUNCTION pg_temp.org_attnum(rel oid) RETURNS smallint LANGUAGE sql AS $$
    SELECT attnum FROM pg_attribute WHERE attrelid = rel AND attname = 'organisation_id' AND NOT attisdropped;
$$;

------------------------------------------------------------------------------
-- Structure
------------------------------------------------------------------------------

SELECT pg_temp.report('extensions pgcrypto and citext are installed',
    (SELECT count(*) FROM pg_extension WHERE extname IN ('pgcrypto', 'citext')) = 2);

SELECT pg_temp.report('the four schemas iam, crm, outreach, tracking exist',
    (SELECT count(*) FROM pg_namespace WHERE nspname IN ('iam', 'crm', 'outreach', 'tracking')) = 4);

WITH expected(name) AS (VALUES
    ('iam.organisations'), ('iam.users'), ('iam.organisation_users'),
    ('crm.companies'), ('crm.people'), ('crm.positions'),
    ('outreach.campaigns'), ('outreach.workflow_steps'), ('outreach.prompts'),
    ('outreach.messages'), ('outreach.tasks'), ('outreach.step_experiments'),
    ('outreach.step_experiment_variants'), ('outreach.campaign_enrollments'),
    ('outreach.enrollment_step_variant_assignments'),
    ('tracking.pixels'), ('tracking.message_open_stats'))
SELECT pg_temp.report('all seventeen tables exist',
    NOT EXISTS (SELECT 1 FROM expected WHERE name NOT IN (SELECT name FROM all_tables)),
    (SELECT 'missing: ' || string_agg(name, ', ') FROM expected WHERE name NOT IN (SELECT name FROM all_tables)));

SELECT pg_temp.report('every tenant table has organisation_id uuid NOT NULL',
    NOT EXISTS (
        SELECT 1 FROM tenant_tables t
        LEFT JOIN pg_attribute a ON a.attrelid = t.relid AND a.attname = 'organisation_id'
        WHERE a.attnum IS NULL OR NOT a.attnotnull OR a.atttypid <> 'uuid'::regtype),
    (SELECT string_agg(t.name, ', ') FROM tenant_tables t
        LEFT JOIN pg_attribute a ON a.attrelid = t.relid AND a.attname = 'organisation_id'
        WHERE a.attnum IS NULL OR NOT a.attnotnull OR a.atttypid <> 'uuid'::regtype));

SELECT pg_temp.report('every tenant table''s primary key starts with organisation_id',
    NOT EXISTS (
        SELECT 1 FROM tenant_tables t
        LEFT JOIN pg_constraint p ON p.conrelid = t.relid AND p.contype = 'p'
        WHERE p.oid IS NULL OR p.conkey[1] <> pg_temp.org_attnum(t.relid)),
    (SELECT string_agg(t.name, ', ') FROM tenant_tables t
        LEFT JOIN pg_constraint p ON p.conrelid = t.relid AND p.contype = 'p'
        WHERE p.oid IS NULL OR p.conkey[1] <> pg_temp.org_attnum(t.relid)));

-- A foreign key between tenant tables must pair organisation_id with
-- organisation_id, so a row can only point into its own organisation.
WITH fks AS (
    SELECT f.conname, f.conrelid, f.confrelid, f.conkey, f.confkey
    FROM pg_constraint f
    WHERE f.contype = 'f'
      AND f.conrelid IN (SELECT relid FROM tenant_tables)
      AND f.confrelid IN (SELECT relid FROM tenant_tables)),
bad AS (
    SELECT conname FROM fks
    WHERE NOT EXISTS (
        SELECT 1 FROM generate_subscripts(fks.conkey, 1) AS i
        WHERE fks.conkey[i] = pg_temp.org_attnum(fks.conrelid)
          AND fks.confkey[i] = pg_temp.org_attnum(fks.confrelid)))
SELECT pg_temp.report('every foreign key between tenant tables pairs organisation_id with organisation_id',
    (SELECT count(*) FROM fks) >= 25 AND NOT EXISTS (SELECT 1 FROM bad),
    (SELECT 'offending: ' || string_agg(conname, ', ') FROM bad));

SELECT pg_temp.report('every tenant table references iam.organisations by organisation_id',
    NOT EXISTS (
        SELECT 1 FROM tenant_tables t
        WHERE NOT EXISTS (
            SELECT 1 FROM pg_constraint f
            WHERE f.conrelid = t.relid AND f.contype = 'f'
              AND f.confrelid = 'iam.organisations'::regclass
              AND f.conkey = ARRAY[pg_temp.org_attnum(t.relid)])),
    (SELECT string_agg(t.name, ', ') FROM tenant_tables t
        WHERE NOT EXISTS (
            SELECT 1 FROM pg_constraint f
            WHERE f.conrelid = t.relid AND f.contype = 'f'
              AND f.confrelid = 'iam.organisations'::regclass)));

-- Documented exceptions: the daemon's global lease index on tasks,
-- and the tracking listener's lookups by token and by Message-ID.
SELECT pg_temp.report('every index on a tenant table leads with organisation_id (3 documented exceptions)',
    NOT EXISTS (
        SELECT 1 FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
        WHERE i.indrelid IN (SELECT relid FROM tenant_tables)
          AND i.indkey[0] <> pg_temp.org_attnum(i.indrelid)
          AND ic.relname NOT IN ('tasks_lease_idx', 'pixels_token_key', 'messages_rfc_lookup_idx')),
    (SELECT string_agg(ic.relname, ', ') FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
        WHERE i.indrelid IN (SELECT relid FROM tenant_tables)
          AND i.indkey[0] <> pg_temp.org_attnum(i.indrelid)
          AND ic.relname NOT IN ('tasks_lease_idx', 'pixels_token_key', 'messages_rfc_lookup_idx')));

SELECT pg_temp.report('every table has created_at and updated_at timestamptz NOT NULL',
    NOT EXISTS (
        SELECT 1 FROM all_tables t, unnest(ARRAY['created_at', 'updated_at']) AS col
        WHERE NOT EXISTS (
            SELECT 1 FROM pg_attribute a
            WHERE a.attrelid = t.relid AND a.attname = col AND a.attnotnull
              AND a.atttypid = 'timestamptz'::regtype)));

SELECT pg_temp.report('every table has a BEFORE UPDATE trigger that sets updated_at',
    NOT EXISTS (
        SELECT 1 FROM all_tables t
        WHERE NOT EXISTS (
            SELECT 1 FROM pg_trigger g
            WHERE g.tgrelid = t.relid AND NOT g.tgisinternal
              AND g.tgfoid = 'public.pf_touch_updated_at()'::regprocedure
              AND (g.tgtype & 2) = 2      -- BEFORE
              AND (g.tgtype & 16) = 16)), -- UPDATE
    (SELECT string_agg(t.name, ', ') FROM all_tables t
        WHERE NOT EXISTS (SELECT 1 FROM pg_trigger g WHERE g.tgrelid = t.relid
                          AND g.tgfoid = 'public.pf_touch_updated_at()'::regprocedure)));

-- The documented exception to the tenant rules: outreach.instances (daemon
-- heartbeats) serves every organisation, so it has no organisation_id, is
-- keyed by the instance id alone, and no foreign key links it to any table
-- (tasks.locked_by is a plain copy of the id, so a lease outlives its row).
SELECT pg_temp.report('outreach.instances is global: keyed by id, no organisation_id, no foreign key',
    to_regclass('outreach.instances') IS NOT NULL
    AND pg_temp.org_attnum('outreach.instances'::regclass) IS NULL
    AND (SELECT array_agg(a.attname::text ORDER BY a.attname)
         FROM pg_constraint k
         JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = ANY (k.conkey)
         WHERE k.conrelid = 'outreach.instances'::regclass AND k.contype = 'p') = ARRAY['id']
    AND NOT EXISTS (SELECT 1 FROM pg_constraint f
                    WHERE f.contype = 'f' AND 'outreach.instances'::regclass IN (f.conrelid, f.confrelid))
    AND (SELECT count(*) FROM pg_attribute a
         WHERE a.attrelid = 'outreach.instances'::regclass AND a.attnotnull AND NOT a.attisdropped
           AND a.attname IN ('id', 'host', 'pid', 'version', 'started_at', 'heartbeat_at')) = 6,
    (SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ', ')
     FROM pg_attribute a WHERE a.attrelid = to_regclass('outreach.instances') AND a.attnum > 0
       AND NOT a.attisdropped));

-- The claim walks pending tasks organisation by organisation (fair claims):
-- the index leads with organisation_id and holds only pending tasks.
SELECT pg_temp.report('the claim''s index is per organisation and holds only pending tasks',
    EXISTS (SELECT 1 FROM pg_indexes WHERE schemaname = 'outreach' AND indexname = 'tasks_org_due_idx'
              AND indexdef LIKE '%(organisation_id, run_at, id) WHERE (status = ''pending''::text)')
    AND NOT EXISTS (SELECT 1 FROM pg_indexes WHERE schemaname = 'outreach' AND indexname = 'tasks_due_idx'),
    (SELECT string_agg(indexname || ': ' || indexdef, '; ') FROM pg_indexes
     WHERE schemaname = 'outreach' AND tablename = 'tasks'));

-- On the engine's hot tables the updated_at trigger runs only when the
-- statement left updated_at alone (the engine sets it itself).
SELECT pg_temp.report('hot tables skip the updated_at trigger when the statement sets updated_at',
    (SELECT count(*) = 3 FROM pg_trigger g
     WHERE g.tgrelid IN ('outreach.tasks'::regclass, 'outreach.messages'::regclass,
                         'outreach.campaign_enrollments'::regclass)
       AND g.tgfoid = 'public.pf_touch_updated_at()'::regprocedure
       AND pg_get_triggerdef(g.oid) LIKE '%WHEN ((NOT (new.updated_at IS DISTINCT FROM old.updated_at)))%'),
    (SELECT string_agg(pg_get_triggerdef(g.oid), '; ') FROM pg_trigger g
     WHERE g.tgfoid = 'public.pf_touch_updated_at()'::regprocedure
       AND g.tgrelid IN ('outreach.tasks'::regclass, 'outreach.messages'::regclass,
                         'outreach.campaign_enrollments'::regclass)));

-- Claims and finishes do not pay for a transition table per statement:
-- the statements that make a task due notify themselves.
SELECT pg_temp.report('no statement trigger on UPDATE of tasks (wake-ups come from the statements)',
    NOT EXISTS (SELECT 1 FROM pg_trigger g
                WHERE g.tgrelid = 'outreach.tasks'::regclass AND NOT g.tgisinternal
                  AND (g.tgtype & 1) = 0 AND (g.tgtype & 16) = 16),
    (SELECT string_agg(g.tgname, ', ') FROM pg_trigger g
     WHERE g.tgrelid = 'outreach.tasks'::regclass AND NOT g.tgisinternal
       AND (g.tgtype & 1) = 0 AND (g.tgtype & 16) = 16));

SELECT pg_temp.report('flyway_schema_history records only successful SQL migrations',
    to_regclass('public.flyway_schema_history') IS NOT NULL
    AND (SELECT count(*) FROM public.flyway_schema_history) >= 5
    AND NOT EXISTS (SELECT 1 FROM public.flyway_schema_history WHERE NOT success OR type <> 'SQL'));

------------------------------------------------------------------------------
-- Fixtures: two organisations, each with a full chain of rows. The campaigns
-- start as drafts, so no task is enqueued until a check activates one.
------------------------------------------------------------------------------
INSERT INTO iam.organisations (id, name, slug) VALUES
    ('0a000000-0000-4000-8000-000000000001', 'Validation A', 'validation-a'),
    ('0b000000-0000-4000-8000-000000000001', 'Validation B', 'validation-b');
INSERT INTO crm.companies (organisation_id, id, name, siren, naf_code) VALUES
    ('0a000000-0000-4000-8000-000000000001', '0a000000-0000-4000-8000-0000000000c1', 'Société A', '732829320', '62.01Z'),
    ('0b000000-0000-4000-8000-000000000001', '0b000000-0000-4000-8000-0000000000c1', 'Société B', '356000000', '70.22Z');
INSERT INTO crm.people (organisation_id, id, first_name, last_name, email, timezone) VALUES
    ('0a000000-0000-4000-8000-000000000001', '0a000000-0000-4000-8000-0000000000d1', 'Anaïs', 'Durand', 'anais@a.example', 'Europe/Paris'),
    ('0a000000-0000-4000-8000-000000000001', '0a000000-0000-4000-8000-0000000000d2', 'Bruno', 'Martin', 'bruno@a.example', NULL),
    ('0b000000-0000-4000-8000-000000000001', '0b000000-0000-4000-8000-0000000000d1', 'Chloé', 'Petit', 'chloe@b.example', 'America/Montreal');
INSERT INTO crm.positions (organisation_id, id, person_id, company_id, title, email) VALUES
    ('0a000000-0000-4000-8000-000000000001', '0a000000-0000-4000-8000-0000000000e1', '0a000000-0000-4000-8000-0000000000d1', '0a000000-0000-4000-8000-0000000000c1', 'CTO', 'anais.durand@a.example'),
    ('0a000000-0000-4000-8000-000000000001', '0a000000-0000-4000-8000-0000000000e2', '0a000000-0000-4000-8000-0000000000d2', '0a000000-0000-4000-8000-0000000000c1', 'CEO', 'bruno.martin@a.example'),
    ('0b000000-0000-4000-8000-000000000001', '0b000000-0000-4000-8000-0000000000e1', '0b000000-0000-4000-8000-0000000000d1', '0b000000-0000-4000-8000-0000000000c1', 'DAF', 'chloe.petit@b.example');
INSERT INTO outreach.prompts (organisation_id, id, name, version, subject_template, body_template) VALUES
    ('0a000000-0000-4000-8000-000000000001', '0a000000-0000-4000-8000-0000000000f1', 'intro', 1, 'Bonjour {{first_name}}', 'Corps'),
    ('0a000000-0000-4000-8000-000000000001', '0a000000-0000-4000-8000-0000000000f2', 'intro', 2, 'Salut {{first_name}}', 'Corps'),
    ('0b000000-0000-4000-8000-000000000001', '0b000000-0000-4000-8000-0000000000f1', 'intro', 1, 'Hello', 'Body');
INSERT INTO outreach.campaigns (organisation_id, id, name, status, from_email) VALUES
    ('0a000000-0000-4000-8000-000000000001', '0a000000-0000-4000-8000-0000000000a1', 'Campagne A', 'draft', 'ventes@a.example'),
    ('0b000000-0000-4000-8000-000000000001', '0b000000-0000-4000-8000-0000000000a1', 'Campagne B', 'draft', 'sales@b.example');
INSERT INTO outreach.workflow_steps (organisation_id, id, campaign_id, step_order, prompt_id) VALUES
    ('0a000000-0000-4000-8000-000000000001', '0a000000-0000-4000-8000-0000000000b1', '0a000000-0000-4000-8000-0000000000a1', 1, '0a000000-0000-4000-8000-0000000000f1'),
    ('0a000000-0000-4000-8000-000000000001', '0a000000-0000-4000-8000-0000000000b2', '0a000000-0000-4000-8000-0000000000a1', 2, '0a000000-0000-4000-8000-0000000000f1'),
    ('0b000000-0000-4000-8000-000000000001', '0b000000-0000-4000-8000-0000000000b1', '0b000000-0000-4000-8000-0000000000a1', 1, '0b000000-0000-4000-8000-0000000000f1');
INSERT INTO outreach.step_experiments (organisation_id, id, step_id) VALUES
    ('0a000000-0000-4000-8000-000000000001', '0a000000-0000-4000-8000-000000000011', '0a000000-0000-4000-8000-0000000000b1'),
    ('0a000000-0000-4000-8000-000000000001', '0a000000-0000-4000-8000-000000000012', '0a000000-0000-4000-8000-0000000000b2');
INSERT INTO outreach.step_experiment_variants (organisation_id, id, experiment_id, label, weight, prompt_id) VALUES
    ('0a000000-0000-4000-8000-000000000001', '0a000000-0000-4000-8000-000000000021', '0a000000-0000-4000-8000-000000000011', 'A', 1, '0a000000-0000-4000-8000-0000000000f1'),
    ('0a000000-0000-4000-8000-000000000001', '0a000000-0000-4000-8000-000000000022', '0a000000-0000-4000-8000-000000000011', 'B', 1, '0a000000-0000-4000-8000-0000000000f2'),
    ('0a000000-0000-4000-8000-000000000001', '0a000000-0000-4000-8000-000000000023', '0a000000-0000-4000-8000-000000000012', 'A', 1, '0a000000-0000-4000-8000-0000000000f1');
INSERT INTO outreach.campaign_enrollments (organisation_id, id, campaign_id, person_id, position_id) VALUES
    ('0a000000-0000-4000-8000-000000000001', '0a000000-0000-4000-8000-000000000031', '0a000000-0000-4000-8000-0000000000a1', '0a000000-0000-4000-8000-0000000000d1', '0a000000-0000-4000-8000-0000000000e1'),
    ('0b000000-0000-4000-8000-000000000001', '0b000000-0000-4000-8000-000000000031', '0b000000-0000-4000-8000-0000000000a1', '0b000000-0000-4000-8000-0000000000d1', '0b000000-0000-4000-8000-0000000000e1');
INSERT INTO outreach.messages (organisation_id, id, campaign_id, enrollment_id, step_id, prompt_id, direction, status,
                               from_email, to_email, subject, rfc_message_id) VALUES
    ('0a000000-0000-4000-8000-000000000001', '0a000000-0000-4000-8000-000000000041', '0a000000-0000-4000-8000-0000000000a1',
     '0a000000-0000-4000-8000-000000000031', '0a000000-0000-4000-8000-0000000000b1', '0a000000-0000-4000-8000-0000000000f1',
     'outbound', 'pending', 'ventes@a.example', 'anais.durand@a.example', 'Bonjour Anaïs', 'm41@a.example');

------------------------------------------------------------------------------
-- Tenant isolation: no row of one organisation references another's.
------------------------------------------------------------------------------
SELECT pg_temp.expect_refused('a position cannot reference another organisation''s person',
    $$INSERT INTO crm.positions (organisation_id, person_id, company_id, email)
      VALUES ('0a000000-0000-4000-8000-000000000001', '0b000000-0000-4000-8000-0000000000d1',
              '0a000000-0000-4000-8000-0000000000c1', 'x@a.example')$$, '23503');

SELECT pg_temp.expect_refused('an enrollment cannot reference another organisation''s campaign',
    $$INSERT INTO outreach.campaign_enrollments (organisation_id, campaign_id, person_id)
      VALUES ('0a000000-0000-4000-8000-000000000001', '0b000000-0000-4000-8000-0000000000a1',
              '0a000000-0000-4000-8000-0000000000d2')$$, '23503');

SELECT pg_temp.expect_refused('a message cannot reference another organisation''s enrollment',
    $$INSERT INTO outreach.messages (organisation_id, campaign_id, enrollment_id, step_id, direction, status,
                                     from_email, to_email, rfc_message_id)
      VALUES ('0a000000-0000-4000-8000-000000000001', '0a000000-0000-4000-8000-0000000000a1',
              '0b000000-0000-4000-8000-000000000031', '0a000000-0000-4000-8000-0000000000b1',
              'outbound', 'pending', 'ventes@a.example', 'chloe.petit@b.example', 'x1@a.example')$$, '23503');

SELECT pg_temp.expect_refused('a task cannot reference another organisation''s enrollment',
    $$INSERT INTO outreach.tasks (organisation_id, campaign_id, enrollment_id)
      VALUES ('0a000000-0000-4000-8000-000000000001', '0a000000-0000-4000-8000-0000000000a1',
              '0b000000-0000-4000-8000-000000000031')$$, '23503');

SELECT pg_temp.expect_refused('a variant cannot use another organisation''s prompt',
    $$INSERT INTO outreach.step_experiment_variants (organisation_id, experiment_id, label, prompt_id)
      VALUES ('0a000000-0000-4000-8000-000000000001', '0a000000-0000-4000-8000-000000000011', 'C',
              '0b000000-0000-4000-8000-0000000000f1')$$, '23503');

SELECT pg_temp.expect_refused('a task''s step must belong to the task''s campaign',
    $$INSERT INTO outreach.tasks (organisation_id, campaign_id, enrollment_id, step_id)
      VALUES ('0a000000-0000-4000-8000-000000000001', '0a000000-0000-4000-8000-0000000000a1',
              '0a000000-0000-4000-8000-000000000031', '0b000000-0000-4000-8000-0000000000b1')$$, '23503');

SELECT pg_temp.expect_refused('an enrollment''s position must be its person''s',
    $$INSERT INTO outreach.campaign_enrollments (organisation_id, campaign_id, person_id, position_id)
      VALUES ('0a000000-0000-4000-8000-000000000001', '0a000000-0000-4000-8000-0000000000a1',
              '0a000000-0000-4000-8000-0000000000d2', '0a000000-0000-4000-8000-0000000000e1')$$, '23503');

SELECT pg_temp.expect_refused('a variant assignment''s variant must belong to its experiment',
    $$INSERT INTO outreach.enrollment_step_variant_assignments
          (organisation_id, enrollment_id, step_id, experiment_id, variant_id)
      VALUES ('0a000000-0000-4000-8000-000000000001', '0a000000-0000-4000-8000-000000000031',
              '0a000000-0000-4000-8000-0000000000b1', '0a000000-0000-4000-8000-000000000011',
              '0a000000-0000-4000-8000-000000000023')$$, '23503');

SELECT pg_temp.expect_refused('an experiment''s winner must be one of its own variants',
    $$UPDATE outreach.step_experiments SET status = 'completed',
             winner_variant_id = '0a000000-0000-4000-8000-000000000023'
      WHERE organisation_id = '0a000000-0000-4000-8000-000000000001'
        AND id = '0a000000-0000-4000-8000-000000000011'$$, '23503');

------------------------------------------------------------------------------
-- Enum-like columns and formats.
------------------------------------------------------------------------------
SELECT pg_temp.expect_refused('a SIREN must have 9 digits',
    $$INSERT INTO crm.companies (organisation_id, name, siren)
      VALUES ('0a000000-0000-4000-8000-000000000001', 'Courte', '73282932')$$, '23514');

SELECT pg_temp.expect_refused('a SIREN must pass the Luhn check',
    $$INSERT INTO crm.companies (organisation_id, name, siren)
      VALUES ('0a000000-0000-4000-8000-000000000001', 'Fausse', '732829321')$$, '23514');

SELECT pg_temp.expect_refused('a NAF code must look like 62.01Z',
    $$INSERT INTO crm.companies (organisation_id, name, naf_code)
      VALUES ('0a000000-0000-4000-8000-000000000001', 'Sans point', '6201Z')$$, '23514');

SELECT pg_temp.expect_accepted('a valid SIREN and NAF code are accepted',
    $$INSERT INTO crm.companies (organisation_id, name, siren, naf_code, domain)
      VALUES ('0a000000-0000-4000-8000-000000000001', 'Valide', '542107651', '47.11F', 'valide.example')$$);

SELECT pg_temp.expect_refused('a person''s time zone must be an IANA name',
    $$INSERT INTO crm.people (organisation_id, first_name, last_name, timezone)
      VALUES ('0a000000-0000-4000-8000-000000000001', 'Zoé', 'Faux', 'Europe/Pariss')$$, '23514');

SELECT pg_temp.expect_refused('a time zone abbreviation (CEST) is not an IANA name',
    $$INSERT INTO crm.people (organisation_id, first_name, last_name, timezone)
      VALUES ('0a000000-0000-4000-8000-000000000001', 'Zoé', 'Abrégé', 'CEST')$$, '23514');

SELECT pg_temp.expect_refused('a campaign''s time zone must be an IANA name',
    $$INSERT INTO outreach.campaigns (organisation_id, name, from_email, timezone)
      VALUES ('0a000000-0000-4000-8000-000000000001', 'TZ', 'a@a.example', 'UTC+3')$$, '23514');

SELECT pg_temp.expect_refused('campaign status is one of draft, active, paused, completed, archived',
    $$UPDATE outreach.campaigns SET status = 'running'
      WHERE organisation_id = '0a000000-0000-4000-8000-000000000001'$$, '23514');

SELECT pg_temp.expect_refused('enrollment status is one of the eight documented states',
    $$UPDATE outreach.campaign_enrollments SET status = 'done'
      WHERE organisation_id = '0a000000-0000-4000-8000-000000000001'$$, '23514');

SELECT pg_temp.expect_refused('task status is one of pending, running, succeeded, failed, cancelled',
    $$INSERT INTO outreach.tasks (organisation_id, campaign_id, enrollment_id, status)
      VALUES ('0a000000-0000-4000-8000-000000000001', '0a000000-0000-4000-8000-0000000000a1',
              '0a000000-0000-4000-8000-000000000031', 'queued')$$, '23514');

SELECT pg_temp.expect_refused('message direction is outbound or inbound',
    $$UPDATE outreach.messages SET direction = 'sideways'
      WHERE organisation_id = '0a000000-0000-4000-8000-000000000001'$$, '23514');

SELECT pg_temp.expect_refused('an inbound message''s status is received',
    $$INSERT INTO outreach.messages (organisation_id, campaign_id, enrollment_id, direction, status,
                                     from_email, to_email, rfc_message_id)
      VALUES ('0a000000-0000-4000-8000-000000000001', '0a000000-0000-4000-8000-0000000000a1',
              '0a000000-0000-4000-8000-000000000031', 'inbound', 'sent',
              'anais.durand@a.example', 'ventes@a.example', 'in1@a.example')$$, '23514');

SELECT pg_temp.expect_refused('position email_status is one of unknown, valid, risky, invalid, bounced',
    $$UPDATE crm.positions SET email_status = 'maybe'
      WHERE organisation_id = '0a000000-0000-4000-8000-000000000001'$$, '23514');

SELECT pg_temp.expect_refused('organisation role is one of owner, admin, member, viewer',
    $$WITH u AS (INSERT INTO iam.users (email) VALUES ('role-check@validation.example') RETURNING id)
      INSERT INTO iam.organisation_users (organisation_id, user_id, role)
      SELECT '0a000000-0000-4000-8000-000000000001', id, 'superuser' FROM u$$, '23514');

SELECT pg_temp.expect_refused('step condition is one of always, no_reply, not_opened, opened',
    $$UPDATE outreach.workflow_steps SET condition = 'sometimes'
      WHERE organisation_id = '0a000000-0000-4000-8000-000000000001'$$, '23514');

SELECT pg_temp.expect_refused('send_days holds ISO weekdays 1..7 only',
    $$UPDATE outreach.campaigns SET send_days = '{1,8}'
      WHERE organisation_id = '0a000000-0000-4000-8000-000000000001'$$, '23514');

SELECT pg_temp.expect_refused('send_days is not empty',
    $$UPDATE outreach.campaigns SET send_days = '{}'
      WHERE organisation_id = '0a000000-0000-4000-8000-000000000001'$$, '23514');

SELECT pg_temp.expect_refused('the send window ends after it starts',
    $$UPDATE outreach.campaigns SET send_window_start = '18:00', send_window_end = '09:00'
      WHERE organisation_id = '0a000000-0000-4000-8000-000000000001'$$, '23514');

SELECT pg_temp.expect_refused('daily_send_limit is positive',
    $$UPDATE outreach.campaigns SET daily_send_limit = 0
      WHERE organisation_id = '0a000000-0000-4000-8000-000000000001'$$, '23514');

SELECT pg_temp.expect_refused('a variant''s weight is positive',
    $$UPDATE outreach.step_experiment_variants SET weight = 0
      WHERE organisation_id = '0a000000-0000-4000-8000-000000000001'$$, '23514');

SELECT pg_temp.expect_refused('a campaign''s from_email is an email address',
    $$UPDATE outreach.campaigns SET from_email = 'ventes at a.example'
      WHERE organisation_id = '0a000000-0000-4000-8000-000000000001'$$, '23514');

SELECT pg_temp.expect_refused('a user''s email is an email address',
    $$INSERT INTO iam.users (email) VALUES ('not-an-email')$$, '23514');

SELECT pg_temp.expect_refused('an openai prompt names its model',
    $$INSERT INTO outreach.prompts (organisation_id, name, generator, subject_template, body_template)
      VALUES ('0a000000-0000-4000-8000-000000000001', 'llm', 'openai', 's', 'b')$$, '23514');

SELECT pg_temp.expect_refused('a running task holds a lease (locked_by, locked_until)',
    $$INSERT INTO outreach.tasks (organisation_id, campaign_id, enrollment_id, status)
      VALUES ('0a000000-0000-4000-8000-000000000001', '0a000000-0000-4000-8000-0000000000a1',
              '0a000000-0000-4000-8000-000000000031', 'running')$$, '23514');

SELECT pg_temp.expect_refused('open stats: a zero count has no open times',
    $$INSERT INTO tracking.message_open_stats (organisation_id, message_id, open_count, first_opened_at, last_opened_at)
      VALUES ('0a000000-0000-4000-8000-000000000001', '0a000000-0000-4000-8000-000000000041', 0, now(), now())$$, '23514');

SELECT pg_temp.expect_refused('only a completed experiment names a winner',
    $$UPDATE outreach.step_experiments SET winner_variant_id = '0a000000-0000-4000-8000-000000000021'
      WHERE organisation_id = '0a000000-0000-4000-8000-000000000001'
        AND id = '0a000000-0000-4000-8000-000000000011'$$, '23514');

------------------------------------------------------------------------------
-- Uniqueness, case-insensitive where addresses are concerned.
------------------------------------------------------------------------------
SELECT pg_temp.expect_refused('user emails are unique whatever their case',
    $$INSERT INTO iam.users (email) VALUES ('Same.Person@Validation.example'), ('same.person@validation.EXAMPLE')$$, '23505');

SELECT pg_temp.expect_refused('organisation slugs are unique whatever their case',
    $$INSERT INTO iam.organisations (name, slug) VALUES ('Copie', 'VALIDATION-A')$$, '23505');

SELECT pg_temp.expect_refused('a person''s email is unique in an organisation whatever its case',
    $$INSERT INTO crm.people (organisation_id, first_name, last_name, email)
      VALUES ('0a000000-0000-4000-8000-000000000001', 'Anaïs', 'Bis', 'ANAIS@A.EXAMPLE')$$, '23505');

SELECT pg_temp.expect_accepted('the same person email may exist in another organisation',
    $$INSERT INTO crm.people (organisation_id, first_name, last_name, email)
      VALUES ('0b000000-0000-4000-8000-000000000001', 'Anaïs', 'Ailleurs', 'Anais@A.example')$$);

SELECT pg_temp.expect_refused('a position''s email is unique in an organisation whatever its case',
    $$INSERT INTO crm.positions (organisation_id, person_id, company_id, email)
      VALUES ('0a000000-0000-4000-8000-000000000001', '0a000000-0000-4000-8000-0000000000d2',
              '0a000000-0000-4000-8000-0000000000c1', 'Anais.Durand@A.example')$$, '23505');

SELECT pg_temp.expect_refused('a person is enrolled in a campaign at most once',
    $$INSERT INTO outreach.campaign_enrollments (organisation_id, campaign_id, person_id)
      VALUES ('0a000000-0000-4000-8000-000000000001', '0a000000-0000-4000-8000-0000000000a1',
              '0a000000-0000-4000-8000-0000000000d1')$$, '23505');

SELECT pg_temp.expect_refused('at most one outbound message per (enrollment, step)',
    $$INSERT INTO outreach.messages (organisation_id, campaign_id, enrollment_id, step_id, direction, status,
                                     from_email, to_email, rfc_message_id)
      VALUES ('0a000000-0000-4000-8000-000000000001', '0a000000-0000-4000-8000-0000000000a1',
              '0a000000-0000-4000-8000-000000000031', '0a000000-0000-4000-8000-0000000000b1',
              'outbound', 'pending', 'ventes@a.example', 'anais.durand@a.example', 'dup@a.example')$$, '23505');

SELECT pg_temp.expect_accepted('inbound messages (replies) are not limited per step',
    $$INSERT INTO outreach.messages (organisation_id, campaign_id, enrollment_id, step_id, direction, status,
                                     from_email, to_email, rfc_message_id, received_at)
      VALUES ('0a000000-0000-4000-8000-000000000001', '0a000000-0000-4000-8000-0000000000a1',
              '0a000000-0000-4000-8000-000000000031', '0a000000-0000-4000-8000-0000000000b1',
              'inbound', 'received', 'anais.durand@a.example', 'ventes@a.example', 'r1@mail.a.example', now()),
             ('0a000000-0000-4000-8000-000000000001', '0a000000-0000-4000-8000-0000000000a1',
              '0a000000-0000-4000-8000-000000000031', '0a000000-0000-4000-8000-0000000000b1',
              'inbound', 'received', 'anais.durand@a.example', 'ventes@a.example', 'r2@mail.a.example', now())$$);

SELECT pg_temp.expect_refused('a Message-ID is unique in an organisation',
    $$INSERT INTO outreach.messages (organisation_id, campaign_id, enrollment_id, step_id, direction, status,
                                     from_email, to_email, rfc_message_id)
      VALUES ('0a000000-0000-4000-8000-000000000001', '0a000000-0000-4000-8000-0000000000a1',
              '0a000000-0000-4000-8000-000000000031', '0a000000-0000-4000-8000-0000000000b2',
              'outbound', 'pending', 'ventes@a.example', 'anais.durand@a.example', 'm41@a.example')$$, '23505');

INSERT INTO outreach.enrollment_step_variant_assignments
    (organisation_id, enrollment_id, step_id, experiment_id, variant_id)
VALUES ('0a000000-0000-4000-8000-000000000001', '0a000000-0000-4000-8000-000000000031',
        '0a000000-0000-4000-8000-0000000000b1', '0a000000-0000-4000-8000-000000000011',
        '0a000000-0000-4000-8000-000000000021');

SELECT pg_temp.expect_refused('at most one variant assignment per (enrollment, experiment)',
    $$INSERT INTO outreach.enrollment_step_variant_assignments
          (organisation_id, enrollment_id, step_id, experiment_id, variant_id)
      VALUES ('0a000000-0000-4000-8000-000000000001', '0a000000-0000-4000-8000-000000000031',
              '0a000000-0000-4000-8000-0000000000b1', '0a000000-0000-4000-8000-000000000011',
              '0a000000-0000-4000-8000-000000000022')$$, '23505');

SELECT pg_temp.expect_refused('at most one running experiment per step',
    $$INSERT INTO outreach.step_experiments (organisation_id, step_id)
      VALUES ('0a000000-0000-4000-8000-000000000001', '0a000000-0000-4000-8000-0000000000b1')$$, '23505');

INSERT INTO outreach.tasks (organisation_id, campaign_id, enrollment_id, step_id)
VALUES ('0a000000-0000-4000-8000-000000000001', '0a000000-0000-4000-8000-0000000000a1',
        '0a000000-0000-4000-8000-000000000031', '0a000000-0000-4000-8000-0000000000b1');

SELECT pg_temp.expect_refused('at most one open step task per enrollment',
    $$INSERT INTO outreach.tasks (organisation_id, campaign_id, enrollment_id, step_id)
      VALUES ('0a000000-0000-4000-8000-000000000001', '0a000000-0000-4000-8000-0000000000a1',
              '0a000000-0000-4000-8000-000000000031', '0a000000-0000-4000-8000-0000000000b2')$$, '23505');

------------------------------------------------------------------------------
-- The task queue follows what the app writes (no call to the daemon).
------------------------------------------------------------------------------
UPDATE outreach.campaigns SET status = 'active' WHERE organisation_id = '0b000000-0000-4000-8000-000000000001';
SELECT pg_temp.report('activating a campaign enqueues the first step of its active enrollments',
    (SELECT count(*) = 1 FROM outreach.tasks
     WHERE organisation_id = '0b000000-0000-4000-8000-000000000001'
       AND enrollment_id = '0b000000-0000-4000-8000-000000000031'
       AND step_id = '0b000000-0000-4000-8000-0000000000b1' AND status = 'pending'));

INSERT INTO crm.people (organisation_id, id, first_name, last_name, email) VALUES
    ('0b000000-0000-4000-8000-000000000001', '0b000000-0000-4000-8000-0000000000d2', 'Denis', 'Roy', 'denis@b.example');
INSERT INTO outreach.campaign_enrollments (organisation_id, id, campaign_id, person_id) VALUES
    ('0b000000-0000-4000-8000-000000000001', '0b000000-0000-4000-8000-000000000032',
     '0b000000-0000-4000-8000-0000000000a1', '0b000000-0000-4000-8000-0000000000d2');
SELECT pg_temp.report('a new active enrollment in an active campaign gets its first step enqueued',
    (SELECT count(*) = 1 FROM outreach.tasks
     WHERE organisation_id = '0b000000-0000-4000-8000-000000000001'
       AND enrollment_id = '0b000000-0000-4000-8000-000000000032' AND status = 'pending'));

UPDATE outreach.campaign_enrollments SET status = 'unsubscribed'
WHERE organisation_id = '0b000000-0000-4000-8000-000000000001' AND id = '0b000000-0000-4000-8000-000000000031';
SELECT pg_temp.report('an enrollment that stops has its pending tasks cancelled, with the reason',
    (SELECT status = 'cancelled' AND last_error = 'cancelled: enrollment is now unsubscribed'
     FROM outreach.tasks
     WHERE organisation_id = '0b000000-0000-4000-8000-000000000001'
       AND enrollment_id = '0b000000-0000-4000-8000-000000000031'));

INSERT INTO outreach.messages (organisation_id, campaign_id, enrollment_id, direction, status,
                               from_email, to_email, rfc_message_id, received_at)
VALUES ('0b000000-0000-4000-8000-000000000001', '0b000000-0000-4000-8000-0000000000a1',
        '0b000000-0000-4000-8000-000000000032', 'inbound', 'received',
        'denis@b.example', 'sales@b.example', 'reply-32@mail.b.example', now());
SELECT pg_temp.report('a reply (inbound message) ends the enrollment and cancels its tasks',
    (SELECT e.status = 'replied' AND t.status = 'cancelled'
     FROM outreach.campaign_enrollments e
     JOIN outreach.tasks t ON t.organisation_id = e.organisation_id AND t.enrollment_id = e.id
     WHERE e.organisation_id = '0b000000-0000-4000-8000-000000000001'
       AND e.id = '0b000000-0000-4000-8000-000000000032'));

------------------------------------------------------------------------------
-- Behaviour: triggers and defaults.
------------------------------------------------------------------------------
UPDATE crm.people SET updated_at = '2000-01-01', created_at = '2000-01-01'
WHERE organisation_id = '0a000000-0000-4000-8000-000000000001' AND id = '0a000000-0000-4000-8000-0000000000d2';
SELECT pg_temp.report('updated_at moves on update',
    (SELECT updated_at > '2000-01-01' AND created_at = '2000-01-01' FROM crm.people
     WHERE organisation_id = '0a000000-0000-4000-8000-000000000001' AND id = '0a000000-0000-4000-8000-0000000000d2'));

SELECT pg_temp.expect_refused('a prompt version used by a message cannot change',
    $$UPDATE outreach.prompts SET body_template = 'Nouveau corps'
      WHERE organisation_id = '0a000000-0000-4000-8000-000000000001'
        AND id = '0a000000-0000-4000-8000-0000000000f1'$$, '23001');

SELECT pg_temp.expect_accepted('an unused prompt version can still be edited',
    $$UPDATE outreach.prompts SET body_template = 'Corps revu'
      WHERE organisation_id = '0a000000-0000-4000-8000-000000000001'
        AND id = '0a000000-0000-4000-8000-0000000000f2'$$);

INSERT INTO tracking.pixels (organisation_id, message_id)
VALUES ('0a000000-0000-4000-8000-000000000001', '0a000000-0000-4000-8000-000000000041');
SELECT pg_temp.report('a pixel gets an unguessable URL-safe token by default (192 bits)',
    (SELECT token ~ '^[A-Za-z0-9_-]{32}$' FROM tracking.pixels
     WHERE organisation_id = '0a000000-0000-4000-8000-000000000001'));

SELECT pg_temp.expect_refused('deleting an organisation deletes all of its rows (cascade)',
    $chk$DO $do$ BEGIN
        DELETE FROM iam.organisations WHERE id = '0b000000-0000-4000-8000-000000000001';
        IF EXISTS (SELECT 1 FROM crm.people WHERE organisation_id = '0b000000-0000-4000-8000-000000000001') THEN
            RAISE EXCEPTION 'rows left' USING ERRCODE = 'P0001';
        END IF;
        RAISE EXCEPTION 'cascade ok' USING ERRCODE = 'P0002';
      END $do$$chk$, 'P0002');

------------------------------------------------------------------------------
-- Sender mailboxes (V20261202_110000).
------------------------------------------------------------------------------
SELECT pg_temp.report('the mailbox tables exist, with the enrollment''s and message''s mailbox_id',
    (SELECT count(*) = 3 FROM pg_tables WHERE schemaname = 'outreach'
       AND tablename IN ('mailboxes', 'campaign_mailboxes', 'mailbox_daily_sends'))
    AND (SELECT count(*) = 2 FROM information_schema.columns WHERE table_schema = 'outreach'
           AND column_name = 'mailbox_id' AND table_name IN ('campaign_enrollments', 'messages')));

INSERT INTO outreach.mailboxes (organisation_id, id, email, smtp_url, auth_kind, secret) VALUES
    ('0a000000-0000-4000-8000-000000000001', '0a000000-0000-4000-8000-0000000000e1', 'anne@a.example',
     'smtp://smtp.a.example:587', 'password', 'pfsec1:x'),
    ('0b000000-0000-4000-8000-000000000001', '0b000000-0000-4000-8000-0000000000e1', 'bob@b.example',
     'smtps://smtp.b.example', 'xoauth2', 'pfsec1:y');
SELECT pg_temp.expect_refused('a mailbox address is unique per organisation (without case)',
    $$INSERT INTO outreach.mailboxes (organisation_id, email)
      VALUES ('0a000000-0000-4000-8000-000000000001', 'ANNE@a.example')$$, '23505');
SELECT pg_temp.expect_accepted('two organisations may each have the same mailbox address',
    $$INSERT INTO outreach.mailboxes (organisation_id, email)
      VALUES ('0b000000-0000-4000-8000-000000000001', 'anne@a.example')$$);
SELECT pg_temp.expect_refused('mailbox status is one of active, paused, error',
    $$UPDATE outreach.mailboxes SET status = 'broken'
      WHERE organisation_id = '0a000000-0000-4000-8000-000000000001'$$, '23514');
SELECT pg_temp.expect_refused('mailbox auth_kind is password or xoauth2',
    $$UPDATE outreach.mailboxes SET auth_kind = 'ntlm'
      WHERE organisation_id = '0a000000-0000-4000-8000-000000000001'$$, '23514');
SELECT pg_temp.expect_refused('a mailbox''s ramp-up needs both its start date and initial limit',
    $$UPDATE outreach.mailboxes SET ramp_start_date = '2027-01-04'
      WHERE organisation_id = '0a000000-0000-4000-8000-000000000001'$$, '23514');
SELECT pg_temp.expect_refused('a mailbox''s SMTP URL is smtp:// or smtps://HOST[:PORT]',
    $$UPDATE outreach.mailboxes SET smtp_url = 'http://smtp.a.example'
      WHERE organisation_id = '0a000000-0000-4000-8000-000000000001'$$, '23514');
SELECT pg_temp.expect_refused('a mailbox''s time zone is an IANA name',
    $$UPDATE outreach.mailboxes SET timezone = 'CET+1'
      WHERE organisation_id = '0a000000-0000-4000-8000-000000000001'$$, '23514');
SELECT pg_temp.expect_accepted('a campaign''s pool takes its organisation''s mailbox',
    $$INSERT INTO outreach.campaign_mailboxes (organisation_id, campaign_id, mailbox_id, weight)
      VALUES ('0a000000-0000-4000-8000-000000000001', '0a000000-0000-4000-8000-0000000000a1',
              '0a000000-0000-4000-8000-0000000000e1', 2)$$);
SELECT pg_temp.expect_refused('a campaign''s pool cannot take another organisation''s mailbox',
    $$INSERT INTO outreach.campaign_mailboxes (organisation_id, campaign_id, mailbox_id)
      VALUES ('0a000000-0000-4000-8000-000000000001', '0a000000-0000-4000-8000-0000000000a1',
              '0b000000-0000-4000-8000-0000000000e1')$$, '23503');
SELECT pg_temp.expect_refused('a pool weight is between 1 and 1000',
    $$UPDATE outreach.campaign_mailboxes SET weight = 0
      WHERE organisation_id = '0a000000-0000-4000-8000-000000000001'$$, '23514');
SELECT pg_temp.expect_refused('an enrollment cannot send from another organisation''s mailbox',
    $$UPDATE outreach.campaign_enrollments SET mailbox_id = '0b000000-0000-4000-8000-0000000000e1'
      WHERE organisation_id = '0a000000-0000-4000-8000-000000000001'$$, '23503');
SELECT pg_temp.expect_refused('a mailbox that enrollments send from cannot be deleted under them',
    $chk$DO $do$ BEGIN
        UPDATE outreach.campaign_enrollments SET mailbox_id = '0a000000-0000-4000-8000-0000000000e1'
        WHERE organisation_id = '0a000000-0000-4000-8000-000000000001';
        DELETE FROM outreach.mailboxes
        WHERE organisation_id = '0a000000-0000-4000-8000-000000000001' AND id = '0a000000-0000-4000-8000-0000000000e1';
      END $do$$chk$, '23503');
SELECT pg_temp.expect_refused('a campaign''s max_new_per_day is not negative',
    $$UPDATE outreach.campaigns SET max_new_per_day = -1
      WHERE organisation_id = '0a000000-0000-4000-8000-000000000001'$$, '23514');

------------------------------------------------------------------------------
-- Sequencing calendar: delay units, holiday calendars, countries, custom days.
------------------------------------------------------------------------------
SELECT pg_temp.report('a step without a delay_unit keeps delay_seconds (unit and amount default to NULL)',
    (SELECT bool_and(delay_unit IS NULL AND delay_amount IS NULL) FROM outreach.workflow_steps
     WHERE organisation_id = '0a000000-0000-4000-8000-000000000001'));

SELECT pg_temp.expect_refused('delay_unit is one of minutes, hours, calendar_days, business_days',
    $$UPDATE outreach.workflow_steps SET delay_unit = 'weeks', delay_amount = 1
      WHERE organisation_id = '0a000000-0000-4000-8000-000000000001'$$, '23514');

SELECT pg_temp.expect_refused('a delay_amount needs a delay_unit',
    $$UPDATE outreach.workflow_steps SET delay_amount = 3
      WHERE organisation_id = '0a000000-0000-4000-8000-000000000001'$$, '23514');

SELECT pg_temp.expect_refused('a delay_unit needs a delay_amount',
    $$UPDATE outreach.workflow_steps SET delay_unit = 'hours'
      WHERE organisation_id = '0a000000-0000-4000-8000-000000000001'$$, '23514');

SELECT pg_temp.expect_refused('a business-day delay is at most 1000 days',
    $$UPDATE outreach.workflow_steps SET delay_unit = 'business_days', delay_amount = 1001
      WHERE organisation_id = '0a000000-0000-4000-8000-000000000001'$$, '23514');

SELECT pg_temp.expect_accepted('a step may wait 3 business days',
    $$UPDATE outreach.workflow_steps SET delay_unit = 'business_days', delay_amount = 3
      WHERE organisation_id = '0a000000-0000-4000-8000-000000000001'
        AND id = '0a000000-0000-4000-8000-0000000000b2'$$);

SELECT pg_temp.report('a campaign''s holiday_calendar defaults to none, and country picking is off',
    (SELECT bool_and(holiday_calendar = 'none' AND NOT holiday_calendar_from_country)
     FROM outreach.campaigns));

SELECT pg_temp.expect_refused('holiday_calendar is one of the calendars the daemon computes',
    $$UPDATE outreach.campaigns SET holiday_calendar = 'fr-bretagne'
      WHERE organisation_id = '0a000000-0000-4000-8000-000000000001'$$, '23514');

SELECT pg_temp.expect_accepted('a campaign may keep the Alsace-Moselle calendar',
    $$UPDATE outreach.campaigns SET holiday_calendar = 'fr-alsace-moselle'
      WHERE organisation_id = '0a000000-0000-4000-8000-000000000001'$$);

SELECT pg_temp.expect_refused('a company''s country is an ISO 3166-1 alpha-2 code in capitals',
    $$UPDATE crm.companies SET country = 'fr'
      WHERE organisation_id = '0a000000-0000-4000-8000-000000000001'$$, '23514');

SELECT pg_temp.expect_refused('a person''s country is an ISO 3166-1 alpha-2 code',
    $$UPDATE crm.people SET country = 'FRA'
      WHERE organisation_id = '0a000000-0000-4000-8000-000000000001'$$, '23514');

SELECT pg_temp.expect_accepted('a custom holiday may be the organisation''s or one campaign''s',
    $$INSERT INTO outreach.holidays (organisation_id, campaign_id, day, name) VALUES
      ('0a000000-0000-4000-8000-000000000001', NULL, '2027-05-07', 'Pont de l''Ascension'),
      ('0a000000-0000-4000-8000-000000000001', '0a000000-0000-4000-8000-0000000000a1', '2027-05-07', 'Séminaire')$$);

SELECT pg_temp.expect_refused('an organisation-wide holiday is listed once per day',
    $$INSERT INTO outreach.holidays (organisation_id, campaign_id, day, name)
      VALUES ('0a000000-0000-4000-8000-000000000001', NULL, '2027-05-07', 'Encore')$$, '23505');

SELECT pg_temp.expect_refused('a holiday cannot reference another organisation''s campaign',
    $$INSERT INTO outreach.holidays (organisation_id, campaign_id, day, name)
      VALUES ('0a000000-0000-4000-8000-000000000001', '0b000000-0000-4000-8000-0000000000a1',
              '2027-05-10', 'Ailleurs')$$, '23503');

SELECT pg_temp.expect_refused('a holiday has a name',
    $$INSERT INTO outreach.holidays (organisation_id, day, name)
      VALUES ('0a000000-0000-4000-8000-000000000001', '2027-05-11', ' ')$$, '23514');

------------------------------------------------------------------------------
-- Inbound mail (V20261203_100000): leases, folder cursors, inbound events.
------------------------------------------------------------------------------
SELECT pg_temp.report('the inbound tables exist, with the campaigns'' inbound options',
    (SELECT count(*) = 3 FROM pg_tables WHERE schemaname = 'outreach'
       AND tablename IN ('mailbox_inbound', 'mailbox_folder_cursors', 'inbound_events'))
    AND (SELECT count(*) = 3 FROM information_schema.columns WHERE table_schema = 'outreach'
           AND table_name = 'campaigns'
           AND column_name IN ('ooo_resume_delay_days', 'stop_on_company_reply', 'status_reason')));

SELECT pg_temp.expect_refused('a campaign''s ooo_resume_delay_days is between 0 and 60',
    $$UPDATE outreach.campaigns SET ooo_resume_delay_days = 61
      WHERE organisation_id = '0a000000-0000-4000-8000-000000000001'$$, '23514');
SELECT pg_temp.expect_refused('a mailbox''s IMAP URL is imap:// or imaps://HOST[:PORT]',
    $$UPDATE outreach.mailboxes SET imap_url = 'pop3://pop.a.example'
      WHERE organisation_id = '0a000000-0000-4000-8000-000000000001'$$, '23514');
SELECT pg_temp.expect_accepted('a mailbox has one inbound row and one cursor per folder',
    $$INSERT INTO outreach.mailbox_inbound (organisation_id, mailbox_id)
      VALUES ('0a000000-0000-4000-8000-000000000001', '0a000000-0000-4000-8000-0000000000e1');
      INSERT INTO outreach.mailbox_folder_cursors (organisation_id, mailbox_id, folder, uidvalidity, last_uid)
      VALUES ('0a000000-0000-4000-8000-000000000001', '0a000000-0000-4000-8000-0000000000e1', 'INBOX', 1, 0),
             ('0a000000-0000-4000-8000-000000000001', '0a000000-0000-4000-8000-0000000000e1', 'Spam', 4294967295, 12)$$);
SELECT pg_temp.expect_refused('an inbound mode is one of stopped, connecting, idle, polling, error',
    $$UPDATE outreach.mailbox_inbound SET mode = 'sleeping'
      WHERE organisation_id = '0a000000-0000-4000-8000-000000000001'$$, '23514');
SELECT pg_temp.expect_refused('a mailbox lease names its instance and its end together',
    $$UPDATE outreach.mailbox_inbound SET locked_by = 'host:1'
      WHERE organisation_id = '0a000000-0000-4000-8000-000000000001'$$, '23514');
SELECT pg_temp.expect_refused('a folder cursor''s UIDVALIDITY and UID are 32-bit IMAP values',
    $$UPDATE outreach.mailbox_folder_cursors SET uidvalidity = 0
      WHERE organisation_id = '0a000000-0000-4000-8000-000000000001' AND folder = 'INBOX'$$, '23514');
SELECT pg_temp.expect_refused('a folder cursor cannot belong to another organisation''s mailbox',
    $$INSERT INTO outreach.mailbox_folder_cursors (organisation_id, mailbox_id, folder, uidvalidity)
      VALUES ('0a000000-0000-4000-8000-000000000001', '0b000000-0000-4000-8000-0000000000e1', 'INBOX', 1)$$, '23503');
SELECT pg_temp.expect_accepted('an inbound event records a reply to one of the organisation''s messages',
    $$INSERT INTO outreach.inbound_events (organisation_id, mailbox_id, folder, uid, rfc_message_id, kind,
                                           message_id, enrollment_id, campaign_id, received_at)
      VALUES ('0a000000-0000-4000-8000-000000000001', '0a000000-0000-4000-8000-0000000000e1', 'INBOX', 3,
              'reply-1@mail.example', 'reply', '0a000000-0000-4000-8000-000000000041',
              '0a000000-0000-4000-8000-000000000031', '0a000000-0000-4000-8000-0000000000a1', now())$$);
SELECT pg_temp.expect_refused('an inbound message is recorded once per mailbox and Message-ID',
    $$INSERT INTO outreach.inbound_events (organisation_id, mailbox_id, folder, uid, rfc_message_id, kind,
                                           message_id, enrollment_id, campaign_id, received_at)
      VALUES ('0a000000-0000-4000-8000-000000000001', '0a000000-0000-4000-8000-0000000000e1', 'Archive', 9,
              'reply-1@mail.example', 'reply', '0a000000-0000-4000-8000-000000000041',
              '0a000000-0000-4000-8000-000000000031', '0a000000-0000-4000-8000-0000000000a1', now())$$, '23505');
SELECT pg_temp.expect_refused('an inbound event''s kind is reply, hard_bounce, soft_bounce or auto_reply',
    $$UPDATE outreach.inbound_events SET kind = 'unrelated'
      WHERE organisation_id = '0a000000-0000-4000-8000-000000000001'$$, '23514');
SELECT pg_temp.expect_refused('an inbound event cannot point at another organisation''s mailbox',
    $$UPDATE outreach.inbound_events SET mailbox_id = '0b000000-0000-4000-8000-0000000000e1'
      WHERE organisation_id = '0a000000-0000-4000-8000-000000000001'$$, '23503');

ROLLBACK;
