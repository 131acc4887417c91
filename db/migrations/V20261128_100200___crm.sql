-- ProspectFlow schema 3/5: crm (companies, people, positions).

CREATE TABLE IF NOT EXISTS crm.companies (
    organisation_id uuid        NOT NULL,
    id              uuid        NOT NULL DEFAULT gen_random_uuid(),
    name            text        NOT NULL,
    siren           text,
    naf_code        text,
    pharow_id       text,
    domain          public.citext,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT companies_pkey PRIMARY KEY (organisation_id, id),
    CONSTRAINT companies_siren_key UNIQUE (organisation_id, siren),
    CONSTRAINT companies_pharow_id_key UNIQUE (organisation_id, pharow_id),
    CONSTRAINT companies_organisation_fkey FOREIGN KEY (organisation_id)
        REFERENCES iam.organisations (id) ON DELETE CASCADE,
    CONSTRAINT companies_name_not_blank CHECK (btrim(name) <> ''),
    -- SIREN: 9 digits with a valid Luhn check digit.
    CONSTRAINT companies_siren_format CHECK (public.pf_is_siren(siren)),
    -- NAF rev. 2 code as INSEE writes it: two digits, a dot, two digits, a letter.
    CONSTRAINT companies_naf_code_format CHECK (naf_code ~ '^[0-9]{2}\.[0-9]{2}[A-Z]$'),
    CONSTRAINT companies_domain_format CHECK (domain ~ '^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$')
);

CREATE TABLE IF NOT EXISTS crm.people (
    organisation_id uuid        NOT NULL,
    id              uuid        NOT NULL DEFAULT gen_random_uuid(),
    first_name      text        NOT NULL,
    last_name       text        NOT NULL,
    email           public.citext,
    timezone        text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT people_pkey PRIMARY KEY (organisation_id, id),
    CONSTRAINT people_email_key UNIQUE (organisation_id, email),
    CONSTRAINT people_organisation_fkey FOREIGN KEY (organisation_id)
        REFERENCES iam.organisations (id) ON DELETE CASCADE,
    CONSTRAINT people_name_not_blank CHECK (btrim(first_name) <> '' AND btrim(last_name) <> ''),
    CONSTRAINT people_email_format CHECK (public.pf_is_email(email)),
    CONSTRAINT people_timezone_iana CHECK (public.pf_is_iana_timezone(timezone))
);

CREATE TABLE IF NOT EXISTS crm.positions (
    organisation_id uuid        NOT NULL,
    id              uuid        NOT NULL DEFAULT gen_random_uuid(),
    person_id       uuid        NOT NULL,
    company_id      uuid        NOT NULL,
    title           text,
    email           public.citext,
    email_status    text        NOT NULL DEFAULT 'unknown',
    is_current      boolean     NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT positions_pkey PRIMARY KEY (organisation_id, id),
    -- Lets an enrollment's foreign key require that its position is its person's.
    CONSTRAINT positions_person_key UNIQUE (organisation_id, id, person_id),
    -- One mailbox is one position within an organisation, whatever its case.
    CONSTRAINT positions_email_key UNIQUE (organisation_id, email),
    CONSTRAINT positions_organisation_fkey FOREIGN KEY (organisation_id)
        REFERENCES iam.organisations (id) ON DELETE CASCADE,
    CONSTRAINT positions_person_fkey FOREIGN KEY (organisation_id, person_id)
        REFERENCES crm.people (organisation_id, id) ON DELETE CASCADE,
    CONSTRAINT positions_company_fkey FOREIGN KEY (organisation_id, company_id)
        REFERENCES crm.companies (organisation_id, id) ON DELETE CASCADE,
    CONSTRAINT positions_email_format CHECK (public.pf_is_email(email)),
    CONSTRAINT positions_email_status_check
        CHECK (email_status IN ('unknown', 'valid', 'risky', 'invalid', 'bounced'))
);

CREATE INDEX IF NOT EXISTS positions_person_idx ON crm.positions (organisation_id, person_id);
CREATE INDEX IF NOT EXISTS positions_company_idx ON crm.positions (organisation_id, company_id);

CREATE OR REPLACE TRIGGER companies_touch_updated_at BEFORE UPDATE ON crm.companies
    FOR EACH ROW EXECUTE FUNCTION public.pf_touch_updated_at();
CREATE OR REPLACE TRIGGER people_touch_updated_at BEFORE UPDATE ON crm.people
    FOR EACH ROW EXECUTE FUNCTION public.pf_touch_updated_at();
CREATE OR REPLACE TRIGGER positions_touch_updated_at BEFORE UPDATE ON crm.positions
    FOR EACH ROW EXECUTE FUNCTION public.pf_touch_updated_at();
