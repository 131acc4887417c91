-- ProspectFlow schema 4/5: outreach (campaigns, steps, prompts, A/B experiments,
-- enrollments, messages and the daemon's task queue).
--
-- Composite foreign keys such as (organisation_id, campaign_id, step_id) make a
-- row point at a step of ITS campaign in ITS organisation, not just at some step.

CREATE TABLE IF NOT EXISTS outreach.campaigns (
    organisation_id   uuid        NOT NULL,
    id                uuid        NOT NULL DEFAULT gen_random_uuid(),
    name              text        NOT NULL,
    status            text        NOT NULL DEFAULT 'draft',
    timezone          text        NOT NULL DEFAULT 'Europe/Paris',
    send_window_start time        NOT NULL DEFAULT '09:00',
    send_window_end   time        NOT NULL DEFAULT '18:00',
    send_days         smallint[]  NOT NULL DEFAULT '{1,2,3,4,5}',
    daily_send_limit  integer     NOT NULL DEFAULT 100,
    from_email        public.citext NOT NULL,
    from_name         text,
    reply_to          public.citext,
    track_opens       boolean     NOT NULL DEFAULT true,
    send_adapter      text,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT campaigns_pkey PRIMARY KEY (organisation_id, id),
    CONSTRAINT campaigns_organisation_fkey FOREIGN KEY (organisation_id)
        REFERENCES iam.organisations (id) ON DELETE CASCADE,
    CONSTRAINT campaigns_name_not_blank CHECK (btrim(name) <> ''),
    CONSTRAINT campaigns_status_check
        CHECK (status IN ('draft', 'active', 'paused', 'completed', 'archived')),
    CONSTRAINT campaigns_timezone_iana CHECK (public.pf_is_iana_timezone(timezone)),
    -- A window is a span within one local day; the daemon never sends outside it.
    CONSTRAINT campaigns_send_window_order CHECK (send_window_start < send_window_end),
    -- ISO weekdays, 1 = Monday .. 7 = Sunday, at least one.
    CONSTRAINT campaigns_send_days_iso CHECK (
        cardinality(send_days) BETWEEN 1 AND 7
        AND array_ndims(send_days) = 1
        AND array_position(send_days, NULL) IS NULL
        AND send_days <@ '{1,2,3,4,5,6,7}'::smallint[]),
    CONSTRAINT campaigns_daily_send_limit_range CHECK (daily_send_limit BETWEEN 1 AND 1000000),
    CONSTRAINT campaigns_from_email_format CHECK (public.pf_is_email(from_email)),
    CONSTRAINT campaigns_reply_to_format CHECK (public.pf_is_email(reply_to)),
    -- NULL: the daemon's configured default adapter.
    CONSTRAINT campaigns_send_adapter_check CHECK (send_adapter IN ('smtp', 'http', 'file', 'log'))
);
CREATE INDEX IF NOT EXISTS campaigns_status_idx ON outreach.campaigns (organisation_id, status);

CREATE TABLE IF NOT EXISTS outreach.prompts (
    organisation_id  uuid        NOT NULL,
    id               uuid        NOT NULL DEFAULT gen_random_uuid(),
    name             text        NOT NULL,
    version          integer     NOT NULL DEFAULT 1,
    generator        text        NOT NULL DEFAULT 'template',
    subject_template text        NOT NULL,
    body_template    text        NOT NULL,
    system_prompt    text,
    model            text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT prompts_pkey PRIMARY KEY (organisation_id, id),
    CONSTRAINT prompts_name_version_key UNIQUE (organisation_id, name, version),
    CONSTRAINT prompts_organisation_fkey FOREIGN KEY (organisation_id)
        REFERENCES iam.organisations (id) ON DELETE CASCADE,
    CONSTRAINT prompts_name_not_blank CHECK (btrim(name) <> ''),
    CONSTRAINT prompts_version_positive CHECK (version > 0),
    CONSTRAINT prompts_generator_check CHECK (generator IN ('template', 'openai')),
    CONSTRAINT prompts_openai_needs_model CHECK (generator <> 'openai' OR model IS NOT NULL)
);

CREATE TABLE IF NOT EXISTS outreach.workflow_steps (
    organisation_id      uuid        NOT NULL,
    id                   uuid        NOT NULL DEFAULT gen_random_uuid(),
    campaign_id          uuid        NOT NULL,
    step_order           integer     NOT NULL,
    delay_seconds        integer     NOT NULL DEFAULT 0,
    prompt_id            uuid        NOT NULL,
    condition            text        NOT NULL DEFAULT 'always',
    -- Follow-up in the same thread: In-Reply-To/References and a "Re:" subject.
    thread_with_previous boolean     NOT NULL DEFAULT true,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT workflow_steps_pkey PRIMARY KEY (organisation_id, id),
    CONSTRAINT workflow_steps_order_key UNIQUE (organisation_id, campaign_id, step_order),
    CONSTRAINT workflow_steps_campaign_key UNIQUE (organisation_id, campaign_id, id),
    CONSTRAINT workflow_steps_organisation_fkey FOREIGN KEY (organisation_id)
        REFERENCES iam.organisations (id) ON DELETE CASCADE,
    CONSTRAINT workflow_steps_campaign_fkey FOREIGN KEY (organisation_id, campaign_id)
        REFERENCES outreach.campaigns (organisation_id, id) ON DELETE CASCADE,
    CONSTRAINT workflow_steps_prompt_fkey FOREIGN KEY (organisation_id, prompt_id)
        REFERENCES outreach.prompts (organisation_id, id),
    CONSTRAINT workflow_steps_step_order_positive CHECK (step_order > 0),
    CONSTRAINT workflow_steps_delay_non_negative CHECK (delay_seconds >= 0),
    CONSTRAINT workflow_steps_condition_check
        CHECK (condition IN ('always', 'no_reply', 'not_opened', 'opened'))
);
CREATE INDEX IF NOT EXISTS workflow_steps_prompt_idx ON outreach.workflow_steps (organisation_id, prompt_id);

CREATE TABLE IF NOT EXISTS outreach.step_experiments (
    organisation_id   uuid        NOT NULL,
    id                uuid        NOT NULL DEFAULT gen_random_uuid(),
    step_id           uuid        NOT NULL,
    name              text,
    status            text        NOT NULL DEFAULT 'running',
    winner_variant_id uuid,
    concluded_at      timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT step_experiments_pkey PRIMARY KEY (organisation_id, id),
    CONSTRAINT step_experiments_step_key UNIQUE (organisation_id, step_id, id),
    CONSTRAINT step_experiments_organisation_fkey FOREIGN KEY (organisation_id)
        REFERENCES iam.organisations (id) ON DELETE CASCADE,
    CONSTRAINT step_experiments_step_fkey FOREIGN KEY (organisation_id, step_id)
        REFERENCES outreach.workflow_steps (organisation_id, id) ON DELETE CASCADE,
    CONSTRAINT step_experiments_status_check CHECK (status IN ('running', 'stopped', 'completed')),
    -- Only a concluded experiment names a winner.
    CONSTRAINT step_experiments_winner_when_completed
        CHECK (winner_variant_id IS NULL OR status = 'completed')
);
-- At most one running experiment per step: the daemon must know which one applies.
CREATE UNIQUE INDEX IF NOT EXISTS step_experiments_one_running_per_step
    ON outreach.step_experiments (organisation_id, step_id) WHERE status = 'running';

CREATE TABLE IF NOT EXISTS outreach.step_experiment_variants (
    organisation_id uuid        NOT NULL,
    id              uuid        NOT NULL DEFAULT gen_random_uuid(),
    experiment_id   uuid        NOT NULL,
    label           text        NOT NULL,
    weight          integer     NOT NULL DEFAULT 1,
    prompt_id       uuid        NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT step_experiment_variants_pkey PRIMARY KEY (organisation_id, id),
    CONSTRAINT step_experiment_variants_label_key UNIQUE (organisation_id, experiment_id, label),
    CONSTRAINT step_experiment_variants_experiment_key UNIQUE (organisation_id, experiment_id, id),
    CONSTRAINT step_experiment_variants_organisation_fkey FOREIGN KEY (organisation_id)
        REFERENCES iam.organisations (id) ON DELETE CASCADE,
    CONSTRAINT step_experiment_variants_experiment_fkey FOREIGN KEY (organisation_id, experiment_id)
        REFERENCES outreach.step_experiments (organisation_id, id) ON DELETE CASCADE,
    CONSTRAINT step_experiment_variants_prompt_fkey FOREIGN KEY (organisation_id, prompt_id)
        REFERENCES outreach.prompts (organisation_id, id),
    CONSTRAINT step_experiment_variants_label_format CHECK (label ~ '^[A-Z][A-Z0-9]{0,7}$'),
    CONSTRAINT step_experiment_variants_weight_positive CHECK (weight > 0)
);
CREATE INDEX IF NOT EXISTS step_experiment_variants_prompt_idx
    ON outreach.step_experiment_variants (organisation_id, prompt_id);

-- The winner must be a variant of the same experiment. Added after both tables
-- exist; the DO block keeps this migration re-runnable.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_constraint
                   WHERE conname = 'step_experiments_winner_fkey'
                     AND conrelid = 'outreach.step_experiments'::regclass) THEN
        ALTER TABLE outreach.step_experiments
            ADD CONSTRAINT step_experiments_winner_fkey
            FOREIGN KEY (organisation_id, id, winner_variant_id)
            REFERENCES outreach.step_experiment_variants (organisation_id, experiment_id, id);
    END IF;
