--
-- PostgreSQL database dump
--



SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: crm; Type: SCHEMA; Schema: -; Owner: -
--

CREATE SCHEMA crm;


--
-- Name: iam; Type: SCHEMA; Schema: -; Owner: -
--

CREATE SCHEMA iam;


--
-- Name: outreach; Type: SCHEMA; Schema: -; Owner: -
--

CREATE SCHEMA outreach;


--
-- Name: tracking; Type: SCHEMA; Schema: -; Owner: -
--

CREATE SCHEMA tracking;


--
-- Name: citext; Type: EXTENSION; Schema: -; Owner: -
--

CREATE EXTENSION IF NOT EXISTS citext WITH SCHEMA public;


--
-- Name: pgcrypto; Type: EXTENSION; Schema: -; Owner: -
--

CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA public;


--
-- Name: enqueue_activated_campaign(); Type: FUNCTION; Schema: outreach; Owner: -
--

CREATE FUNCTION outreach.enqueue_activated_campaign() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    INSERT INTO outreach.tasks (organisation_id, campaign_id, enrollment_id, step_id, run_at)
    SELECT organisation_id, campaign_id, id, step_id, run_at FROM (
        SELECT e.organisation_id, e.campaign_id, e.id, coalesce(e.next_run_at, e.created_at) AS run_at,
               outreach.next_step_id(e.organisation_id, e.campaign_id, e.current_step_order) AS step_id
        FROM outreach.campaign_enrollments e
        WHERE e.organisation_id = NEW.organisation_id AND e.campaign_id = NEW.id AND e.status = 'active') next
    WHERE step_id IS NOT NULL
    ON CONFLICT (organisation_id, enrollment_id) WHERE kind = 'run_step' AND status IN ('pending', 'running')
    DO NOTHING;
    PERFORM pg_notify('prospectflow_tasks', '');
    RETURN NULL;
END;
$$;


--
-- Name: enqueue_new_enrollments(); Type: FUNCTION; Schema: outreach; Owner: -
--

CREATE FUNCTION outreach.enqueue_new_enrollments() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    INSERT INTO outreach.tasks (organisation_id, campaign_id, enrollment_id, step_id, run_at)
    SELECT organisation_id, campaign_id, id, step_id, run_at FROM (
        SELECT n.organisation_id, n.campaign_id, n.id, coalesce(n.next_run_at, n.created_at) AS run_at,
               outreach.next_step_id(n.organisation_id, n.campaign_id, n.current_step_order) AS step_id
        FROM new_enrollments n
        JOIN outreach.campaigns c
          ON c.organisation_id = n.organisation_id AND c.id = n.campaign_id AND c.status = 'active'
        WHERE n.status = 'active') next
    WHERE step_id IS NOT NULL
    ON CONFLICT (organisation_id, enrollment_id) WHERE kind = 'run_step' AND status IN ('pending', 'running')
    DO NOTHING;
    RETURN NULL;
END;
$$;


--
-- Name: next_step_id(uuid, uuid, integer); Type: FUNCTION; Schema: outreach; Owner: -
--

CREATE FUNCTION outreach.next_step_id(organisation uuid, campaign uuid, done_order integer) RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
    SELECT ws.id FROM outreach.workflow_steps ws
    WHERE ws.organisation_id = organisation AND ws.campaign_id = campaign AND ws.step_order > done_order
    ORDER BY ws.step_order LIMIT 1;
$$;


--
-- Name: notify_due_tasks(); Type: FUNCTION; Schema: outreach; Owner: -
--

CREATE FUNCTION outreach.notify_due_tasks() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM changed_tasks
               WHERE status = 'pending' AND run_at <= clock_timestamp() + interval '5 seconds') THEN
        PERFORM pg_notify('prospectflow_tasks', '');
    END IF;
    RETURN NULL;
END;
$$;


--
-- Name: prompts_freeze_used(); Type: FUNCTION; Schema: outreach; Owner: -
--

CREATE FUNCTION outreach.prompts_freeze_used() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM outreach.messages m
               WHERE m.organisation_id = OLD.organisation_id AND m.prompt_id = OLD.id) THEN
        RAISE EXCEPTION 'prompt "%" version % is used by messages and cannot change; create version %',
            OLD.name, OLD.version, OLD.version + 1
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END;
$$;


--
-- Name: stop_enrollment_on_event(); Type: FUNCTION; Schema: outreach; Owner: -
--

CREATE FUNCTION outreach.stop_enrollment_on_event() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    new_status text := CASE WHEN NEW.direction = 'inbound' THEN 'replied' ELSE 'bounced' END;
BEGIN
    UPDATE outreach.campaign_enrollments
    SET status = new_status, finished_at = now(),
        last_error = CASE WHEN new_status = 'replied' THEN NULL
                          ELSE 'bounced: ' || coalesce(NEW.last_error, 'message ' || NEW.id || ' bounced') END
    WHERE organisation_id = NEW.organisation_id AND id = NEW.enrollment_id
      AND status IN ('active', 'paused');
    RETURN NULL;
END;
$$;


--
-- Name: sync_enrollment_tasks(); Type: FUNCTION; Schema: outreach; Owner: -
--

CREATE FUNCTION outreach.sync_enrollment_tasks() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF NEW.status <> 'active' THEN
        UPDATE outreach.tasks
        SET status = 'cancelled', finished_at = now(),
            last_error = 'cancelled: enrollment is now ' || NEW.status
        WHERE organisation_id = NEW.organisation_id AND campaign_id = NEW.campaign_id
          AND enrollment_id = NEW.id AND status = 'pending';
    ELSE
        INSERT INTO outreach.tasks (organisation_id, campaign_id, enrollment_id, step_id, run_at)
        SELECT c.organisation_id, c.id, NEW.id,
               outreach.next_step_id(c.organisation_id, c.id, NEW.current_step_order), now()
        FROM outreach.campaigns c
        WHERE c.organisation_id = NEW.organisation_id AND c.id = NEW.campaign_id AND c.status = 'active'
          AND outreach.next_step_id(c.organisation_id, c.id, NEW.current_step_order) IS NOT NULL
        ON CONFLICT (organisation_id, enrollment_id) WHERE kind = 'run_step' AND status IN ('pending', 'running')
        DO NOTHING;
    END IF;
    RETURN NULL;
END;
$$;


--
-- Name: pf_from_micros(bigint); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.pf_from_micros(micros bigint) RETURNS timestamp with time zone
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$
    SELECT timestamptz 'epoch' + micros * interval '1 microsecond';
$$;


