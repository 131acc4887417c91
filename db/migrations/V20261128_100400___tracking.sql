-- ProspectFlow schema 5/5: tracking (open pixels and their counts).

CREATE TABLE IF NOT EXISTS tracking.pixels (
    organisation_id uuid        NOT NULL,
    id              uuid        NOT NULL DEFAULT gen_random_uuid(),
    message_id      uuid        NOT NULL,
    -- 192 random bits, URL-safe base64: unguessable, so a token proves nothing
    -- but that someone opened the mail that carried it.
    token           text        NOT NULL
        DEFAULT translate(encode(public.gen_random_bytes(24), 'base64'), '+/', '-_'),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT pixels_pkey PRIMARY KEY (organisation_id, id),
    CONSTRAINT pixels_message_key UNIQUE (organisation_id, message_id),
    CONSTRAINT pixels_organisation_fkey FOREIGN KEY (organisation_id)
        REFERENCES iam.organisations (id) ON DELETE CASCADE,
    CONSTRAINT pixels_message_fkey FOREIGN KEY (organisation_id, message_id)
        REFERENCES outreach.messages (organisation_id, id) ON DELETE CASCADE,
    CONSTRAINT pixels_token_format CHECK (token ~ '^[A-Za-z0-9_-]{32,128}$')
);
-- The tracking listener gets only the token from the URL, so this lookup is
-- global (the second documented exception to organisation-first indexes).
CREATE UNIQUE INDEX IF NOT EXISTS pixels_token_key ON tracking.pixels (token);

CREATE TABLE IF NOT EXISTS tracking.message_open_stats (
    organisation_id uuid        NOT NULL,
    message_id      uuid        NOT NULL,
    open_count      integer     NOT NULL DEFAULT 0,
    first_opened_at timestamptz,
    last_opened_at  timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT message_open_stats_pkey PRIMARY KEY (organisation_id, message_id),
    CONSTRAINT message_open_stats_organisation_fkey FOREIGN KEY (organisation_id)
        REFERENCES iam.organisations (id) ON DELETE CASCADE,
    CONSTRAINT message_open_stats_message_fkey FOREIGN KEY (organisation_id, message_id)
        REFERENCES outreach.messages (organisation_id, id) ON DELETE CASCADE,
    CONSTRAINT message_open_stats_count_non_negative CHECK (open_count >= 0),
    CONSTRAINT message_open_stats_times_match_count CHECK (
        (open_count = 0) = (first_opened_at IS NULL AND last_opened_at IS NULL)),
    CONSTRAINT message_open_stats_time_order CHECK (first_opened_at <= last_opened_at)
);

CREATE OR REPLACE TRIGGER pixels_touch_updated_at BEFORE UPDATE ON tracking.pixels
    FOR EACH ROW EXECUTE FUNCTION public.pf_touch_updated_at();
CREATE OR REPLACE TRIGGER message_open_stats_touch_updated_at BEFORE UPDATE ON tracking.message_open_stats
    FOR EACH ROW EXECUTE FUNCTION public.pf_touch_updated_at();