END;
$$;

CREATE TABLE IF NOT EXISTS outreach.campaign_enrollments (
    organisation_id    uuid        NOT NULL,
    id                 uuid        NOT NULL DEFAULT gen_random_uuid(),
    campaign_id        uuid        NOT NULL,
    person_id          uuid        NOT NULL,
    position_id        uuid,
    status             text        NOT NULL DEFAULT 'active',
    current_step_order integer     NOT NULL DEFAULT 0,
    next_run_at        timestamptz,
    last_error         text,
    finished_at        timestamptz,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT campaign_enrollments_pkey PRIMARY KEY (organisation_id, id),
    CONSTRAINT campaign_enrollments_person_key UNIQUE (organisation_id, campaign_id, person_id),
    CONSTRAINT campaign_enrollments_campaign_key UNIQUE (organisation_id, campaign_id, id),
    CONSTRAINT campaign_enrollments_organisation_fkey FOREIGN KEY (organisation_id)
        REFERENCES iam.organisations (id) ON DELETE CASCADE,
    CONSTRAINT campaign_enrollments_campaign_fkey FOREIGN KEY (organisation_id, campaign_id)
        REFERENCES outreach.campaigns (organisation_id, id) ON DELETE CASCADE,
    CONSTRAINT campaign_enrollments_person_fkey FOREIGN KEY (organisation_id, person_id)
        REFERENCES crm.people (organisation_id, id) ON DELETE CASCADE,
    -- The position, when given, is one of this person's positions.
    CONSTRAINT campaign_enrollments_position_fkey FOREIGN KEY (organisation_id, position_id, person_id)
        REFERENCES crm.positions (organisation_id, id, person_id) ON DELETE CASCADE,
    CONSTRAINT campaign_enrollments_status_check CHECK (status IN
        ('active', 'paused', 'completed', 'replied', 'bounced', 'unsubscribed', 'failed', 'removed')),
    CONSTRAINT campaign_enrollments_step_non_negative CHECK (current_step_order >= 0)
);
CREATE INDEX IF NOT EXISTS campaign_enrollments_status_idx
    ON outreach.campaign_enrollments (organisation_id, campaign_id, status);
