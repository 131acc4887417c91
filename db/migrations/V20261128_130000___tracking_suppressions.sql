-- Addresses an organisation must never email again: a one-click
-- unsubscribe, a hard bounce, or the app's own list. The engine checks it
-- before every send (the claim reads it); the tracking listener writes it.
CREATE TABLE IF NOT EXISTS tracking.suppressions (
    organisation_id   uuid          NOT NULL,
    email             public.citext NOT NULL,
    reason            text          NOT NULL,
    source_message_id uuid,
    created_at        timestamptz   NOT NULL DEFAULT now(),
    updated_at        timestamptz   NOT NULL DEFAULT now(),
    CONSTRAINT suppressions_pkey PRIMARY KEY (organisation_id, email),
    CONSTRAINT suppressions_organisation_fkey FOREIGN KEY (organisation_id)
        REFERENCES iam.organisations (id) ON DELETE CASCADE,
    CONSTRAINT suppressions_message_fkey FOREIGN KEY (organisation_id, source_message_id)
        REFERENCES outreach.messages (organisation_id, id) ON DELETE SET NULL (source_message_id),
    CONSTRAINT suppressions_reason_check CHECK (reason IN ('unsubscribed', 'bounced', 'manual')),
    CONSTRAINT suppressions_email_format CHECK (public.pf_is_email(email::text))
);
CREATE INDEX IF NOT EXISTS suppressions_message_idx
    ON tracking.suppressions (organisation_id, source_message_id);
CREATE OR REPLACE TRIGGER suppressions_touch_updated_at BEFORE UPDATE ON tracking.suppressions
    FOR EACH ROW EXECUTE FUNCTION public.pf_touch_updated_at();

-- Replies and bounces arrive with the Message-ID we gave the email and no
-- organisation: the tracking listener finds the message by it alone. A
-- documented exception to organisation-first indexes, like the token's.
CREATE INDEX IF NOT EXISTS messages_rfc_lookup_idx ON outreach.messages (rfc_message_id);
