-- Inbound mail: each mailbox with an imap_url is read over IMAP by one
-- daemon at a time (a lease, like tasks) for replies, bounces and automatic
-- replies to our emails. Per folder, the UIDVALIDITY and the last UID seen
-- are kept here and moved in the same transaction as what the messages did,
-- so a daemon that dies mid-batch reprocesses nothing; a message recorded
-- once (per mailbox and Message-ID) is never recorded again, whatever folder
-- or rescan shows it a second time. Unrelated mail leaves only the cursor.

-- Campaign options.
ALTER TABLE outreach.campaigns
    -- An out-of-office with a return date holds the next step until that
    -- date plus these days.
    ADD COLUMN IF NOT EXISTS ooo_resume_delay_days integer NOT NULL DEFAULT 1,
    -- A reply from one person ends the other enrollments of the same
    -- crm.companies row in this campaign.
    ADD COLUMN IF NOT EXISTS stop_on_company_reply boolean NOT NULL DEFAULT false,
    -- Why the campaign has its status when the daemon set it (bounce
    -- protection); NULL for an operator's or the app's change.
    ADD COLUMN IF NOT EXISTS status_reason text;
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'campaigns_ooo_resume_delay_range') THEN
        ALTER TABLE outreach.campaigns ADD CONSTRAINT campaigns_ooo_resume_delay_range
            CHECK (ooo_resume_delay_days BETWEEN 0 AND 60);
    END IF;
END $$;

-- Mailboxes: whether the reader reads this one (with an imap_url).
ALTER TABLE outreach.mailboxes ADD COLUMN IF NOT EXISTS inbound_enabled boolean NOT NULL DEFAULT true;

-- One row per mailbox the reader has seen: its lease and what an operator
-- needs to know (control port, metrics).
CREATE TABLE IF NOT EXISTS outreach.mailbox_inbound (
    organisation_id uuid        NOT NULL,
    mailbox_id      uuid        NOT NULL,
    -- The instance reading it (outreach.instances.id, a plain copy as in
    -- tasks.locked_by) until locked_until; renewed with each heartbeat.
    locked_by       text,
    locked_until    timestamptz,
    mode            text        NOT NULL DEFAULT 'stopped',
    last_poll_at    timestamptz,
    last_success_at timestamptz,
    last_error      text,
    last_error_at   timestamptz,
    -- Failed logins or connections in a row (reset by a good poll).
    consecutive_failures integer NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT mailbox_inbound_pkey PRIMARY KEY (organisation_id, mailbox_id),
    CONSTRAINT mailbox_inbound_organisation_fkey FOREIGN KEY (organisation_id)
        REFERENCES iam.organisations (id) ON DELETE CASCADE,
    CONSTRAINT mailbox_inbound_mailbox_fkey FOREIGN KEY (organisation_id, mailbox_id)
        REFERENCES outreach.mailboxes (organisation_id, id) ON DELETE CASCADE,
    CONSTRAINT mailbox_inbound_mode_check CHECK (mode IN ('stopped', 'connecting', 'idle', 'polling', 'error')),
    CONSTRAINT mailbox_inbound_lease_complete CHECK ((locked_by IS NULL) = (locked_until IS NULL)),
    CONSTRAINT mailbox_inbound_failures_non_negative CHECK (consecutive_failures >= 0)
);
CREATE OR REPLACE TRIGGER mailbox_inbound_touch_updated_at BEFORE UPDATE ON outreach.mailbox_inbound
    FOR EACH ROW EXECUTE FUNCTION public.pf_touch_updated_at();

-- Per (mailbox, folder): where reading goes on.
CREATE TABLE IF NOT EXISTS outreach.mailbox_folder_cursors (
    organisation_id uuid        NOT NULL,
    mailbox_id      uuid        NOT NULL,
    folder          text        NOT NULL,
    uidvalidity     bigint      NOT NULL,
    last_uid        bigint      NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT mailbox_folder_cursors_pkey PRIMARY KEY (organisation_id, mailbox_id, folder),
    CONSTRAINT mailbox_folder_cursors_organisation_fkey FOREIGN KEY (organisation_id)
        REFERENCES iam.organisations (id) ON DELETE CASCADE,
    CONSTRAINT mailbox_folder_cursors_mailbox_fkey FOREIGN KEY (organisation_id, mailbox_id)
        REFERENCES outreach.mailboxes (organisation_id, id) ON DELETE CASCADE,
    CONSTRAINT mailbox_folder_cursors_folder_not_blank CHECK (btrim(folder) <> ''),
    CONSTRAINT mailbox_folder_cursors_uid_range CHECK (
        uidvalidity BETWEEN 1 AND 4294967295 AND last_uid BETWEEN 0 AND 4294967295)
);
CREATE OR REPLACE TRIGGER mailbox_folder_cursors_touch_updated_at BEFORE UPDATE ON outreach.mailbox_folder_cursors
    FOR EACH ROW EXECUTE FUNCTION public.pf_touch_updated_at();