CREATE INDEX IF NOT EXISTS campaign_enrollments_person_idx
    ON outreach.campaign_enrollments (organisation_id, person_id);
CREATE INDEX IF NOT EXISTS campaign_enrollments_position_idx
    ON outreach.campaign_enrollments (organisation_id, position_id);

CREATE TABLE IF NOT EXISTS outreach.enrollment_step_variant_assignments (
    organisation_id uuid        NOT NULL,
    id              uuid        NOT NULL DEFAULT gen_random_uuid(),
    enrollment_id   uuid        NOT NULL,
    step_id         uuid        NOT NULL,
    experiment_id   uuid        NOT NULL,
    variant_id      uuid        NOT NULL,
    assigned_at     timestamptz NOT NULL DEFAULT now(),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT enrollment_step_variant_assignments_pkey PRIMARY KEY (organisation_id, id),
    -- One variant per enrollment and experiment, forever: concurrent assigners
    -- race on this key and the loser reads the winner's row.
    CONSTRAINT enrollment_step_variant_assignments_key
        UNIQUE (organisation_id, enrollment_id, experiment_id),
    CONSTRAINT enrollment_step_variant_assignments_organisation_fkey FOREIGN KEY (organisation_id)
        REFERENCES iam.organisations (id) ON DELETE CASCADE,
    CONSTRAINT enrollment_step_variant_assignments_enrollment_fkey
        FOREIGN KEY (organisation_id, enrollment_id)
        REFERENCES outreach.campaign_enrollments (organisation_id, id) ON DELETE CASCADE,
    CONSTRAINT enrollment_step_variant_assignments_experiment_fkey
        FOREIGN KEY (organisation_id, step_id, experiment_id)
        REFERENCES outreach.step_experiments (organisation_id, step_id, id) ON DELETE CASCADE,
    CONSTRAINT enrollment_step_variant_assignments_variant_fkey
        FOREIGN KEY (organisation_id, experiment_id, variant_id)
        REFERENCES outreach.step_experiment_variants (organisation_id, experiment_id, id)
        ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS enrollment_step_variant_assignments_variant_idx
    ON outreach.enrollment_step_variant_assignments (organisation_id, experiment_id, variant_id);

CREATE TABLE IF NOT EXISTS outreach.messages (
    organisation_id     uuid        NOT NULL,
    id                  uuid        NOT NULL DEFAULT gen_random_uuid(),
    campaign_id         uuid        NOT NULL,
    enrollment_id       uuid        NOT NULL,
    step_id             uuid,
    variant_id          uuid,
    prompt_id           uuid,
    parent_message_id   uuid,
    direction           text        NOT NULL,
    status              text        NOT NULL,
    from_email          public.citext NOT NULL,
    to_email            public.citext NOT NULL,
    subject             text,
    body_text           text,
    body_html           text,
    rfc_message_id      text        NOT NULL,
    in_reply_to         text,
    reference_ids       text[]      NOT NULL DEFAULT '{}',
    provider_message_id text,
    attempts            integer     NOT NULL DEFAULT 0,
    last_error          text,
    generated_at        timestamptz,
    sent_at             timestamptz,
    received_at         timestamptz,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT messages_pkey PRIMARY KEY (organisation_id, id),
    CONSTRAINT messages_rfc_message_id_key UNIQUE (organisation_id, rfc_message_id),
    CONSTRAINT messages_organisation_fkey FOREIGN KEY (organisation_id)
        REFERENCES iam.organisations (id) ON DELETE CASCADE,
    CONSTRAINT messages_campaign_fkey FOREIGN KEY (organisation_id, campaign_id)
        REFERENCES outreach.campaigns (organisation_id, id) ON DELETE CASCADE,
    CONSTRAINT messages_enrollment_fkey FOREIGN KEY (organisation_id, campaign_id, enrollment_id)
        REFERENCES outreach.campaign_enrollments (organisation_id, campaign_id, id) ON DELETE CASCADE,
    CONSTRAINT messages_step_fkey FOREIGN KEY (organisation_id, campaign_id, step_id)
        REFERENCES outreach.workflow_steps (organisation_id, campaign_id, id) ON DELETE CASCADE,
    CONSTRAINT messages_variant_fkey FOREIGN KEY (organisation_id, variant_id)
        REFERENCES outreach.step_experiment_variants (organisation_id, id),
    CONSTRAINT messages_prompt_fkey FOREIGN KEY (organisation_id, prompt_id)
        REFERENCES outreach.prompts (organisation_id, id),
    CONSTRAINT messages_parent_fkey FOREIGN KEY (organisation_id, parent_message_id)
        REFERENCES outreach.messages (organisation_id, id) ON DELETE SET NULL (parent_message_id),
    CONSTRAINT messages_direction_check CHECK (direction IN ('outbound', 'inbound')),
    -- Outbound: pending (row written, not handed over) -> sending (handed to the
    -- adapter, outcome not yet known) -> sent | failed | bounced. Inbound: received.
    CONSTRAINT messages_status_check CHECK (
        (direction = 'outbound' AND status IN ('pending', 'sending', 'sent', 'failed', 'bounced'))
        OR (direction = 'inbound' AND status = 'received')),
    CONSTRAINT messages_outbound_has_step CHECK (direction <> 'outbound' OR step_id IS NOT NULL),
    CONSTRAINT messages_sent_has_time CHECK (status NOT IN ('sent', 'bounced') OR sent_at IS NOT NULL),
    CONSTRAINT messages_rfc_message_id_format CHECK (rfc_message_id ~ '^[^<>[:space:]]+$'),
    CONSTRAINT messages_attempts_non_negative CHECK (attempts >= 0)
);
-- The no-duplicate-email guarantee: one outbound message per enrollment and
-- step, written before the send. Inbound messages are not limited.
CREATE UNIQUE INDEX IF NOT EXISTS messages_one_outbound_per_step
    ON outreach.messages (organisation_id, enrollment_id, step_id) WHERE direction = 'outbound';
CREATE INDEX IF NOT EXISTS messages_enrollment_idx
    ON outreach.messages (organisation_id, campaign_id, enrollment_id);
CREATE INDEX IF NOT EXISTS messages_step_idx ON outreach.messages (organisation_id, campaign_id, step_id);
CREATE INDEX IF NOT EXISTS messages_prompt_idx ON outreach.messages (organisation_id, prompt_id);
CREATE INDEX IF NOT EXISTS messages_variant_idx ON outreach.messages (organisation_id, variant_id);
CREATE INDEX IF NOT EXISTS messages_parent_idx ON outreach.messages (organisation_id, parent_message_id);

-- A prompt version is frozen once a message used it, so a message always
-- shows the text that produced it; changes go into a new version.
CREATE OR REPLACE FUNCTION outreach.prompts_freeze_used() RETURNS trigger
LANGUAGE plpgsql AS $$
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
CREATE OR REPLACE TRIGGER prompts_freeze_used
    BEFORE UPDATE OF organisation_id, id, name, version, generator, subject_template, body_template,
                     system_prompt, model
    ON outreach.prompts FOR EACH ROW EXECUTE FUNCTION outreach.prompts_freeze_used();

CREATE TABLE IF NOT EXISTS outreach.tasks (
    organisation_id uuid        NOT NULL,
    id              uuid        NOT NULL DEFAULT gen_random_uuid(),
    kind            text        NOT NULL DEFAULT 'run_step',
    campaign_id     uuid        NOT NULL,
    enrollment_id   uuid        NOT NULL,
    step_id         uuid,
    status          text        NOT NULL DEFAULT 'pending',
    run_at          timestamptz NOT NULL DEFAULT now(),
    attempts        integer     NOT NULL DEFAULT 0,
    max_attempts    integer     NOT NULL DEFAULT 5,
    locked_by       text,
    locked_until    timestamptz,
    last_error      text,
    payload         jsonb       NOT NULL DEFAULT '{}',
    finished_at     timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT tasks_pkey PRIMARY KEY (organisation_id, id),
    CONSTRAINT tasks_organisation_fkey FOREIGN KEY (organisation_id)
        REFERENCES iam.organisations (id) ON DELETE CASCADE,
    CONSTRAINT tasks_campaign_fkey FOREIGN KEY (organisation_id, campaign_id)
        REFERENCES outreach.campaigns (organisation_id, id) ON DELETE CASCADE,
    CONSTRAINT tasks_enrollment_fkey FOREIGN KEY (organisation_id, campaign_id, enrollment_id)
        REFERENCES outreach.campaign_enrollments (organisation_id, campaign_id, id) ON DELETE CASCADE,
    CONSTRAINT tasks_step_fkey FOREIGN KEY (organisation_id, campaign_id, step_id)
        REFERENCES outreach.workflow_steps (organisation_id, campaign_id, id) ON DELETE CASCADE,
    CONSTRAINT tasks_kind_check CHECK (kind IN ('run_step')),
    CONSTRAINT tasks_status_check
        CHECK (status IN ('pending', 'running', 'succeeded', 'failed', 'cancelled')),
    CONSTRAINT tasks_attempts_non_negative CHECK (attempts >= 0),
    CONSTRAINT tasks_max_attempts_positive CHECK (max_attempts > 0),
    -- A running task always has a lease, so a dead daemon's task can be reclaimed.
    CONSTRAINT tasks_running_has_lease
        CHECK (status <> 'running' OR (locked_by IS NOT NULL AND locked_until IS NOT NULL)),
    CONSTRAINT tasks_payload_object CHECK (jsonb_typeof(payload) = 'object')
);
-- The daemon's claim, across all organisations (the documented exception to
-- organisation-first indexes): due pending tasks in run_at order. Partial, so
-- millions of finished tasks are not in it; future tasks sit after the range
-- the claim reads (run_at <= now()).
CREATE INDEX IF NOT EXISTS tasks_due_idx
    ON outreach.tasks (run_at, organisation_id, id) WHERE status = 'pending';