--
-- Name: pf_is_email(text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.pf_is_email(address text) RETURNS boolean
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $_$
    SELECT address ~ '^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:].]+$'
       AND length(address) <= 254;
$_$;


--
-- Name: pf_is_iana_timezone(text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.pf_is_iana_timezone(zone text) RETURNS boolean
    LANGUAGE plpgsql STABLE STRICT
    SET "TimeZone" TO 'Etc/UTC'
    AS $_$
BEGIN
    IF zone !~ '^([A-Za-z_]+|[A-Z]{3}[0-9][A-Z]{3}|GMT[+-]?0)(/[A-Za-z0-9_+-]+)*$' THEN
        RETURN false;
    END IF;
    PERFORM set_config('TimeZone', zone, true);
    RETURN true;
EXCEPTION WHEN invalid_parameter_value THEN
    RETURN false;
END;
$_$;


--
-- Name: pf_is_siren(text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.pf_is_siren(siren text) RETURNS boolean
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $_$
    SELECT CASE WHEN siren ~ '^[0-9]{9}$' THEN (
        SELECT sum(CASE WHEN i % 2 = 0 THEN (d * 2) / 10 + (d * 2) % 10 ELSE d END) % 10 = 0
        FROM (SELECT i, substr(siren, i, 1)::int AS d FROM generate_series(1, 9) AS i) AS digits)
    ELSE false END;
$_$;


--
-- Name: pf_micros(timestamp with time zone); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.pf_micros(t timestamp with time zone) RETURNS bigint
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$
    SELECT (extract(epoch FROM t) * 1000000)::bigint;
$$;


--
-- Name: pf_touch_updated_at(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.pf_touch_updated_at() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;


SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: companies; Type: TABLE; Schema: crm; Owner: -
--

CREATE TABLE crm.companies (
    organisation_id uuid NOT NULL,
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    name text NOT NULL,
    siren text,
    naf_code text,
    pharow_id text,
    domain public.citext,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    country text,
    CONSTRAINT companies_country_iso CHECK ((country ~ '^[A-Z]{2}$'::text)),
    CONSTRAINT companies_domain_format CHECK ((domain OPERATOR(public.~) '^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$'::public.citext)),
    CONSTRAINT companies_naf_code_format CHECK ((naf_code ~ '^[0-9]{2}\.[0-9]{2}[A-Z]$'::text)),
    CONSTRAINT companies_name_not_blank CHECK ((btrim(name) <> ''::text)),
    CONSTRAINT companies_siren_format CHECK (public.pf_is_siren(siren))
);


--
-- Name: people; Type: TABLE; Schema: crm; Owner: -
--

CREATE TABLE crm.people (
    organisation_id uuid NOT NULL,
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    first_name text NOT NULL,
    last_name text NOT NULL,
    email public.citext,
    timezone text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    country text,
    CONSTRAINT people_country_iso CHECK ((country ~ '^[A-Z]{2}$'::text)),
    CONSTRAINT people_email_format CHECK (public.pf_is_email((email)::text)),
    CONSTRAINT people_name_not_blank CHECK (((btrim(first_name) <> ''::text) AND (btrim(last_name) <> ''::text))),
    CONSTRAINT people_timezone_iana CHECK (public.pf_is_iana_timezone(timezone))
);


--
-- Name: positions; Type: TABLE; Schema: crm; Owner: -
--

CREATE TABLE crm.positions (
    organisation_id uuid NOT NULL,
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    person_id uuid NOT NULL,
    company_id uuid NOT NULL,
    title text,
    email public.citext,
    email_status text DEFAULT 'unknown'::text NOT NULL,
    is_current boolean DEFAULT true NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT positions_email_format CHECK (public.pf_is_email((email)::text)),
    CONSTRAINT positions_email_status_check CHECK ((email_status = ANY (ARRAY['unknown'::text, 'valid'::text, 'risky'::text, 'invalid'::text, 'bounced'::text])))
);


--
-- Name: organisation_users; Type: TABLE; Schema: iam; Owner: -
--

CREATE TABLE iam.organisation_users (
    organisation_id uuid NOT NULL,
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    user_id uuid NOT NULL,
    role text DEFAULT 'member'::text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT organisation_users_role_check CHECK ((role = ANY (ARRAY['owner'::text, 'admin'::text, 'member'::text, 'viewer'::text])))
);


--
-- Name: organisations; Type: TABLE; Schema: iam; Owner: -
--

CREATE TABLE iam.organisations (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    name text NOT NULL,
    slug public.citext NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT organisations_name_not_blank CHECK ((btrim(name) <> ''::text)),
    CONSTRAINT organisations_slug_format CHECK (((slug OPERATOR(public.~) '^[a-z0-9]+(-[a-z0-9]+)*$'::public.citext) AND (length((slug)::text) <= 63)))
);


--
-- Name: users; Type: TABLE; Schema: iam; Owner: -
--

CREATE TABLE iam.users (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    email public.citext NOT NULL,
    full_name text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT users_email_format CHECK (public.pf_is_email((email)::text))
);


--
-- Name: campaign_daily_sends; Type: TABLE; Schema: outreach; Owner: -
--

CREATE TABLE outreach.campaign_daily_sends (
    organisation_id uuid NOT NULL,
    campaign_id uuid NOT NULL,
    local_day date NOT NULL,
    reserved integer DEFAULT 0 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    started integer DEFAULT 0 NOT NULL,
    CONSTRAINT campaign_daily_sends_reserved_non_negative CHECK ((reserved >= 0)),
    CONSTRAINT campaign_daily_sends_started_non_negative CHECK ((started >= 0))
);


--
-- Name: campaign_enrollments; Type: TABLE; Schema: outreach; Owner: -
--

CREATE TABLE outreach.campaign_enrollments (
    organisation_id uuid NOT NULL,
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    campaign_id uuid NOT NULL,
    person_id uuid NOT NULL,
    position_id uuid,
    status text DEFAULT 'active'::text NOT NULL,
    current_step_order integer DEFAULT 0 NOT NULL,
    next_run_at timestamp with time zone,
    last_error text,
    finished_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    mailbox_id uuid,
    CONSTRAINT campaign_enrollments_status_check CHECK ((status = ANY (ARRAY['active'::text, 'paused'::text, 'completed'::text, 'replied'::text, 'bounced'::text, 'unsubscribed'::text, 'failed'::text, 'removed'::text]))),
    CONSTRAINT campaign_enrollments_step_non_negative CHECK ((current_step_order >= 0))
)
WITH (autovacuum_vacuum_scale_factor='0', autovacuum_vacuum_threshold='2000', autovacuum_analyze_scale_factor='0', autovacuum_analyze_threshold='2000', autovacuum_vacuum_cost_delay='0', fillfactor='85');


--
-- Name: campaign_mailboxes; Type: TABLE; Schema: outreach; Owner: -
--

CREATE TABLE outreach.campaign_mailboxes (
    organisation_id uuid NOT NULL,
    campaign_id uuid NOT NULL,
    mailbox_id uuid NOT NULL,
    weight integer DEFAULT 1 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT campaign_mailboxes_weight_positive CHECK (((weight >= 1) AND (weight <= 1000)))
);


--
-- Name: campaigns; Type: TABLE; Schema: outreach; Owner: -
--

CREATE TABLE outreach.campaigns (
    organisation_id uuid NOT NULL,
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    name text NOT NULL,
    status text DEFAULT 'draft'::text NOT NULL,
    timezone text DEFAULT 'Europe/Paris'::text NOT NULL,
    send_window_start time without time zone DEFAULT '09:00:00'::time without time zone NOT NULL,
    send_window_end time without time zone DEFAULT '18:00:00'::time without time zone NOT NULL,
    send_days smallint[] DEFAULT '{1,2,3,4,5}'::smallint[] NOT NULL,
    daily_send_limit integer DEFAULT 100 NOT NULL,
    from_email public.citext NOT NULL,
    from_name text,
    reply_to public.citext,
    track_opens boolean DEFAULT true NOT NULL,
    send_adapter text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    holiday_calendar text DEFAULT 'none'::text NOT NULL,
    holiday_calendar_from_country boolean DEFAULT false NOT NULL,
    max_new_per_day integer,
    ooo_resume_delay_days integer DEFAULT 1 NOT NULL,
    stop_on_company_reply boolean DEFAULT false NOT NULL,
    status_reason text,
    CONSTRAINT campaigns_daily_send_limit_range CHECK (((daily_send_limit >= 1) AND (daily_send_limit <= 1000000))),
    CONSTRAINT campaigns_from_email_format CHECK (public.pf_is_email((from_email)::text)),
    CONSTRAINT campaigns_holiday_calendar_check CHECK ((holiday_calendar = ANY (ARRAY['none'::text, 'fr'::text, 'fr-alsace-moselle'::text, 'fr-guadeloupe'::text, 'fr-martinique'::text, 'fr-guyane'::text, 'fr-reunion'::text, 'fr-mayotte'::text]))),
    CONSTRAINT campaigns_max_new_per_day_range CHECK (((max_new_per_day IS NULL) OR ((max_new_per_day >= 0) AND (max_new_per_day <= 1000000)))),
    CONSTRAINT campaigns_name_not_blank CHECK ((btrim(name) <> ''::text)),
    CONSTRAINT campaigns_ooo_resume_delay_range CHECK (((ooo_resume_delay_days >= 0) AND (ooo_resume_delay_days <= 60))),
    CONSTRAINT campaigns_reply_to_format CHECK (public.pf_is_email((reply_to)::text)),
    CONSTRAINT campaigns_send_adapter_check CHECK ((send_adapter = ANY (ARRAY['smtp'::text, 'http'::text, 'file'::text, 'log'::text]))),
    CONSTRAINT campaigns_send_days_iso CHECK ((((cardinality(send_days) >= 1) AND (cardinality(send_days) <= 7)) AND (array_ndims(send_days) = 1) AND (array_position(send_days, NULL::smallint) IS NULL) AND (send_days <@ '{1,2,3,4,5,6,7}'::smallint[]))),
    CONSTRAINT campaigns_send_window_order CHECK ((send_window_start < send_window_end)),
    CONSTRAINT campaigns_status_check CHECK ((status = ANY (ARRAY['draft'::text, 'active'::text, 'paused'::text, 'completed'::text, 'archived'::text]))),
    CONSTRAINT campaigns_timezone_iana CHECK (public.pf_is_iana_timezone(timezone))
);


--
-- Name: enrollment_step_variant_assignments; Type: TABLE; Schema: outreach; Owner: -
--

CREATE TABLE outreach.enrollment_step_variant_assignments (
    organisation_id uuid NOT NULL,
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    enrollment_id uuid NOT NULL,
    step_id uuid NOT NULL,
    experiment_id uuid NOT NULL,
    variant_id uuid NOT NULL,
    assigned_at timestamp with time zone DEFAULT now() NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: holidays; Type: TABLE; Schema: outreach; Owner: -
--

CREATE TABLE outreach.holidays (
    organisation_id uuid NOT NULL,
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    campaign_id uuid,
    day date NOT NULL,
    name text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT holidays_name_not_blank CHECK ((btrim(name) <> ''::text))
);


--
-- Name: inbound_events; Type: TABLE; Schema: outreach; Owner: -
--

CREATE TABLE outreach.inbound_events (
    organisation_id uuid NOT NULL,
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    mailbox_id uuid,
    folder text,
    uid bigint,
    rfc_message_id text NOT NULL,
    kind text NOT NULL,
    message_id uuid NOT NULL,
    enrollment_id uuid NOT NULL,
    campaign_id uuid NOT NULL,
    from_email text,
    subject text,
    status text,
    diagnostic text,
    return_date date,
    reason text,
    received_at timestamp with time zone NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT inbound_events_kind_check CHECK ((kind = ANY (ARRAY['reply'::text, 'hard_bounce'::text, 'soft_bounce'::text, 'auto_reply'::text]))),
    CONSTRAINT inbound_events_rfc_message_id_not_blank CHECK ((btrim(rfc_message_id) <> ''::text))
);


--
-- Name: instances; Type: TABLE; Schema: outreach; Owner: -
--

CREATE TABLE outreach.instances (
    id text NOT NULL,
    host text NOT NULL,
    pid integer NOT NULL,
    version text NOT NULL,
    started_at timestamp with time zone NOT NULL,
    heartbeat_at timestamp with time zone NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT instances_id_not_empty CHECK ((id <> ''::text)),
    CONSTRAINT instances_pid_positive CHECK ((pid > 0))
);


--
-- Name: mailbox_daily_sends; Type: TABLE; Schema: outreach; Owner: -
--

CREATE TABLE outreach.mailbox_daily_sends (
    organisation_id uuid NOT NULL,
    mailbox_id uuid NOT NULL,
    local_day date NOT NULL,
    reserved integer DEFAULT 0 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT mailbox_daily_sends_reserved_non_negative CHECK ((reserved >= 0))
);


--
-- Name: mailbox_folder_cursors; Type: TABLE; Schema: outreach; Owner: -
--

CREATE TABLE outreach.mailbox_folder_cursors (
    organisation_id uuid NOT NULL,
    mailbox_id uuid NOT NULL,
    folder text NOT NULL,
    uidvalidity bigint NOT NULL,
    last_uid bigint DEFAULT 0 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT mailbox_folder_cursors_folder_not_blank CHECK ((btrim(folder) <> ''::text)),
    CONSTRAINT mailbox_folder_cursors_uid_range CHECK ((((uidvalidity >= 1) AND (uidvalidity <= '4294967295'::bigint)) AND ((last_uid >= 0) AND (last_uid <= '4294967295'::bigint))))
);


--
-- Name: mailbox_inbound; Type: TABLE; Schema: outreach; Owner: -
--

CREATE TABLE outreach.mailbox_inbound (
    organisation_id uuid NOT NULL,
    mailbox_id uuid NOT NULL,
    locked_by text,
    locked_until timestamp with time zone,
    mode text DEFAULT 'stopped'::text NOT NULL,
    last_poll_at timestamp with time zone,
    last_success_at timestamp with time zone,
    last_error text,
    last_error_at timestamp with time zone,
    consecutive_failures integer DEFAULT 0 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT mailbox_inbound_failures_non_negative CHECK ((consecutive_failures >= 0)),
    CONSTRAINT mailbox_inbound_lease_complete CHECK (((locked_by IS NULL) = (locked_until IS NULL))),
    CONSTRAINT mailbox_inbound_mode_check CHECK ((mode = ANY (ARRAY['stopped'::text, 'connecting'::text, 'idle'::text, 'polling'::text, 'error'::text])))
);


--
-- Name: mailboxes; Type: TABLE; Schema: outreach; Owner: -
--

CREATE TABLE outreach.mailboxes (
    organisation_id uuid NOT NULL,
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    email public.citext NOT NULL,
    display_name text,
    status text DEFAULT 'active'::text NOT NULL,
    status_reason text,
    status_changed_at timestamp with time zone,
    timezone text DEFAULT 'Europe/Paris'::text NOT NULL,
    daily_limit integer DEFAULT 30 NOT NULL,
    min_gap_seconds integer DEFAULT 60 NOT NULL,
    max_jitter_seconds integer DEFAULT 120 NOT NULL,
    ramp_start_date date,
    ramp_initial integer,
    ramp_step_per_day integer DEFAULT 0 NOT NULL,
    smtp_url text,
    smtp_security text DEFAULT 'starttls'::text NOT NULL,
    smtp_username text,
    auth_kind text DEFAULT 'password'::text NOT NULL,
    secret text,
    oauth_token_url text,
    oauth_client_id text,
    imap_url text,
    imap_security text DEFAULT 'tls'::text NOT NULL,
    imap_username text,
    imap_folders text[] DEFAULT '{INBOX}'::text[] NOT NULL,
    consecutive_failures integer DEFAULT 0 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    inbound_enabled boolean DEFAULT true NOT NULL,
    CONSTRAINT mailboxes_auth_kind_check CHECK ((auth_kind = ANY (ARRAY['password'::text, 'xoauth2'::text]))),
    CONSTRAINT mailboxes_consecutive_failures_non_negative CHECK ((consecutive_failures >= 0)),
    CONSTRAINT mailboxes_daily_limit_range CHECK (((daily_limit >= 0) AND (daily_limit <= 100000))),
    CONSTRAINT mailboxes_email_format CHECK (public.pf_is_email((email)::text)),
    CONSTRAINT mailboxes_imap_security_check CHECK ((imap_security = ANY (ARRAY['tls'::text, 'starttls'::text, 'none'::text]))),
    CONSTRAINT mailboxes_imap_url_scheme CHECK (((imap_url IS NULL) OR (imap_url ~ '^imaps?://[^/\s]+(:[0-9]+)?/?$'::text))),
    CONSTRAINT mailboxes_max_jitter_range CHECK (((max_jitter_seconds >= 0) AND (max_jitter_seconds <= 86400))),
    CONSTRAINT mailboxes_min_gap_range CHECK (((min_gap_seconds >= 0) AND (min_gap_seconds <= 86400))),
    CONSTRAINT mailboxes_ramp_complete CHECK (((ramp_start_date IS NULL) = (ramp_initial IS NULL))),
    CONSTRAINT mailboxes_ramp_range CHECK ((((ramp_initial IS NULL) OR (ramp_initial >= 0)) AND (ramp_step_per_day >= 0))),
    CONSTRAINT mailboxes_smtp_security_check CHECK ((smtp_security = ANY (ARRAY['tls'::text, 'starttls'::text, 'none'::text]))),
    CONSTRAINT mailboxes_smtp_url_scheme CHECK (((smtp_url IS NULL) OR (smtp_url ~ '^smtps?://[^/\s]+(:[0-9]+)?/?$'::text))),
    CONSTRAINT mailboxes_status_check CHECK ((status = ANY (ARRAY['active'::text, 'paused'::text, 'error'::text]))),
    CONSTRAINT mailboxes_timezone_iana CHECK (public.pf_is_iana_timezone(timezone))
);


--
-- Name: messages; Type: TABLE; Schema: outreach; Owner: -
--

CREATE TABLE outreach.messages (
    organisation_id uuid NOT NULL,
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    campaign_id uuid NOT NULL,
    enrollment_id uuid NOT NULL,
    step_id uuid,
    variant_id uuid,
    prompt_id uuid,
    parent_message_id uuid,
    direction text NOT NULL,
    status text NOT NULL,
    from_email public.citext NOT NULL,
    to_email public.citext NOT NULL,
    subject text,
    body_text text,
    body_html text,
    rfc_message_id text NOT NULL,
    in_reply_to text,
    reference_ids text[] DEFAULT '{}'::text[] NOT NULL,
    provider_message_id text,
    attempts integer DEFAULT 0 NOT NULL,
    last_error text,
    generated_at timestamp with time zone,
    sent_at timestamp with time zone,
    received_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    mailbox_id uuid,
    CONSTRAINT messages_attempts_non_negative CHECK ((attempts >= 0)),
    CONSTRAINT messages_direction_check CHECK ((direction = ANY (ARRAY['outbound'::text, 'inbound'::text]))),
    CONSTRAINT messages_outbound_has_step CHECK (((direction <> 'outbound'::text) OR (step_id IS NOT NULL))),
    CONSTRAINT messages_rfc_message_id_format CHECK ((rfc_message_id ~ '^[^<>[:space:]]+$'::text)),
    CONSTRAINT messages_sent_has_time CHECK (((status <> ALL (ARRAY['sent'::text, 'bounced'::text])) OR (sent_at IS NOT NULL))),
    CONSTRAINT messages_status_check CHECK ((((direction = 'outbound'::text) AND (status = ANY (ARRAY['pending'::text, 'sending'::text, 'sent'::text, 'failed'::text, 'bounced'::text]))) OR ((direction = 'inbound'::text) AND (status = 'received'::text))))
)
WITH (autovacuum_vacuum_scale_factor='0', autovacuum_vacuum_threshold='2000', autovacuum_vacuum_insert_scale_factor='0', autovacuum_vacuum_insert_threshold='5000', autovacuum_analyze_scale_factor='0', autovacuum_analyze_threshold='2000', autovacuum_vacuum_cost_delay='0', fillfactor='75');


--
-- Name: prompts; Type: TABLE; Schema: outreach; Owner: -
--

CREATE TABLE outreach.prompts (
    organisation_id uuid NOT NULL,
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    name text NOT NULL,
    version integer DEFAULT 1 NOT NULL,
    generator text DEFAULT 'template'::text NOT NULL,
    subject_template text NOT NULL,
    body_template text NOT NULL,
    system_prompt text,
    model text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT prompts_generator_check CHECK ((generator = ANY (ARRAY['template'::text, 'openai'::text]))),
    CONSTRAINT prompts_name_not_blank CHECK ((btrim(name) <> ''::text)),
    CONSTRAINT prompts_openai_needs_model CHECK (((generator <> 'openai'::text) OR (model IS NOT NULL))),
    CONSTRAINT prompts_version_positive CHECK ((version > 0))
);


--
-- Name: sender_pacing; Type: TABLE; Schema: outreach; Owner: -
--

CREATE TABLE outreach.sender_pacing (
    organisation_id uuid NOT NULL,
    from_email public.citext NOT NULL,
    next_send_at timestamp with time zone NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    queued_until timestamp with time zone
);


--
-- Name: step_experiment_variants; Type: TABLE; Schema: outreach; Owner: -
--

CREATE TABLE outreach.step_experiment_variants (
    organisation_id uuid NOT NULL,
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    experiment_id uuid NOT NULL,
    label text NOT NULL,
    weight integer DEFAULT 1 NOT NULL,
    prompt_id uuid NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT step_experiment_variants_label_format CHECK ((label ~ '^[A-Z][A-Z0-9]{0,7}$'::text)),
    CONSTRAINT step_experiment_variants_weight_positive CHECK ((weight > 0))
);


--
-- Name: step_experiments; Type: TABLE; Schema: outreach; Owner: -
--

CREATE TABLE outreach.step_experiments (
    organisation_id uuid NOT NULL,
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    step_id uuid NOT NULL,
    name text,
    status text DEFAULT 'running'::text NOT NULL,
    winner_variant_id uuid,
    concluded_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT step_experiments_status_check CHECK ((status = ANY (ARRAY['running'::text, 'stopped'::text, 'completed'::text]))),
    CONSTRAINT step_experiments_winner_when_completed CHECK (((winner_variant_id IS NULL) OR (status = 'completed'::text)))
);


--
-- Name: tasks; Type: TABLE; Schema: outreach; Owner: -
--

CREATE TABLE outreach.tasks (
    organisation_id uuid NOT NULL,
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    kind text DEFAULT 'run_step'::text NOT NULL,
    campaign_id uuid NOT NULL,
    enrollment_id uuid NOT NULL,
    step_id uuid,
    status text DEFAULT 'pending'::text NOT NULL,
    run_at timestamp with time zone DEFAULT now() NOT NULL,
    attempts integer DEFAULT 0 NOT NULL,
    max_attempts integer DEFAULT 5 NOT NULL,
    locked_by text,
    locked_until timestamp with time zone,
    last_error text,
    payload jsonb DEFAULT '{}'::jsonb NOT NULL,
    finished_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT tasks_attempts_non_negative CHECK ((attempts >= 0)),
    CONSTRAINT tasks_kind_check CHECK ((kind = 'run_step'::text)),
    CONSTRAINT tasks_max_attempts_positive CHECK ((max_attempts > 0)),
    CONSTRAINT tasks_payload_object CHECK ((jsonb_typeof(payload) = 'object'::text)),
    CONSTRAINT tasks_running_has_lease CHECK (((status <> 'running'::text) OR ((locked_by IS NOT NULL) AND (locked_until IS NOT NULL)))),
    CONSTRAINT tasks_status_check CHECK ((status = ANY (ARRAY['pending'::text, 'running'::text, 'succeeded'::text, 'failed'::text, 'cancelled'::text])))
)
WITH (autovacuum_vacuum_scale_factor='0', autovacuum_vacuum_threshold='2000', autovacuum_vacuum_insert_scale_factor='0', autovacuum_vacuum_insert_threshold='5000', autovacuum_analyze_scale_factor='0', autovacuum_analyze_threshold='2000', autovacuum_vacuum_cost_delay='0');


--
-- Name: workflow_steps; Type: TABLE; Schema: outreach; Owner: -
--

CREATE TABLE outreach.workflow_steps (
    organisation_id uuid NOT NULL,
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    campaign_id uuid NOT NULL,
    step_order integer NOT NULL,
    delay_seconds integer DEFAULT 0 NOT NULL,
    prompt_id uuid NOT NULL,
    condition text DEFAULT 'always'::text NOT NULL,
    thread_with_previous boolean DEFAULT true NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    delay_unit text,
    delay_amount integer,
    CONSTRAINT workflow_steps_business_days_bound CHECK (((delay_unit IS DISTINCT FROM 'business_days'::text) OR (delay_amount <= 1000))),
    CONSTRAINT workflow_steps_condition_check CHECK ((condition = ANY (ARRAY['always'::text, 'no_reply'::text, 'not_opened'::text, 'opened'::text]))),
    CONSTRAINT workflow_steps_delay_amount_non_negative CHECK ((delay_amount >= 0)),
    CONSTRAINT workflow_steps_delay_amount_with_unit CHECK (((delay_unit IS NULL) = (delay_amount IS NULL))),
    CONSTRAINT workflow_steps_delay_non_negative CHECK ((delay_seconds >= 0)),
    CONSTRAINT workflow_steps_delay_unit_check CHECK ((delay_unit = ANY (ARRAY['minutes'::text, 'hours'::text, 'calendar_days'::text, 'business_days'::text]))),
    CONSTRAINT workflow_steps_step_order_positive CHECK ((step_order > 0))
);


--
-- Name: flyway_schema_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.flyway_schema_history (
    installed_rank integer NOT NULL,
    version character varying(50),
    description character varying(200) NOT NULL,
    type character varying(20) NOT NULL,
    script character varying(1000) NOT NULL,
    checksum integer,
    installed_by character varying(100) NOT NULL,
    installed_on timestamp without time zone DEFAULT now() NOT NULL,
    execution_time integer NOT NULL,
    success boolean NOT NULL
);


--
-- Name: message_open_stats; Type: TABLE; Schema: tracking; Owner: -
--

CREATE TABLE tracking.message_open_stats (
    organisation_id uuid NOT NULL,
    message_id uuid NOT NULL,
    open_count integer DEFAULT 0 NOT NULL,
    first_opened_at timestamp with time zone,
    last_opened_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT message_open_stats_count_non_negative CHECK ((open_count >= 0)),
    CONSTRAINT message_open_stats_time_order CHECK ((first_opened_at <= last_opened_at)),
    CONSTRAINT message_open_stats_times_match_count CHECK (((open_count = 0) = ((first_opened_at IS NULL) AND (last_opened_at IS NULL))))
);


--
-- Name: pixels; Type: TABLE; Schema: tracking; Owner: -
--

CREATE TABLE tracking.pixels (
    organisation_id uuid NOT NULL,
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    message_id uuid NOT NULL,
    token text DEFAULT translate(encode(public.gen_random_bytes(24), 'base64'::text), '+/'::text, '-_'::text) NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT pixels_token_format CHECK ((token ~ '^[A-Za-z0-9_-]{32,128}$'::text))
);


--
-- Name: suppressions; Type: TABLE; Schema: tracking; Owner: -
--

CREATE TABLE tracking.suppressions (
    organisation_id uuid NOT NULL,
    email public.citext NOT NULL,
    reason text NOT NULL,
    source_message_id uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT suppressions_email_format CHECK (public.pf_is_email((email)::text)),
    CONSTRAINT suppressions_reason_check CHECK ((reason = ANY (ARRAY['unsubscribed'::text, 'bounced'::text, 'manual'::text])))
);


--
-- Name: companies companies_pharow_id_key; Type: CONSTRAINT; Schema: crm; Owner: -
--

ALTER TABLE ONLY crm.companies
    ADD CONSTRAINT companies_pharow_id_key UNIQUE (organisation_id, pharow_id);


--
-- Name: companies companies_pkey; Type: CONSTRAINT; Schema: crm; Owner: -
--

ALTER TABLE ONLY crm.companies
    ADD CONSTRAINT companies_pkey PRIMARY KEY (organisation_id, id);


--
-- Name: companies companies_siren_key; Type: CONSTRAINT; Schema: crm; Owner: -
--

ALTER TABLE ONLY crm.companies
    ADD CONSTRAINT companies_siren_key UNIQUE (organisation_id, siren);


--
-- Name: people people_email_key; Type: CONSTRAINT; Schema: crm; Owner: -
--

ALTER TABLE ONLY crm.people
    ADD CONSTRAINT people_email_key UNIQUE (organisation_id, email);


--
-- Name: people people_pkey; Type: CONSTRAINT; Schema: crm; Owner: -
--

ALTER TABLE ONLY crm.people
    ADD CONSTRAINT people_pkey PRIMARY KEY (organisation_id, id);


--
-- Name: positions positions_email_key; Type: CONSTRAINT; Schema: crm; Owner: -
--

ALTER TABLE ONLY crm.positions
    ADD CONSTRAINT positions_email_key UNIQUE (organisation_id, email);


--
-- Name: positions positions_person_key; Type: CONSTRAINT; Schema: crm; Owner: -
--

ALTER TABLE ONLY crm.positions
    ADD CONSTRAINT positions_person_key UNIQUE (organisation_id, id, person_id);


--
-- Name: positions positions_pkey; Type: CONSTRAINT; Schema: crm; Owner: -
--

ALTER TABLE ONLY crm.positions
    ADD CONSTRAINT positions_pkey PRIMARY KEY (organisation_id, id);


--
-- Name: organisation_users organisation_users_pkey; Type: CONSTRAINT; Schema: iam; Owner: -
--

ALTER TABLE ONLY iam.organisation_users
    ADD CONSTRAINT organisation_users_pkey PRIMARY KEY (organisation_id, id);


--
-- Name: organisation_users organisation_users_user_key; Type: CONSTRAINT; Schema: iam; Owner: -
--

ALTER TABLE ONLY iam.organisation_users
    ADD CONSTRAINT organisation_users_user_key UNIQUE (organisation_id, user_id);


--
-- Name: organisations organisations_pkey; Type: CONSTRAINT; Schema: iam; Owner: -
--

ALTER TABLE ONLY iam.organisations
    ADD CONSTRAINT organisations_pkey PRIMARY KEY (id);


--
-- Name: organisations organisations_slug_key; Type: CONSTRAINT; Schema: iam; Owner: -
--

ALTER TABLE ONLY iam.organisations
    ADD CONSTRAINT organisations_slug_key UNIQUE (slug);


--
-- Name: users users_email_key; Type: CONSTRAINT; Schema: iam; Owner: -
--

ALTER TABLE ONLY iam.users
    ADD CONSTRAINT users_email_key UNIQUE (email);


--
-- Name: users users_pkey; Type: CONSTRAINT; Schema: iam; Owner: -
--

ALTER TABLE ONLY iam.users
    ADD CONSTRAINT users_pkey PRIMARY KEY (id);


--
-- Name: campaign_daily_sends campaign_daily_sends_pkey; Type: CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.campaign_daily_sends
    ADD CONSTRAINT campaign_daily_sends_pkey PRIMARY KEY (organisation_id, campaign_id, local_day);


--
-- Name: campaign_enrollments campaign_enrollments_campaign_key; Type: CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.campaign_enrollments
    ADD CONSTRAINT campaign_enrollments_campaign_key UNIQUE (organisation_id, campaign_id, id);


--
-- Name: campaign_enrollments campaign_enrollments_person_key; Type: CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.campaign_enrollments
    ADD CONSTRAINT campaign_enrollments_person_key UNIQUE (organisation_id, campaign_id, person_id);


--
-- Name: campaign_enrollments campaign_enrollments_pkey; Type: CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.campaign_enrollments
    ADD CONSTRAINT campaign_enrollments_pkey PRIMARY KEY (organisation_id, id);


--
-- Name: campaign_mailboxes campaign_mailboxes_pkey; Type: CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.campaign_mailboxes
    ADD CONSTRAINT campaign_mailboxes_pkey PRIMARY KEY (organisation_id, campaign_id, mailbox_id);


--
-- Name: campaigns campaigns_pkey; Type: CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.campaigns
    ADD CONSTRAINT campaigns_pkey PRIMARY KEY (organisation_id, id);


--
-- Name: enrollment_step_variant_assignments enrollment_step_variant_assignments_key; Type: CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.enrollment_step_variant_assignments
    ADD CONSTRAINT enrollment_step_variant_assignments_key UNIQUE (organisation_id, enrollment_id, experiment_id);


--
-- Name: enrollment_step_variant_assignments enrollment_step_variant_assignments_pkey; Type: CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.enrollment_step_variant_assignments
    ADD CONSTRAINT enrollment_step_variant_assignments_pkey PRIMARY KEY (organisation_id, id);


--
-- Name: holidays holidays_day_key; Type: CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.holidays
    ADD CONSTRAINT holidays_day_key UNIQUE NULLS NOT DISTINCT (organisation_id, campaign_id, day);


--
-- Name: holidays holidays_pkey; Type: CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.holidays
    ADD CONSTRAINT holidays_pkey PRIMARY KEY (organisation_id, id);


--
-- Name: inbound_events inbound_events_pkey; Type: CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.inbound_events
    ADD CONSTRAINT inbound_events_pkey PRIMARY KEY (organisation_id, id);


--
-- Name: instances instances_pkey; Type: CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.instances
    ADD CONSTRAINT instances_pkey PRIMARY KEY (id);


--
-- Name: mailbox_daily_sends mailbox_daily_sends_pkey; Type: CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.mailbox_daily_sends
    ADD CONSTRAINT mailbox_daily_sends_pkey PRIMARY KEY (organisation_id, mailbox_id, local_day);


--
-- Name: mailbox_folder_cursors mailbox_folder_cursors_pkey; Type: CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.mailbox_folder_cursors
    ADD CONSTRAINT mailbox_folder_cursors_pkey PRIMARY KEY (organisation_id, mailbox_id, folder);


--
-- Name: mailbox_inbound mailbox_inbound_pkey; Type: CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.mailbox_inbound
    ADD CONSTRAINT mailbox_inbound_pkey PRIMARY KEY (organisation_id, mailbox_id);


--
-- Name: mailboxes mailboxes_email_unique; Type: CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.mailboxes
    ADD CONSTRAINT mailboxes_email_unique UNIQUE (organisation_id, email);


--
-- Name: mailboxes mailboxes_pkey; Type: CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.mailboxes
    ADD CONSTRAINT mailboxes_pkey PRIMARY KEY (organisation_id, id);


--
-- Name: messages messages_pkey; Type: CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.messages
    ADD CONSTRAINT messages_pkey PRIMARY KEY (organisation_id, id);


--
-- Name: messages messages_rfc_message_id_key; Type: CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.messages
    ADD CONSTRAINT messages_rfc_message_id_key UNIQUE (organisation_id, rfc_message_id);


--
-- Name: prompts prompts_name_version_key; Type: CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.prompts
    ADD CONSTRAINT prompts_name_version_key UNIQUE (organisation_id, name, version);


--
-- Name: prompts prompts_pkey; Type: CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.prompts
    ADD CONSTRAINT prompts_pkey PRIMARY KEY (organisation_id, id);


--
-- Name: sender_pacing sender_pacing_pkey; Type: CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.sender_pacing
    ADD CONSTRAINT sender_pacing_pkey PRIMARY KEY (organisation_id, from_email);


--
-- Name: step_experiment_variants step_experiment_variants_experiment_key; Type: CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.step_experiment_variants
    ADD CONSTRAINT step_experiment_variants_experiment_key UNIQUE (organisation_id, experiment_id, id);


--
-- Name: step_experiment_variants step_experiment_variants_label_key; Type: CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.step_experiment_variants
    ADD CONSTRAINT step_experiment_variants_label_key UNIQUE (organisation_id, experiment_id, label);


--
-- Name: step_experiment_variants step_experiment_variants_pkey; Type: CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.step_experiment_variants
    ADD CONSTRAINT step_experiment_variants_pkey PRIMARY KEY (organisation_id, id);


--
-- Name: step_experiments step_experiments_pkey; Type: CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.step_experiments
    ADD CONSTRAINT step_experiments_pkey PRIMARY KEY (organisation_id, id);


--
-- Name: step_experiments step_experiments_step_key; Type: CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.step_experiments
    ADD CONSTRAINT step_experiments_step_key UNIQUE (organisation_id, step_id, id);


--
-- Name: tasks tasks_pkey; Type: CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.tasks
    ADD CONSTRAINT tasks_pkey PRIMARY KEY (organisation_id, id);


--
-- Name: workflow_steps workflow_steps_campaign_key; Type: CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.workflow_steps
    ADD CONSTRAINT workflow_steps_campaign_key UNIQUE (organisation_id, campaign_id, id);


--
-- Name: workflow_steps workflow_steps_order_key; Type: CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.workflow_steps
    ADD CONSTRAINT workflow_steps_order_key UNIQUE (organisation_id, campaign_id, step_order);


--
-- Name: workflow_steps workflow_steps_pkey; Type: CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.workflow_steps
    ADD CONSTRAINT workflow_steps_pkey PRIMARY KEY (organisation_id, id);


--
-- Name: flyway_schema_history flyway_schema_history_pk; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.flyway_schema_history
    ADD CONSTRAINT flyway_schema_history_pk PRIMARY KEY (installed_rank);


--
-- Name: message_open_stats message_open_stats_pkey; Type: CONSTRAINT; Schema: tracking; Owner: -
--

ALTER TABLE ONLY tracking.message_open_stats
    ADD CONSTRAINT message_open_stats_pkey PRIMARY KEY (organisation_id, message_id);


--
-- Name: pixels pixels_message_key; Type: CONSTRAINT; Schema: tracking; Owner: -
--

ALTER TABLE ONLY tracking.pixels
    ADD CONSTRAINT pixels_message_key UNIQUE (organisation_id, message_id);


--
-- Name: pixels pixels_pkey; Type: CONSTRAINT; Schema: tracking; Owner: -
--

ALTER TABLE ONLY tracking.pixels
    ADD CONSTRAINT pixels_pkey PRIMARY KEY (organisation_id, id);


--
-- Name: suppressions suppressions_pkey; Type: CONSTRAINT; Schema: tracking; Owner: -
--

ALTER TABLE ONLY tracking.suppressions
    ADD CONSTRAINT suppressions_pkey PRIMARY KEY (organisation_id, email);


--
-- Name: positions_company_idx; Type: INDEX; Schema: crm; Owner: -
--

CREATE INDEX positions_company_idx ON crm.positions USING btree (organisation_id, company_id);


--
-- Name: positions_person_idx; Type: INDEX; Schema: crm; Owner: -
--

CREATE INDEX positions_person_idx ON crm.positions USING btree (organisation_id, person_id);


--
-- Name: campaign_enrollments_mailbox_idx; Type: INDEX; Schema: outreach; Owner: -
--

CREATE INDEX campaign_enrollments_mailbox_idx ON outreach.campaign_enrollments USING btree (organisation_id, mailbox_id) WHERE (mailbox_id IS NOT NULL);


--
-- Name: campaign_enrollments_person_idx; Type: INDEX; Schema: outreach; Owner: -
--

CREATE INDEX campaign_enrollments_person_idx ON outreach.campaign_enrollments USING btree (organisation_id, person_id);


--
-- Name: campaign_enrollments_position_idx; Type: INDEX; Schema: outreach; Owner: -
--

CREATE INDEX campaign_enrollments_position_idx ON outreach.campaign_enrollments USING btree (organisation_id, position_id);


--
-- Name: campaign_enrollments_status_idx; Type: INDEX; Schema: outreach; Owner: -
--

CREATE INDEX campaign_enrollments_status_idx ON outreach.campaign_enrollments USING btree (organisation_id, campaign_id, status);


--
-- Name: campaign_mailboxes_mailbox_idx; Type: INDEX; Schema: outreach; Owner: -
--

CREATE INDEX campaign_mailboxes_mailbox_idx ON outreach.campaign_mailboxes USING btree (organisation_id, mailbox_id);


--
-- Name: campaigns_status_idx; Type: INDEX; Schema: outreach; Owner: -
--

CREATE INDEX campaigns_status_idx ON outreach.campaigns USING btree (organisation_id, status);


--
-- Name: enrollment_step_variant_assignments_variant_idx; Type: INDEX; Schema: outreach; Owner: -
--

CREATE INDEX enrollment_step_variant_assignments_variant_idx ON outreach.enrollment_step_variant_assignments USING btree (organisation_id, experiment_id, variant_id);


--
-- Name: inbound_events_campaign_idx; Type: INDEX; Schema: outreach; Owner: -
--

CREATE INDEX inbound_events_campaign_idx ON outreach.inbound_events USING btree (organisation_id, campaign_id, kind, received_at);


--
-- Name: inbound_events_message_idx; Type: INDEX; Schema: outreach; Owner: -
--

CREATE INDEX inbound_events_message_idx ON outreach.inbound_events USING btree (organisation_id, message_id);


--
-- Name: inbound_events_once; Type: INDEX; Schema: outreach; Owner: -
--

CREATE UNIQUE INDEX inbound_events_once ON outreach.inbound_events USING btree (organisation_id, mailbox_id, rfc_message_id) WHERE (mailbox_id IS NOT NULL);


--
-- Name: messages_campaign_sent_idx; Type: INDEX; Schema: outreach; Owner: -
--

CREATE INDEX messages_campaign_sent_idx ON outreach.messages USING btree (organisation_id, campaign_id, sent_at) WHERE ((direction = 'outbound'::text) AND (sent_at IS NOT NULL));


--
-- Name: messages_enrollment_idx; Type: INDEX; Schema: outreach; Owner: -
--

CREATE INDEX messages_enrollment_idx ON outreach.messages USING btree (organisation_id, campaign_id, enrollment_id);


--
-- Name: messages_inbound_enrollment_idx; Type: INDEX; Schema: outreach; Owner: -
--

CREATE INDEX messages_inbound_enrollment_idx ON outreach.messages USING btree (organisation_id, enrollment_id) WHERE (direction = 'inbound'::text);


--
-- Name: messages_mailbox_recipient_idx; Type: INDEX; Schema: outreach; Owner: -
--

CREATE INDEX messages_mailbox_recipient_idx ON outreach.messages USING btree (organisation_id, mailbox_id, to_email, sent_at) WHERE ((direction = 'outbound'::text) AND (mailbox_id IS NOT NULL));


--
-- Name: messages_mailbox_sent_idx; Type: INDEX; Schema: outreach; Owner: -
--

CREATE INDEX messages_mailbox_sent_idx ON outreach.messages USING btree (organisation_id, mailbox_id, sent_at) WHERE (mailbox_id IS NOT NULL);


--
-- Name: messages_one_outbound_per_step; Type: INDEX; Schema: outreach; Owner: -
--

CREATE UNIQUE INDEX messages_one_outbound_per_step ON outreach.messages USING btree (organisation_id, enrollment_id, step_id) WHERE (direction = 'outbound'::text);


--
-- Name: messages_parent_idx; Type: INDEX; Schema: outreach; Owner: -
--

CREATE INDEX messages_parent_idx ON outreach.messages USING btree (organisation_id, parent_message_id);


--
-- Name: messages_prompt_idx; Type: INDEX; Schema: outreach; Owner: -
--

CREATE INDEX messages_prompt_idx ON outreach.messages USING btree (organisation_id, prompt_id);


--
-- Name: messages_rfc_lookup_idx; Type: INDEX; Schema: outreach; Owner: -
--

CREATE INDEX messages_rfc_lookup_idx ON outreach.messages USING btree (rfc_message_id);


--
-- Name: messages_step_idx; Type: INDEX; Schema: outreach; Owner: -
--

CREATE INDEX messages_step_idx ON outreach.messages USING btree (organisation_id, campaign_id, step_id);


--
-- Name: messages_variant_idx; Type: INDEX; Schema: outreach; Owner: -
--

CREATE INDEX messages_variant_idx ON outreach.messages USING btree (organisation_id, variant_id);


--
-- Name: step_experiment_variants_prompt_idx; Type: INDEX; Schema: outreach; Owner: -
--

CREATE INDEX step_experiment_variants_prompt_idx ON outreach.step_experiment_variants USING btree (organisation_id, prompt_id);


--
-- Name: step_experiments_one_running_per_step; Type: INDEX; Schema: outreach; Owner: -
--

CREATE UNIQUE INDEX step_experiments_one_running_per_step ON outreach.step_experiments USING btree (organisation_id, step_id) WHERE (status = 'running'::text);


--
-- Name: tasks_campaign_open_idx; Type: INDEX; Schema: outreach; Owner: -
--

CREATE INDEX tasks_campaign_open_idx ON outreach.tasks USING btree (organisation_id, campaign_id, status) WHERE (status = ANY (ARRAY['pending'::text, 'running'::text, 'failed'::text]));


--
-- Name: tasks_enrollment_idx; Type: INDEX; Schema: outreach; Owner: -
--

CREATE INDEX tasks_enrollment_idx ON outreach.tasks USING btree (organisation_id, campaign_id, enrollment_id);


--
-- Name: tasks_lease_idx; Type: INDEX; Schema: outreach; Owner: -
--

CREATE INDEX tasks_lease_idx ON outreach.tasks USING btree (locked_until) WHERE (status = 'running'::text);


--
-- Name: tasks_one_open_step_per_enrollment; Type: INDEX; Schema: outreach; Owner: -
--

CREATE UNIQUE INDEX tasks_one_open_step_per_enrollment ON outreach.tasks USING btree (organisation_id, enrollment_id) WHERE ((kind = 'run_step'::text) AND (status = ANY (ARRAY['pending'::text, 'running'::text])));


--
-- Name: tasks_org_due_idx; Type: INDEX; Schema: outreach; Owner: -
--

CREATE INDEX tasks_org_due_idx ON outreach.tasks USING btree (organisation_id, run_at, id) WHERE (status = 'pending'::text);


--
-- Name: tasks_step_idx; Type: INDEX; Schema: outreach; Owner: -
--

CREATE INDEX tasks_step_idx ON outreach.tasks USING btree (organisation_id, campaign_id, step_id);


--
-- Name: workflow_steps_prompt_idx; Type: INDEX; Schema: outreach; Owner: -
--

CREATE INDEX workflow_steps_prompt_idx ON outreach.workflow_steps USING btree (organisation_id, prompt_id);


--
-- Name: flyway_schema_history_s_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX flyway_schema_history_s_idx ON public.flyway_schema_history USING btree (success);


--
-- Name: pixels_token_key; Type: INDEX; Schema: tracking; Owner: -
--

CREATE UNIQUE INDEX pixels_token_key ON tracking.pixels USING btree (token);


--
-- Name: suppressions_message_idx; Type: INDEX; Schema: tracking; Owner: -
--

CREATE INDEX suppressions_message_idx ON tracking.suppressions USING btree (organisation_id, source_message_id);


--
-- Name: companies companies_touch_updated_at; Type: TRIGGER; Schema: crm; Owner: -
--

CREATE TRIGGER companies_touch_updated_at BEFORE UPDATE ON crm.companies FOR EACH ROW EXECUTE FUNCTION public.pf_touch_updated_at();


--
-- Name: people people_touch_updated_at; Type: TRIGGER; Schema: crm; Owner: -
--

CREATE TRIGGER people_touch_updated_at BEFORE UPDATE ON crm.people FOR EACH ROW EXECUTE FUNCTION public.pf_touch_updated_at();


--
-- Name: positions positions_touch_updated_at; Type: TRIGGER; Schema: crm; Owner: -
--

CREATE TRIGGER positions_touch_updated_at BEFORE UPDATE ON crm.positions FOR EACH ROW EXECUTE FUNCTION public.pf_touch_updated_at();


--
-- Name: organisation_users organisation_users_touch_updated_at; Type: TRIGGER; Schema: iam; Owner: -
--

CREATE TRIGGER organisation_users_touch_updated_at BEFORE UPDATE ON iam.organisation_users FOR EACH ROW EXECUTE FUNCTION public.pf_touch_updated_at();


--
-- Name: organisations organisations_touch_updated_at; Type: TRIGGER; Schema: iam; Owner: -
--

CREATE TRIGGER organisations_touch_updated_at BEFORE UPDATE ON iam.organisations FOR EACH ROW EXECUTE FUNCTION public.pf_touch_updated_at();


--
-- Name: users users_touch_updated_at; Type: TRIGGER; Schema: iam; Owner: -
--

CREATE TRIGGER users_touch_updated_at BEFORE UPDATE ON iam.users FOR EACH ROW EXECUTE FUNCTION public.pf_touch_updated_at();


--
-- Name: campaign_daily_sends campaign_daily_sends_touch_updated_at; Type: TRIGGER; Schema: outreach; Owner: -
--

CREATE TRIGGER campaign_daily_sends_touch_updated_at BEFORE UPDATE ON outreach.campaign_daily_sends FOR EACH ROW EXECUTE FUNCTION public.pf_touch_updated_at();


--
-- Name: campaign_enrollments campaign_enrollments_enqueue; Type: TRIGGER; Schema: outreach; Owner: -
--

CREATE TRIGGER campaign_enrollments_enqueue AFTER INSERT ON outreach.campaign_enrollments REFERENCING NEW TABLE AS new_enrollments FOR EACH STATEMENT EXECUTE FUNCTION outreach.enqueue_new_enrollments();


--
-- Name: campaign_enrollments campaign_enrollments_sync_tasks; Type: TRIGGER; Schema: outreach; Owner: -
--

CREATE TRIGGER campaign_enrollments_sync_tasks AFTER UPDATE OF status ON outreach.campaign_enrollments FOR EACH ROW WHEN ((old.status IS DISTINCT FROM new.status)) EXECUTE FUNCTION outreach.sync_enrollment_tasks();


--
-- Name: campaign_enrollments campaign_enrollments_touch_updated_at; Type: TRIGGER; Schema: outreach; Owner: -
--

CREATE TRIGGER campaign_enrollments_touch_updated_at BEFORE UPDATE ON outreach.campaign_enrollments FOR EACH ROW WHEN ((NOT (new.updated_at IS DISTINCT FROM old.updated_at))) EXECUTE FUNCTION public.pf_touch_updated_at();


--
-- Name: campaign_mailboxes campaign_mailboxes_touch_updated_at; Type: TRIGGER; Schema: outreach; Owner: -
--

CREATE TRIGGER campaign_mailboxes_touch_updated_at BEFORE UPDATE ON outreach.campaign_mailboxes FOR EACH ROW EXECUTE FUNCTION public.pf_touch_updated_at();


--
-- Name: campaigns campaigns_enqueue_on_activate; Type: TRIGGER; Schema: outreach; Owner: -
--

CREATE TRIGGER campaigns_enqueue_on_activate AFTER UPDATE OF status ON outreach.campaigns FOR EACH ROW WHEN (((new.status = 'active'::text) AND (old.status IS DISTINCT FROM 'active'::text))) EXECUTE FUNCTION outreach.enqueue_activated_campaign();


--
-- Name: campaigns campaigns_touch_updated_at; Type: TRIGGER; Schema: outreach; Owner: -
--

CREATE TRIGGER campaigns_touch_updated_at BEFORE UPDATE ON outreach.campaigns FOR EACH ROW EXECUTE FUNCTION public.pf_touch_updated_at();


--
-- Name: enrollment_step_variant_assignments enrollment_step_variant_assignments_touch_updated_at; Type: TRIGGER; Schema: outreach; Owner: -
--

CREATE TRIGGER enrollment_step_variant_assignments_touch_updated_at BEFORE UPDATE ON outreach.enrollment_step_variant_assignments FOR EACH ROW EXECUTE FUNCTION public.pf_touch_updated_at();


--
-- Name: holidays holidays_touch_updated_at; Type: TRIGGER; Schema: outreach; Owner: -
--

CREATE TRIGGER holidays_touch_updated_at BEFORE UPDATE ON outreach.holidays FOR EACH ROW EXECUTE FUNCTION public.pf_touch_updated_at();


--
-- Name: inbound_events inbound_events_touch_updated_at; Type: TRIGGER; Schema: outreach; Owner: -
--

CREATE TRIGGER inbound_events_touch_updated_at BEFORE UPDATE ON outreach.inbound_events FOR EACH ROW EXECUTE FUNCTION public.pf_touch_updated_at();


--
-- Name: instances instances_touch_updated_at; Type: TRIGGER; Schema: outreach; Owner: -
--

CREATE TRIGGER instances_touch_updated_at BEFORE UPDATE ON outreach.instances FOR EACH ROW EXECUTE FUNCTION public.pf_touch_updated_at();


--
-- Name: mailbox_daily_sends mailbox_daily_sends_touch_updated_at; Type: TRIGGER; Schema: outreach; Owner: -
--

CREATE TRIGGER mailbox_daily_sends_touch_updated_at BEFORE UPDATE ON outreach.mailbox_daily_sends FOR EACH ROW EXECUTE FUNCTION public.pf_touch_updated_at();


--
-- Name: mailbox_folder_cursors mailbox_folder_cursors_touch_updated_at; Type: TRIGGER; Schema: outreach; Owner: -
--

CREATE TRIGGER mailbox_folder_cursors_touch_updated_at BEFORE UPDATE ON outreach.mailbox_folder_cursors FOR EACH ROW EXECUTE FUNCTION public.pf_touch_updated_at();


--
-- Name: mailbox_inbound mailbox_inbound_touch_updated_at; Type: TRIGGER; Schema: outreach; Owner: -
--

CREATE TRIGGER mailbox_inbound_touch_updated_at BEFORE UPDATE ON outreach.mailbox_inbound FOR EACH ROW EXECUTE FUNCTION public.pf_touch_updated_at();


--
-- Name: mailboxes mailboxes_touch_updated_at; Type: TRIGGER; Schema: outreach; Owner: -
--

CREATE TRIGGER mailboxes_touch_updated_at BEFORE UPDATE ON outreach.mailboxes FOR EACH ROW EXECUTE FUNCTION public.pf_touch_updated_at();


--
-- Name: messages messages_bounce_stops_enrollment; Type: TRIGGER; Schema: outreach; Owner: -
--

CREATE TRIGGER messages_bounce_stops_enrollment AFTER UPDATE OF status ON outreach.messages FOR EACH ROW WHEN (((new.status = 'bounced'::text) AND (old.status IS DISTINCT FROM 'bounced'::text))) EXECUTE FUNCTION outreach.stop_enrollment_on_event();


--
-- Name: messages messages_reply_stops_enrollment; Type: TRIGGER; Schema: outreach; Owner: -
--

CREATE TRIGGER messages_reply_stops_enrollment AFTER INSERT ON outreach.messages FOR EACH ROW WHEN ((new.direction = 'inbound'::text)) EXECUTE FUNCTION outreach.stop_enrollment_on_event();


--
-- Name: messages messages_touch_updated_at; Type: TRIGGER; Schema: outreach; Owner: -
--

CREATE TRIGGER messages_touch_updated_at BEFORE UPDATE ON outreach.messages FOR EACH ROW WHEN ((NOT (new.updated_at IS DISTINCT FROM old.updated_at))) EXECUTE FUNCTION public.pf_touch_updated_at();


--
-- Name: prompts prompts_freeze_used; Type: TRIGGER; Schema: outreach; Owner: -
--

CREATE TRIGGER prompts_freeze_used BEFORE UPDATE OF organisation_id, id, name, version, generator, subject_template, body_template, system_prompt, model ON outreach.prompts FOR EACH ROW EXECUTE FUNCTION outreach.prompts_freeze_used();


--
-- Name: prompts prompts_touch_updated_at; Type: TRIGGER; Schema: outreach; Owner: -
--

CREATE TRIGGER prompts_touch_updated_at BEFORE UPDATE ON outreach.prompts FOR EACH ROW EXECUTE FUNCTION public.pf_touch_updated_at();


--
-- Name: sender_pacing sender_pacing_touch_updated_at; Type: TRIGGER; Schema: outreach; Owner: -
--

CREATE TRIGGER sender_pacing_touch_updated_at BEFORE UPDATE ON outreach.sender_pacing FOR EACH ROW EXECUTE FUNCTION public.pf_touch_updated_at();


--
-- Name: step_experiment_variants step_experiment_variants_touch_updated_at; Type: TRIGGER; Schema: outreach; Owner: -
--

CREATE TRIGGER step_experiment_variants_touch_updated_at BEFORE UPDATE ON outreach.step_experiment_variants FOR EACH ROW EXECUTE FUNCTION public.pf_touch_updated_at();


--
-- Name: step_experiments step_experiments_touch_updated_at; Type: TRIGGER; Schema: outreach; Owner: -
--

CREATE TRIGGER step_experiments_touch_updated_at BEFORE UPDATE ON outreach.step_experiments FOR EACH ROW EXECUTE FUNCTION public.pf_touch_updated_at();


--
-- Name: tasks tasks_notify_due_on_insert; Type: TRIGGER; Schema: outreach; Owner: -
--

CREATE TRIGGER tasks_notify_due_on_insert AFTER INSERT ON outreach.tasks REFERENCING NEW TABLE AS changed_tasks FOR EACH STATEMENT EXECUTE FUNCTION outreach.notify_due_tasks();


--
-- Name: tasks tasks_touch_updated_at; Type: TRIGGER; Schema: outreach; Owner: -
--

CREATE TRIGGER tasks_touch_updated_at BEFORE UPDATE ON outreach.tasks FOR EACH ROW WHEN ((NOT (new.updated_at IS DISTINCT FROM old.updated_at))) EXECUTE FUNCTION public.pf_touch_updated_at();


--
-- Name: workflow_steps workflow_steps_touch_updated_at; Type: TRIGGER; Schema: outreach; Owner: -
--

CREATE TRIGGER workflow_steps_touch_updated_at BEFORE UPDATE ON outreach.workflow_steps FOR EACH ROW EXECUTE FUNCTION public.pf_touch_updated_at();


--
-- Name: message_open_stats message_open_stats_touch_updated_at; Type: TRIGGER; Schema: tracking; Owner: -
--

CREATE TRIGGER message_open_stats_touch_updated_at BEFORE UPDATE ON tracking.message_open_stats FOR EACH ROW EXECUTE FUNCTION public.pf_touch_updated_at();


--
-- Name: pixels pixels_touch_updated_at; Type: TRIGGER; Schema: tracking; Owner: -
--

CREATE TRIGGER pixels_touch_updated_at BEFORE UPDATE ON tracking.pixels FOR EACH ROW EXECUTE FUNCTION public.pf_touch_updated_at();


--
-- Name: suppressions suppressions_touch_updated_at; Type: TRIGGER; Schema: tracking; Owner: -
--

CREATE TRIGGER suppressions_touch_updated_at BEFORE UPDATE ON tracking.suppressions FOR EACH ROW EXECUTE FUNCTION public.pf_touch_updated_at();


--
-- Name: companies companies_organisation_fkey; Type: FK CONSTRAINT; Schema: crm; Owner: -
--

ALTER TABLE ONLY crm.companies
    ADD CONSTRAINT companies_organisation_fkey FOREIGN KEY (organisation_id) REFERENCES iam.organisations(id) ON DELETE CASCADE;


--
-- Name: people people_organisation_fkey; Type: FK CONSTRAINT; Schema: crm; Owner: -
--

ALTER TABLE ONLY crm.people
    ADD CONSTRAINT people_organisation_fkey FOREIGN KEY (organisation_id) REFERENCES iam.organisations(id) ON DELETE CASCADE;


--
-- Name: positions positions_company_fkey; Type: FK CONSTRAINT; Schema: crm; Owner: -
--

ALTER TABLE ONLY crm.positions
    ADD CONSTRAINT positions_company_fkey FOREIGN KEY (organisation_id, company_id) REFERENCES crm.companies(organisation_id, id) ON DELETE CASCADE;


--
-- Name: positions positions_organisation_fkey; Type: FK CONSTRAINT; Schema: crm; Owner: -
--

ALTER TABLE ONLY crm.positions
    ADD CONSTRAINT positions_organisation_fkey FOREIGN KEY (organisation_id) REFERENCES iam.organisations(id) ON DELETE CASCADE;


--
-- Name: positions positions_person_fkey; Type: FK CONSTRAINT; Schema: crm; Owner: -
--

ALTER TABLE ONLY crm.positions
    ADD CONSTRAINT positions_person_fkey FOREIGN KEY (organisation_id, person_id) REFERENCES crm.people(organisation_id, id) ON DELETE CASCADE;


--
-- Name: organisation_users organisation_users_organisation_fkey; Type: FK CONSTRAINT; Schema: iam; Owner: -
--

ALTER TABLE ONLY iam.organisation_users
    ADD CONSTRAINT organisation_users_organisation_fkey FOREIGN KEY (organisation_id) REFERENCES iam.organisations(id) ON DELETE CASCADE;


--
-- Name: organisation_users organisation_users_user_fkey; Type: FK CONSTRAINT; Schema: iam; Owner: -
--

ALTER TABLE ONLY iam.organisation_users
    ADD CONSTRAINT organisation_users_user_fkey FOREIGN KEY (user_id) REFERENCES iam.users(id) ON DELETE CASCADE;


--
-- Name: campaign_daily_sends campaign_daily_sends_campaign_fkey; Type: FK CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.campaign_daily_sends
    ADD CONSTRAINT campaign_daily_sends_campaign_fkey FOREIGN KEY (organisation_id, campaign_id) REFERENCES outreach.campaigns(organisation_id, id) ON DELETE CASCADE;


--
-- Name: campaign_daily_sends campaign_daily_sends_organisation_fkey; Type: FK CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.campaign_daily_sends
    ADD CONSTRAINT campaign_daily_sends_organisation_fkey FOREIGN KEY (organisation_id) REFERENCES iam.organisations(id) ON DELETE CASCADE;


--
-- Name: campaign_enrollments campaign_enrollments_campaign_fkey; Type: FK CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.campaign_enrollments
    ADD CONSTRAINT campaign_enrollments_campaign_fkey FOREIGN KEY (organisation_id, campaign_id) REFERENCES outreach.campaigns(organisation_id, id) ON DELETE CASCADE;


--
-- Name: campaign_enrollments campaign_enrollments_mailbox_fkey; Type: FK CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.campaign_enrollments
    ADD CONSTRAINT campaign_enrollments_mailbox_fkey FOREIGN KEY (organisation_id, mailbox_id) REFERENCES outreach.mailboxes(organisation_id, id);


--
-- Name: campaign_enrollments campaign_enrollments_organisation_fkey; Type: FK CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.campaign_enrollments
    ADD CONSTRAINT campaign_enrollments_organisation_fkey FOREIGN KEY (organisation_id) REFERENCES iam.organisations(id) ON DELETE CASCADE;


--
-- Name: campaign_enrollments campaign_enrollments_person_fkey; Type: FK CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.campaign_enrollments
    ADD CONSTRAINT campaign_enrollments_person_fkey FOREIGN KEY (organisation_id, person_id) REFERENCES crm.people(organisation_id, id) ON DELETE CASCADE;


--
-- Name: campaign_enrollments campaign_enrollments_position_fkey; Type: FK CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.campaign_enrollments
    ADD CONSTRAINT campaign_enrollments_position_fkey FOREIGN KEY (organisation_id, position_id, person_id) REFERENCES crm.positions(organisation_id, id, person_id) ON DELETE CASCADE;


--
-- Name: campaign_mailboxes campaign_mailboxes_campaign_fkey; Type: FK CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.campaign_mailboxes
    ADD CONSTRAINT campaign_mailboxes_campaign_fkey FOREIGN KEY (organisation_id, campaign_id) REFERENCES outreach.campaigns(organisation_id, id) ON DELETE CASCADE;


--
-- Name: campaign_mailboxes campaign_mailboxes_mailbox_fkey; Type: FK CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.campaign_mailboxes
    ADD CONSTRAINT campaign_mailboxes_mailbox_fkey FOREIGN KEY (organisation_id, mailbox_id) REFERENCES outreach.mailboxes(organisation_id, id) ON DELETE CASCADE;


--
-- Name: campaign_mailboxes campaign_mailboxes_organisation_fkey; Type: FK CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.campaign_mailboxes
    ADD CONSTRAINT campaign_mailboxes_organisation_fkey FOREIGN KEY (organisation_id) REFERENCES iam.organisations(id) ON DELETE CASCADE;


--
-- Name: campaigns campaigns_organisation_fkey; Type: FK CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.campaigns
    ADD CONSTRAINT campaigns_organisation_fkey FOREIGN KEY (organisation_id) REFERENCES iam.organisations(id) ON DELETE CASCADE;


--
-- Name: enrollment_step_variant_assignments enrollment_step_variant_assignments_enrollment_fkey; Type: FK CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.enrollment_step_variant_assignments
    ADD CONSTRAINT enrollment_step_variant_assignments_enrollment_fkey FOREIGN KEY (organisation_id, enrollment_id) REFERENCES outreach.campaign_enrollments(organisation_id, id) ON DELETE CASCADE;


--
-- Name: enrollment_step_variant_assignments enrollment_step_variant_assignments_experiment_fkey; Type: FK CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.enrollment_step_variant_assignments
    ADD CONSTRAINT enrollment_step_variant_assignments_experiment_fkey FOREIGN KEY (organisation_id, step_id, experiment_id) REFERENCES outreach.step_experiments(organisation_id, step_id, id) ON DELETE CASCADE;


--
-- Name: enrollment_step_variant_assignments enrollment_step_variant_assignments_organisation_fkey; Type: FK CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.enrollment_step_variant_assignments
    ADD CONSTRAINT enrollment_step_variant_assignments_organisation_fkey FOREIGN KEY (organisation_id) REFERENCES iam.organisations(id) ON DELETE CASCADE;


--
-- Name: enrollment_step_variant_assignments enrollment_step_variant_assignments_variant_fkey; Type: FK CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.enrollment_step_variant_assignments
    ADD CONSTRAINT enrollment_step_variant_assignments_variant_fkey FOREIGN KEY (organisation_id, experiment_id, variant_id) REFERENCES outreach.step_experiment_variants(organisation_id, experiment_id, id) ON DELETE CASCADE;


--
-- Name: holidays holidays_campaign_fkey; Type: FK CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.holidays
    ADD CONSTRAINT holidays_campaign_fkey FOREIGN KEY (organisation_id, campaign_id) REFERENCES outreach.campaigns(organisation_id, id) ON DELETE CASCADE;


--
-- Name: holidays holidays_organisation_fkey; Type: FK CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.holidays
    ADD CONSTRAINT holidays_organisation_fkey FOREIGN KEY (organisation_id) REFERENCES iam.organisations(id) ON DELETE CASCADE;


--
-- Name: inbound_events inbound_events_mailbox_fkey; Type: FK CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.inbound_events
    ADD CONSTRAINT inbound_events_mailbox_fkey FOREIGN KEY (organisation_id, mailbox_id) REFERENCES outreach.mailboxes(organisation_id, id) ON DELETE SET NULL (mailbox_id);


--
-- Name: inbound_events inbound_events_message_fkey; Type: FK CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.inbound_events
    ADD CONSTRAINT inbound_events_message_fkey FOREIGN KEY (organisation_id, message_id) REFERENCES outreach.messages(organisation_id, id) ON DELETE CASCADE;


--
-- Name: inbound_events inbound_events_organisation_fkey; Type: FK CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.inbound_events
    ADD CONSTRAINT inbound_events_organisation_fkey FOREIGN KEY (organisation_id) REFERENCES iam.organisations(id) ON DELETE CASCADE;


--
-- Name: mailbox_daily_sends mailbox_daily_sends_mailbox_fkey; Type: FK CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.mailbox_daily_sends
    ADD CONSTRAINT mailbox_daily_sends_mailbox_fkey FOREIGN KEY (organisation_id, mailbox_id) REFERENCES outreach.mailboxes(organisation_id, id) ON DELETE CASCADE;


--
-- Name: mailbox_daily_sends mailbox_daily_sends_organisation_fkey; Type: FK CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.mailbox_daily_sends
    ADD CONSTRAINT mailbox_daily_sends_organisation_fkey FOREIGN KEY (organisation_id) REFERENCES iam.organisations(id) ON DELETE CASCADE;


--
-- Name: mailbox_folder_cursors mailbox_folder_cursors_mailbox_fkey; Type: FK CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.mailbox_folder_cursors
    ADD CONSTRAINT mailbox_folder_cursors_mailbox_fkey FOREIGN KEY (organisation_id, mailbox_id) REFERENCES outreach.mailboxes(organisation_id, id) ON DELETE CASCADE;


--
-- Name: mailbox_folder_cursors mailbox_folder_cursors_organisation_fkey; Type: FK CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.mailbox_folder_cursors
    ADD CONSTRAINT mailbox_folder_cursors_organisation_fkey FOREIGN KEY (organisation_id) REFERENCES iam.organisations(id) ON DELETE CASCADE;


--
-- Name: mailbox_inbound mailbox_inbound_mailbox_fkey; Type: FK CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.mailbox_inbound
    ADD CONSTRAINT mailbox_inbound_mailbox_fkey FOREIGN KEY (organisation_id, mailbox_id) REFERENCES outreach.mailboxes(organisation_id, id) ON DELETE CASCADE;


--
-- Name: mailbox_inbound mailbox_inbound_organisation_fkey; Type: FK CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.mailbox_inbound
    ADD CONSTRAINT mailbox_inbound_organisation_fkey FOREIGN KEY (organisation_id) REFERENCES iam.organisations(id) ON DELETE CASCADE;


--
-- Name: mailboxes mailboxes_organisation_fkey; Type: FK CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.mailboxes
    ADD CONSTRAINT mailboxes_organisation_fkey FOREIGN KEY (organisation_id) REFERENCES iam.organisations(id) ON DELETE CASCADE;


--
-- Name: messages messages_campaign_fkey; Type: FK CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.messages
    ADD CONSTRAINT messages_campaign_fkey FOREIGN KEY (organisation_id, campaign_id) REFERENCES outreach.campaigns(organisation_id, id) ON DELETE CASCADE;


--
-- Name: messages messages_enrollment_fkey; Type: FK CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.messages
    ADD CONSTRAINT messages_enrollment_fkey FOREIGN KEY (organisation_id, campaign_id, enrollment_id) REFERENCES outreach.campaign_enrollments(organisation_id, campaign_id, id) ON DELETE CASCADE;


--
-- Name: messages messages_mailbox_fkey; Type: FK CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.messages
    ADD CONSTRAINT messages_mailbox_fkey FOREIGN KEY (organisation_id, mailbox_id) REFERENCES outreach.mailboxes(organisation_id, id);


--
-- Name: messages messages_organisation_fkey; Type: FK CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.messages
    ADD CONSTRAINT messages_organisation_fkey FOREIGN KEY (organisation_id) REFERENCES iam.organisations(id) ON DELETE CASCADE;


--
-- Name: messages messages_parent_fkey; Type: FK CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.messages
    ADD CONSTRAINT messages_parent_fkey FOREIGN KEY (organisation_id, parent_message_id) REFERENCES outreach.messages(organisation_id, id) ON DELETE SET NULL (parent_message_id);


--
-- Name: messages messages_prompt_fkey; Type: FK CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.messages
    ADD CONSTRAINT messages_prompt_fkey FOREIGN KEY (organisation_id, prompt_id) REFERENCES outreach.prompts(organisation_id, id);


--
-- Name: messages messages_step_fkey; Type: FK CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.messages
    ADD CONSTRAINT messages_step_fkey FOREIGN KEY (organisation_id, campaign_id, step_id) REFERENCES outreach.workflow_steps(organisation_id, campaign_id, id) ON DELETE CASCADE;


--
-- Name: messages messages_variant_fkey; Type: FK CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.messages
    ADD CONSTRAINT messages_variant_fkey FOREIGN KEY (organisation_id, variant_id) REFERENCES outreach.step_experiment_variants(organisation_id, id);


--
-- Name: prompts prompts_organisation_fkey; Type: FK CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.prompts
    ADD CONSTRAINT prompts_organisation_fkey FOREIGN KEY (organisation_id) REFERENCES iam.organisations(id) ON DELETE CASCADE;


--
-- Name: sender_pacing sender_pacing_organisation_fkey; Type: FK CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.sender_pacing
    ADD CONSTRAINT sender_pacing_organisation_fkey FOREIGN KEY (organisation_id) REFERENCES iam.organisations(id) ON DELETE CASCADE;


--
-- Name: step_experiment_variants step_experiment_variants_experiment_fkey; Type: FK CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.step_experiment_variants
    ADD CONSTRAINT step_experiment_variants_experiment_fkey FOREIGN KEY (organisation_id, experiment_id) REFERENCES outreach.step_experiments(organisation_id, id) ON DELETE CASCADE;


--
-- Name: step_experiment_variants step_experiment_variants_organisation_fkey; Type: FK CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.step_experiment_variants
    ADD CONSTRAINT step_experiment_variants_organisation_fkey FOREIGN KEY (organisation_id) REFERENCES iam.organisations(id) ON DELETE CASCADE;


--
-- Name: step_experiment_variants step_experiment_variants_prompt_fkey; Type: FK CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.step_experiment_variants
    ADD CONSTRAINT step_experiment_variants_prompt_fkey FOREIGN KEY (organisation_id, prompt_id) REFERENCES outreach.prompts(organisation_id, id);


--
-- Name: step_experiments step_experiments_organisation_fkey; Type: FK CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.step_experiments
    ADD CONSTRAINT step_experiments_organisation_fkey FOREIGN KEY (organisation_id) REFERENCES iam.organisations(id) ON DELETE CASCADE;


--
-- Name: step_experiments step_experiments_step_fkey; Type: FK CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.step_experiments
    ADD CONSTRAINT step_experiments_step_fkey FOREIGN KEY (organisation_id, step_id) REFERENCES outreach.workflow_steps(organisation_id, id) ON DELETE CASCADE;


--
-- Name: step_experiments step_experiments_winner_fkey; Type: FK CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.step_experiments
    ADD CONSTRAINT step_experiments_winner_fkey FOREIGN KEY (organisation_id, id, winner_variant_id) REFERENCES outreach.step_experiment_variants(organisation_id, experiment_id, id);


--
-- Name: tasks tasks_campaign_fkey; Type: FK CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.tasks
    ADD CONSTRAINT tasks_campaign_fkey FOREIGN KEY (organisation_id, campaign_id) REFERENCES outreach.campaigns(organisation_id, id) ON DELETE CASCADE;


--
-- Name: tasks tasks_enrollment_fkey; Type: FK CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.tasks
    ADD CONSTRAINT tasks_enrollment_fkey FOREIGN KEY (organisation_id, campaign_id, enrollment_id) REFERENCES outreach.campaign_enrollments(organisation_id, campaign_id, id) ON DELETE CASCADE;


--
-- Name: tasks tasks_organisation_fkey; Type: FK CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.tasks
    ADD CONSTRAINT tasks_organisation_fkey FOREIGN KEY (organisation_id) REFERENCES iam.organisations(id) ON DELETE CASCADE;


--
-- Name: tasks tasks_step_fkey; Type: FK CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.tasks
    ADD CONSTRAINT tasks_step_fkey FOREIGN KEY (organisation_id, campaign_id, step_id) REFERENCES outreach.workflow_steps(organisation_id, campaign_id, id) ON DELETE CASCADE;


--
-- Name: workflow_steps workflow_steps_campaign_fkey; Type: FK CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.workflow_steps
    ADD CONSTRAINT workflow_steps_campaign_fkey FOREIGN KEY (organisation_id, campaign_id) REFERENCES outreach.campaigns(organisation_id, id) ON DELETE CASCADE;


--
-- Name: workflow_steps workflow_steps_organisation_fkey; Type: FK CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.workflow_steps
    ADD CONSTRAINT workflow_steps_organisation_fkey FOREIGN KEY (organisation_id) REFERENCES iam.organisations(id) ON DELETE CASCADE;


--
-- Name: workflow_steps workflow_steps_prompt_fkey; Type: FK CONSTRAINT; Schema: outreach; Owner: -
--

ALTER TABLE ONLY outreach.workflow_steps
    ADD CONSTRAINT workflow_steps_prompt_fkey FOREIGN KEY (organisation_id, prompt_id) REFERENCES outreach.prompts(organisation_id, id);


--
-- Name: message_open_stats message_open_stats_message_fkey; Type: FK CONSTRAINT; Schema: tracking; Owner: -
--

ALTER TABLE ONLY tracking.message_open_stats
    ADD CONSTRAINT message_open_stats_message_fkey FOREIGN KEY (organisation_id, message_id) REFERENCES outreach.messages(organisation_id, id) ON DELETE CASCADE;


--
-- Name: message_open_stats message_open_stats_organisation_fkey; Type: FK CONSTRAINT; Schema: tracking; Owner: -
--

ALTER TABLE ONLY tracking.message_open_stats
    ADD CONSTRAINT message_open_stats_organisation_fkey FOREIGN KEY (organisation_id) REFERENCES iam.organisations(id) ON DELETE CASCADE;


--
-- Name: pixels pixels_message_fkey; Type: FK CONSTRAINT; Schema: tracking; Owner: -
--

ALTER TABLE ONLY tracking.pixels
    ADD CONSTRAINT pixels_message_fkey FOREIGN KEY (organisation_id, message_id) REFERENCES outreach.messages(organisation_id, id) ON DELETE CASCADE;


--
-- Name: pixels pixels_organisation_fkey; Type: FK CONSTRAINT; Schema: tracking; Owner: -
--

ALTER TABLE ONLY tracking.pixels
    ADD CONSTRAINT pixels_organisation_fkey FOREIGN KEY (organisation_id) REFERENCES iam.organisations(id) ON DELETE CASCADE;


--
-- Name: suppressions suppressions_message_fkey; Type: FK CONSTRAINT; Schema: tracking; Owner: -
--

ALTER TABLE ONLY tracking.suppressions
    ADD CONSTRAINT suppressions_message_fkey FOREIGN KEY (organisation_id, source_message_id) REFERENCES outreach.messages(organisation_id, id) ON DELETE SET NULL (source_message_id);


--
-- Name: suppressions suppressions_organisation_fkey; Type: FK CONSTRAINT; Schema: tracking; Owner: -
--

ALTER TABLE ONLY tracking.suppressions
    ADD CONSTRAINT suppressions_organisation_fkey FOREIGN KEY (organisation_id) REFERENCES iam.organisations(id) ON DELETE CASCADE;


--
-- PostgreSQL database dump complete
--