-- What each recorded inbound message was and did. A reply is also an
-- inbound outreach.messages row (which ends its enrollment, as the webhook's).
CREATE TABLE IF NOT EXISTS outreach.inbound_events (
    organisation_id uuid          NOT NULL,
    id              uuid          NOT NULL DEFAULT gen_random_uuid(),
    mailbox_id      uuid,
    folder          text,
    uid             bigint,
    -- The inbound message's own Message-ID (without <>), or for one without
    -- any, "sha256:" and the digest of its bytes: the key that makes a
    -- second sighting a no-op.
    rfc_message_id  text          NOT NULL,
    kind            text          NOT NULL,
    -- Our outbound message it concerns, and that message's enrollment.
    message_id      uuid          NOT NULL,
    enrollment_id   uuid          NOT NULL,
    campaign_id     uuid          NOT NULL,
    from_email      text,
    subject         text,
    status          text,         -- bounces: the DSN status
    diagnostic      text,
    return_date     date,         -- out-of-office: the date the text gives
    reason          text,
    received_at     timestamptz   NOT NULL,
    created_at      timestamptz   NOT NULL DEFAULT now(),
    updated_at      timestamptz   NOT NULL DEFAULT now(),
    CONSTRAINT inbound_events_pkey PRIMARY KEY (organisation_id, id),
    CONSTRAINT inbound_events_organisation_fkey FOREIGN KEY (organisation_id)
        REFERENCES iam.organisations (id) ON DELETE CASCADE,
    CONSTRAINT inbound_events_message_fkey FOREIGN KEY (organisation_id, message_id)
        REFERENCES outreach.messages (organisation_id, id) ON DELETE CASCADE,
    CONSTRAINT inbound_events_mailbox_fkey FOREIGN KEY (organisation_id, mailbox_id)
        REFERENCES outreach.mailboxes (organisation_id, id) ON DELETE SET NULL (mailbox_id),
    CONSTRAINT inbound_events_kind_check CHECK (kind IN ('reply', 'hard_bounce', 'soft_bounce', 'auto_reply')),
    CONSTRAINT inbound_events_rfc_message_id_not_blank CHECK (btrim(rfc_message_id) <> '')
);
-- Once per mailbox and Message-ID (INBOX and a Gmail label folder, a rescan
-- after a UIDVALIDITY change). NULLS NOT DISTINCT is PostgreSQL 15; the
-- webhook's events have no mailbox, and dedupe on outreach.messages.
CREATE UNIQUE INDEX IF NOT EXISTS inbound_events_once
    ON outreach.inbound_events (organisation_id, mailbox_id, rfc_message_id) WHERE mailbox_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS inbound_events_message_idx
    ON outreach.inbound_events (organisation_id, message_id);
CREATE INDEX IF NOT EXISTS inbound_events_campaign_idx
    ON outreach.inbound_events (organisation_id, campaign_id, kind, received_at);
CREATE OR REPLACE TRIGGER inbound_events_touch_updated_at BEFORE UPDATE ON outreach.inbound_events
    FOR EACH ROW EXECUTE FUNCTION public.pf_touch_updated_at();

-- "From is a recent recipient of that mailbox": the reply without threading
-- headers (Outlook) and the bounce that names only the address.
CREATE INDEX IF NOT EXISTS messages_mailbox_recipient_idx
    ON outreach.messages (organisation_id, mailbox_id, to_email, sent_at)
    WHERE direction = 'outbound' AND mailbox_id IS NOT NULL;
-- Bounce protection counts a campaign's last sends.
CREATE INDEX IF NOT EXISTS messages_campaign_sent_idx
    ON outreach.messages (organisation_id, campaign_id, sent_at)
    WHERE direction = 'outbound' AND sent_at IS NOT NULL;