-- Lease rescue, also global: running tasks whose daemon stopped renewing.
CREATE INDEX IF NOT EXISTS tasks_lease_idx
    ON outreach.tasks (locked_until) WHERE status = 'running';
-- At most one open step task per enrollment: a trigger and a sweep that both
-- enqueue the same step cannot double it.
CREATE UNIQUE INDEX IF NOT EXISTS tasks_one_open_step_per_enrollment
    ON outreach.tasks (organisation_id, enrollment_id)
    WHERE kind = 'run_step' AND status IN ('pending', 'running');
CREATE INDEX IF NOT EXISTS tasks_enrollment_idx
    ON outreach.tasks (organisation_id, campaign_id, enrollment_id);
CREATE INDEX IF NOT EXISTS tasks_campaign_status_idx
    ON outreach.tasks (organisation_id, campaign_id, status);
CREATE INDEX IF NOT EXISTS tasks_step_idx ON outreach.tasks (organisation_id, campaign_id, step_id);

CREATE OR REPLACE TRIGGER campaigns_touch_updated_at BEFORE UPDATE ON outreach.campaigns
    FOR EACH ROW EXECUTE FUNCTION public.pf_touch_updated_at();
CREATE OR REPLACE TRIGGER prompts_touch_updated_at BEFORE UPDATE ON outreach.prompts
    FOR EACH ROW EXECUTE FUNCTION public.pf_touch_updated_at();
