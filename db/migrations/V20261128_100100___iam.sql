-- ProspectFlow schema 2/5: iam (organisations, users, memberships).
-- iam.organisations and iam.users are the only tables not keyed by organisation.

CREATE TABLE IF NOT EXISTS iam.organisations (
    id          uuid        NOT NULL DEFAULT gen_random_uuid(),
    name        text        NOT NULL,
    slug        public.citext NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT organisations_pkey PRIMARY KEY (id),
    CONSTRAINT organisations_slug_key UNIQUE (slug),
    CONSTRAINT organisations_name_not_blank CHECK (btrim(name) <> ''),
    CONSTRAINT organisations_slug_format CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 63)
);

CREATE TABLE IF NOT EXISTS iam.users (
    id          uuid        NOT NULL DEFAULT gen_random_uuid(),
    email       public.citext NOT NULL,
    full_name   text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_pkey PRIMARY KEY (id),
    CONSTRAINT users_email_key UNIQUE (email),
    CONSTRAINT users_email_format CHECK (public.pf_is_email(email))
);

CREATE TABLE IF NOT EXISTS iam.organisation_users (
    organisation_id uuid        NOT NULL,
    id              uuid        NOT NULL DEFAULT gen_random_uuid(),
    user_id         uuid        NOT NULL,
    role            text        NOT NULL DEFAULT 'member',
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT organisation_users_pkey PRIMARY KEY (organisation_id, id),
    CONSTRAINT organisation_users_user_key UNIQUE (organisation_id, user_id),
    CONSTRAINT organisation_users_organisation_fkey FOREIGN KEY (organisation_id)
        REFERENCES iam.organisations (id) ON DELETE CASCADE,
    CONSTRAINT organisation_users_user_fkey FOREIGN KEY (user_id)
        REFERENCES iam.users (id) ON DELETE CASCADE,
    CONSTRAINT organisation_users_role_check CHECK (role IN ('owner', 'admin', 'member', 'viewer'))
);

CREATE OR REPLACE TRIGGER organisations_touch_updated_at BEFORE UPDATE ON iam.organisations
    FOR EACH ROW EXECUTE FUNCTION public.pf_touch_updated_at();
CREATE OR REPLACE TRIGGER users_touch_updated_at BEFORE UPDATE ON iam.users
    FOR EACH ROW EXECUTE FUNCTION public.pf_touch_updated_at();
CREATE OR REPLACE TRIGGER organisation_users_touch_updated_at BEFORE UPDATE ON iam.organisation_users
    FOR EACH ROW EXECUTE FUNCTION public.pf_touch_updated_at();
