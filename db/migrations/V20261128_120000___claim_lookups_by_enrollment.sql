-- Lookups the engine makes for every step, keyed so that they are index
-- probes whatever the table statistics say.
--
-- sync_enrollment_tasks looked up an enrollment's pending tasks by
-- (organisation_id, enrollment_id) only. No index on tasks leads with those
-- two columns, so every enrollment that stopped or completed read every
-- task of its organisation. The lookup now carries campaign_id too and is
-- an index scan on tasks_enrollment_idx (organisation_id, campaign_id,
-- enrollment_id). Behaviour is unchanged.
CREATE OR REPLACE FUNCTION outreach.sync_enrollment_tasks() RETURNS trigger
LANGUAGE plpgsql AS $$
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

-- Has this enrollment had a reply? The claim asks for every step it runs.
-- Inbound rows are few; this index holds only them, so the question is one
-- probe of a small index and costs nothing on the outbound inserts.
CREATE INDEX IF NOT EXISTS messages_inbound_enrollment_idx
    ON outreach.messages (organisation_id, enrollment_id) WHERE direction = 'inbound';

-- Room on each page for the updated row version, so the engine's updates
-- that change no indexed column (a message marked sent, an enrollment moved
-- to its next step) stay heap-only: no new entry in any of the indexes.
ALTER TABLE outreach.messages SET (fillfactor = 75);
ALTER TABLE outreach.campaign_enrollments SET (fillfactor = 85);