CREATE OR REPLACE TRIGGER workflow_steps_touch_updated_at BEFORE UPDATE ON outreach.workflow_steps
    FOR EACH ROW EXECUTE FUNCTION public.pf_touch_updated_at();
CREATE OR REPLACE TRIGGER step_experiments_touch_updated_at BEFORE UPDATE ON outreach.step_experiments
    FOR EACH ROW EXECUTE FUNCTION public.pf_touch_updated_at();
CREATE OR REPLACE TRIGGER step_experiment_variants_touch_updated_at
    BEFORE UPDATE ON outreach.step_experiment_variants
    FOR EACH ROW EXECUTE FUNCTION public.pf_touch_updated_at();
CREATE OR REPLACE TRIGGER campaign_enrollments_touch_updated_at
    BEFORE UPDATE ON outreach.campaign_enrollments
    FOR EACH ROW EXECUTE FUNCTION public.pf_touch_updated_at();
CREATE OR REPLACE TRIGGER enrollment_step_variant_assignments_touch_updated_at
    BEFORE UPDATE ON outreach.enrollment_step_variant_assignments
    FOR EACH ROW EXECUTE FUNCTION public.pf_touch_updated_at();
CREATE OR REPLACE TRIGGER messages_touch_updated_at BEFORE UPDATE ON outreach.messages
    FOR EACH ROW EXECUTE FUNCTION public.pf_touch_updated_at();
CREATE OR REPLACE TRIGGER tasks_touch_updated_at BEFORE UPDATE ON outreach.tasks
    FOR EACH ROW EXECUTE FUNCTION public.pf_touch_updated_at();
