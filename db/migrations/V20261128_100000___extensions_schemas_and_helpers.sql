-- ProspectFlow schema 1/5: extensions, the four schemas, shared helper functions.
-- Released migrations are never edited: add a new V<yyyymmdd_hhmmss>___<desc>.sql.

-- Both are trusted extensions: the database owner may create them.
CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA public;
CREATE EXTENSION IF NOT EXISTS citext WITH SCHEMA public;

CREATE SCHEMA IF NOT EXISTS iam;
CREATE SCHEMA IF NOT EXISTS crm;
CREATE SCHEMA IF NOT EXISTS outreach;
CREATE SCHEMA IF NOT EXISTS tracking;

-- Every table's BEFORE UPDATE trigger. now() is the transaction's start, so all
-- rows one transaction touches share one updated_at.
CREATE OR REPLACE FUNCTION public.pf_touch_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

-- An email address as the app accepts one: one '@', no spaces, a dot in the domain.
CREATE OR REPLACE FUNCTION public.pf_is_email(address text) RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT address ~ '^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:].]+$'
       AND length(address) <= 254;
$$;

-- A SIREN: 9 digits whose Luhn sum is a multiple of 10 (INSEE's check digit).
CREATE OR REPLACE FUNCTION public.pf_is_siren(siren text) RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE WHEN siren ~ '^[0-9]{9}$' THEN (
        SELECT sum(CASE WHEN i % 2 = 0 THEN (d * 2) / 10 + (d * 2) % 10 ELSE d END) % 10 = 0
        FROM (SELECT i, substr(siren, i, 1)::int AS d FROM generate_series(1, 9) AS i) AS digits)
    ELSE false END;
$$;

-- An IANA time zone name known to this server's tz database, such as
-- 'Europe/Paris', 'UTC' or 'America/Port-au-Prince'. The TimeZone setting
-- accepts zone names and POSIX rules but, unlike AT TIME ZONE, never
-- abbreviations like 'CEST'; the pattern rules out POSIX rules like 'UTC+3'.
-- The SET clause restores the session's own TimeZone when the function returns.
CREATE OR REPLACE FUNCTION public.pf_is_iana_timezone(zone text) RETURNS boolean
LANGUAGE plpgsql STABLE STRICT
SET "TimeZone" FROM CURRENT AS $$
BEGIN
    IF zone !~ '^([A-Za-z_]+|[A-Z]{3}[0-9][A-Z]{3}|GMT[+-]?0)(/[A-Za-z0-9_+-]+)*$' THEN
        RETURN false;
    END IF;
    PERFORM set_config('TimeZone', zone, true);
    RETURN true;
EXCEPTION WHEN invalid_parameter_value THEN
    RETURN false;
END;
$$;
