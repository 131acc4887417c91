-- Sender mailboxes: pools of sending accounts, each with its own credentials,
-- daily limit, ramp-up and pacing, shared by every campaign that uses it.
--
-- A campaign without mailboxes keeps sending as before (campaigns.from_email
-- through the configured adapter). A campaign with a pool gives each
-- enrollment one mailbox at its first send (campaign_enrollments.mailbox_id)
-- and keeps it: follow-ups go from the mailbox that sent step 1.

CREATE TABLE IF NOT EXISTS outreach.mailboxes (
    organisation_id    uuid          NOT NULL,
    id                 uuid          NOT NULL DEFAULT gen_random_uuid(),
    email              public.citext NOT NULL,
    display_name       text,
    status             text          NOT NULL DEFAULT 'active',
    status_reason      text,
    status_changed_at  timestamptz,
    timezone           text          NOT NULL DEFAULT 'Europe/Paris',
    daily_limit        integer       NOT NULL DEFAULT 30,
    min_gap_seconds    integer       NOT NULL DEFAULT 60,
    max_jitter_seconds integer       NOT NULL DEFAULT 120,
    -- Ramp-up: on ramp_start_date the mailbox may send ramp_initial, then
    -- ramp_step_per_day more each local day, until daily_limit.
    ramp_start_date    date,
    ramp_initial       integer,
    ramp_step_per_day  integer       NOT NULL DEFAULT 0,
    smtp_url           text,
    smtp_security      text          NOT NULL DEFAULT 'starttls',
    smtp_username      text,
    auth_kind          text          NOT NULL DEFAULT 'password',
    -- The password (auth_kind password) or OAuth refresh token (xoauth2),
    -- AES-256-GCM under the daemon's mailbox key: `prospectflowd mailbox
    -- encrypt` makes it. Never logged, dumped or answered.
    secret             text,
    -- xoauth2: the token endpoint and client; NULL takes the daemon's
    -- [mailboxes] oauth_token_url / oauth_client_id.
    oauth_token_url    text,
    oauth_client_id    text,
    -- For the inbound (IMAP) reader.
    imap_url           text,
    imap_security      text          NOT NULL DEFAULT 'tls',
    imap_username      text,
    imap_folders       text[]        NOT NULL DEFAULT '{INBOX}',
    -- Connection failures in a row; at the daemon's threshold the mailbox
    -- turns 'error'. A success sets it back to 0.
    consecutive_failures integer     NOT NULL DEFAULT 0,
    created_at         timestamptz   NOT NULL DEFAULT now(),
    updated_at         timestamptz   NOT NULL DEFAULT now(),
    CONSTRAINT mailboxes_pkey PRIMARY KEY (organisation_id, id),
    CONSTRAINT mailboxes_email_unique UNIQUE (organisation_id, email),
    CONSTRAINT mailboxes_organisation_fkey FOREIGN KEY (organisation_id)
        REFERENCES iam.organisations (id) ON DELETE CASCADE,
    CONSTRAINT mailboxes_email_format CHECK (public.pf_is_email(email::text)),
    CONSTRAINT mailboxes_status_check CHECK (status IN ('active', 'paused', 'error')),
    CONSTRAINT mailboxes_timezone_iana CHECK (public.pf_is_iana_timezone(timezone)),
    CONSTRAINT mailboxes_daily_limit_range CHECK (daily_limit BETWEEN 0 AND 100000),
    CONSTRAINT mailboxes_min_gap_range CHECK (min_gap_seconds BETWEEN 0 AND 86400),
    CONSTRAINT mailboxes_max_jitter_range CHECK (max_jitter_seconds BETWEEN 0 AND 86400),
    CONSTRAINT mailboxes_ramp_complete CHECK (
        (ramp_start_date IS NULL) = (ramp_initial IS NULL)),
    CONSTRAINT mailboxes_ramp_range CHECK (
        (ramp_initial IS NULL OR ramp_initial >= 0) AND ramp_step_per_day >= 0),
    CONSTRAINT mailboxes_smtp_url_scheme CHECK (
        smtp_url IS NULL OR smtp_url ~ '^smtps?://[^/\s]+(:[0-9]+)?/?$'),
    CONSTRAINT mailboxes_smtp_security_check CHECK (smtp_security IN ('tls', 'starttls', 'none')),
    CONSTRAINT mailboxes_auth_kind_check CHECK (auth_kind IN ('password', 'xoauth2')),
    CONSTRAINT mailboxes_imap_url_scheme CHECK (
        imap_url IS NULL OR imap_url ~ '^imaps?://[^/\s]+(:[0-9]+)?/?$'),
    CONSTRAINT mailboxes_imap_security_check CHECK (imap_security IN ('tls', 'starttls', 'none')),
    CONSTRAINT mailboxes_consecutive_failures_non_negative CHECK (consecutive_failures >= 0)
);

CREATE OR REPLACE TRIGGER mailboxes_touch_updated_at BEFORE UPDATE ON outreach.mailboxes
    FOR EACH ROW EXECUTE FUNCTION public.pf_touch_updated_at();

-- A campaign's pool. Weight breaks ties between mailboxes with the same room.
CREATE TABLE IF NOT EXISTS outreach.campaign_mailboxes (
    organisation_id uuid        NOT NULL,
    campaign_id     uuid        NOT NULL,
    mailbox_id      uuid        NOT NULL,
    weight          integer     NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT campaign_mailboxes_pkey PRIMARY KEY (organisation_id, campaign_id, mailbox_id),
    CONSTRAINT campaign_mailboxes_organisation_fkey FOREIGN KEY (organisation_id)
        REFERENCES iam.organisations (id) ON DELETE CASCADE,
    CONSTRAINT campaign_mailboxes_campaign_fkey FOREIGN KEY (organisation_id, campaign_id)
        REFERENCES outreach.campaigns (organisation_id, id) ON DELETE CASCADE,
    CONSTRAINT campaign_mailboxes_mailbox_fkey FOREIGN KEY (organisation_id, mailbox_id)
        REFERENCES outreach.mailboxes (organisation_id, id) ON DELETE CASCADE,
    CONSTRAINT campaign_mailboxes_weight_positive CHECK (weight BETWEEN 1 AND 1000)
);
CREATE INDEX IF NOT EXISTS campaign_mailboxes_mailbox_idx
    ON outreach.campaign_mailboxes (organisation_id, mailbox_id);

CREATE OR REPLACE TRIGGER campaign_mailboxes_touch_updated_at BEFORE UPDATE ON outreach.campaign_mailboxes
    FOR EACH ROW EXECUTE FUNCTION public.pf_touch_updated_at();

-- The enrollment's sender, fixed at its first send.
ALTER TABLE outreach.campaign_enrollments ADD COLUMN IF NOT EXISTS mailbox_id uuid;
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'campaign_enrollments_mailbox_fkey') THEN
        ALTER TABLE outreach.campaign_enrollments
            ADD CONSTRAINT campaign_enrollments_mailbox_fkey FOREIGN KEY (organisation_id, mailbox_id)
            REFERENCES outreach.mailboxes (organisation_id, id);
    END IF;
END $$;
CREATE INDEX IF NOT EXISTS campaign_enrollments_mailbox_idx
    ON outreach.campaign_enrollments (organisation_id, mailbox_id) WHERE mailbox_id IS NOT NULL;

-- Sends reserved per mailbox and mailbox-local day, across every campaign
-- and daemon, reserved before hand-over like campaign_daily_sends.
CREATE TABLE IF NOT EXISTS outreach.mailbox_daily_sends (
    organisation_id uuid        NOT NULL,
    mailbox_id      uuid        NOT NULL,
    local_day       date        NOT NULL,
    reserved        integer     NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT mailbox_daily_sends_pkey PRIMARY KEY (organisation_id, mailbox_id, local_day),
    CONSTRAINT mailbox_daily_sends_organisation_fkey FOREIGN KEY (organisation_id)
        REFERENCES iam.organisations (id) ON DELETE CASCADE,
    CONSTRAINT mailbox_daily_sends_mailbox_fkey FOREIGN KEY (organisation_id, mailbox_id)
        REFERENCES outreach.mailboxes (organisation_id, id) ON DELETE CASCADE,
    CONSTRAINT mailbox_daily_sends_reserved_non_negative CHECK (reserved >= 0)
);

CREATE OR REPLACE TRIGGER mailbox_daily_sends_touch_updated_at BEFORE UPDATE ON outreach.mailbox_daily_sends
    FOR EACH ROW EXECUTE FUNCTION public.pf_touch_updated_at();

-- How many enrollments a campaign starts per campaign-local day (NULL: no cap).
ALTER TABLE outreach.campaigns ADD COLUMN IF NOT EXISTS max_new_per_day integer;
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'campaigns_max_new_per_day_range') THEN
        ALTER TABLE outreach.campaigns ADD CONSTRAINT campaigns_max_new_per_day_range
            CHECK (max_new_per_day IS NULL OR max_new_per_day BETWEEN 0 AND 1000000);
    END IF;
END $$;
ALTER TABLE outreach.campaign_daily_sends ADD COLUMN IF NOT EXISTS started integer NOT NULL DEFAULT 0;
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'campaign_daily_sends_started_non_negative') THEN
        ALTER TABLE outreach.campaign_daily_sends ADD CONSTRAINT campaign_daily_sends_started_non_negative
            CHECK (started >= 0);
    END IF;
END $$;

-- Which mailbox sent an outbound message (NULL: the campaign's from_email
-- through the configured adapter), for per-mailbox counts and the inbound reader.
ALTER TABLE outreach.messages ADD COLUMN IF NOT EXISTS mailbox_id uuid;
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'messages_mailbox_fkey') THEN
        ALTER TABLE outreach.messages
            ADD CONSTRAINT messages_mailbox_fkey FOREIGN KEY (organisation_id, mailbox_id)
            REFERENCES outreach.mailboxes (organisation_id, id);
    END IF;
END $$;
CREATE INDEX IF NOT EXISTS messages_mailbox_sent_idx
    ON outreach.messages (organisation_id, mailbox_id, sent_at) WHERE mailbox_id IS NOT NULL;
