-- The sequencing calendar (issue 14): delays in units, holiday calendars,
-- custom days off, and the prospect's country.
--
-- Steps. A step without a delay_unit keeps delay_seconds, exactly as
-- before, so every existing row means what it meant. With a unit, the delay
-- is delay_amount of it (delay_seconds is then not read):
--   minutes, hours   elapsed time;
--   calendar_days    the same local wall-clock time N local days later;
--   business_days    the same local time on the Nth sending day after
--                    (campaign send_days, minus the prospect's holidays).
-- The daemon counts business days one by one, hence the bound.
ALTER TABLE outreach.workflow_steps
    ADD COLUMN IF NOT EXISTS delay_unit text
        CONSTRAINT workflow_steps_delay_unit_check
        CHECK (delay_unit IN ('minutes', 'hours', 'calendar_days', 'business_days'));
ALTER TABLE outreach.workflow_steps
    ADD COLUMN IF NOT EXISTS delay_amount integer
        CONSTRAINT workflow_steps_delay_amount_non_negative CHECK (delay_amount >= 0);
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_constraint
                   WHERE conname = 'workflow_steps_delay_amount_with_unit'
                     AND conrelid = 'outreach.workflow_steps'::regclass) THEN
        -- An amount means nothing without its unit, and a unit needs an amount.
        ALTER TABLE outreach.workflow_steps ADD CONSTRAINT workflow_steps_delay_amount_with_unit
            CHECK ((delay_unit IS NULL) = (delay_amount IS NULL));
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_constraint
                   WHERE conname = 'workflow_steps_business_days_bound'
                     AND conrelid = 'outreach.workflow_steps'::regclass) THEN
        ALTER TABLE outreach.workflow_steps ADD CONSTRAINT workflow_steps_business_days_bound
            CHECK (delay_unit IS DISTINCT FROM 'business_days' OR delay_amount <= 1000);
    END IF;
END;
$$;

-- Campaigns name the public holidays their prospects keep (computed by the
-- daemon: scheduler/holiday_calendar), default none. With
-- holiday_calendar_from_country, a prospect whose country (person's, else
-- company's) is known and is not the calendar's own gets that country's
-- calendar instead (none for a country the daemon has no calendar of).
ALTER TABLE outreach.campaigns
    ADD COLUMN IF NOT EXISTS holiday_calendar text NOT NULL DEFAULT 'none'
        CONSTRAINT campaigns_holiday_calendar_check
        CHECK (holiday_calendar IN ('none', 'fr', 'fr-alsace-moselle', 'fr-guadeloupe',
                                    'fr-martinique', 'fr-guyane', 'fr-reunion', 'fr-mayotte'));
ALTER TABLE outreach.campaigns
    ADD COLUMN IF NOT EXISTS holiday_calendar_from_country boolean NOT NULL DEFAULT false;

-- Where a prospect or company is: ISO 3166-1 alpha-2, upper case (FR, GP,
-- RE, ...); NULL when unknown.
ALTER TABLE crm.companies
    ADD COLUMN IF NOT EXISTS country text
        CONSTRAINT companies_country_iso CHECK (country ~ '^[A-Z]{2}$');
ALTER TABLE crm.people
    ADD COLUMN IF NOT EXISTS country text
        CONSTRAINT people_country_iso CHECK (country ~ '^[A-Z]{2}$');

-- An organisation's own days off (campaign_id NULL: all its campaigns), or
-- one campaign's: no step of those campaigns goes on that day, in the
-- prospect's zone, on top of the calendar's holidays.
CREATE TABLE IF NOT EXISTS outreach.holidays (
    organisation_id uuid        NOT NULL,
    id              uuid        NOT NULL DEFAULT gen_random_uuid(),
    campaign_id     uuid,
    day             date        NOT NULL,
    name            text        NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT holidays_pkey PRIMARY KEY (organisation_id, id),
    -- One row per day and scope; NULLS NOT DISTINCT so the organisation-wide
    -- day is unique too. Also the claim's lookup (organisation, campaign, day).
    CONSTRAINT holidays_day_key UNIQUE NULLS NOT DISTINCT (organisation_id, campaign_id, day),
    CONSTRAINT holidays_organisation_fkey FOREIGN KEY (organisation_id)
        REFERENCES iam.organisations (id) ON DELETE CASCADE,
    CONSTRAINT holidays_campaign_fkey FOREIGN KEY (organisation_id, campaign_id)
        REFERENCES outreach.campaigns (organisation_id, id) ON DELETE CASCADE,
    CONSTRAINT holidays_name_not_blank CHECK (btrim(name) <> '')
);
CREATE OR REPLACE TRIGGER holidays_touch_updated_at BEFORE UPDATE ON outreach.holidays
    FOR EACH ROW EXECUTE FUNCTION public.pf_touch_updated_at();
