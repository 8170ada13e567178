-- The office event stream's ids in commit order per office instead of across the mesh (docs/benchmarks.md, "2026-12-06
-- (8)"): every reader reads one office's events after an id, so one office's inserts need to wait for each other, not for
-- every other office's. Before, each insert took one lock for the whole table to its commit, and every saga step and
-- notification of the mesh queued behind it.
--
-- A transaction that adds events for two offices (a unit reaching AwaitingPickup: its sender's and its recipient's) takes
-- both locks first, in the order of their keys, so that two such transactions can never wait for each other in a circle.
-- Advisory locks taken again in the same transaction are granted at once.
CREATE FUNCTION intake.lock_office_events(VARIADIC offices text[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    key bigint;
BEGIN
    FOR key IN SELECT DISTINCT hashtextextended('careplanmesh:intake:office_events:' || office, 0) FROM unnest(offices) AS office ORDER BY 1
    LOOP
        PERFORM pg_advisory_xact_lock(key);
    END LOOP;
END
$$;

CREATE OR REPLACE FUNCTION intake.office_events_in_commit_order() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM intake.lock_office_events(NEW.office_number);
    NEW.id := nextval('intake.office_events_id');
    RETURN NEW;
END
$$;

CREATE OR REPLACE FUNCTION intake.submission_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.current_state IS NOT DISTINCT FROM NEW.current_state THEN
        RETURN NULL;
    END IF;
    IF NEW.current_state = 'AwaitingPickup' THEN
        PERFORM intake.lock_office_events(NEW.sender_office, NEW.recipient_office);
    END IF;
    IF TG_OP = 'INSERT' AND NEW.current_state <> 'Received' THEN
        INSERT INTO intake.office_events (office_number, type, data) VALUES (NEW.sender_office, 'submission.state-changed',
            jsonb_build_object('id', NEW.correlation_id, 'state', 'Received', 'recipientOffice', NEW.recipient_office,
                               'href', '/v1/submissions/' || NEW.correlation_id));
    END IF;
    INSERT INTO intake.office_events (office_number, type, data) VALUES (NEW.sender_office, 'submission.state-changed',
        jsonb_build_object('id', NEW.correlation_id, 'state', NEW.current_state, 'recipientOffice', NEW.recipient_office,
                           'href', '/v1/submissions/' || NEW.correlation_id));
    IF NEW.current_state = 'AwaitingPickup' THEN
        INSERT INTO intake.office_events (office_number, type, data) VALUES (NEW.recipient_office, 'delivery.arrived',
            jsonb_build_object('id', NEW.correlation_id, 'senderOffice', NEW.sender_office, 'href', '/v1/mailbox/' || NEW.correlation_id));
    END IF;
    RETURN NULL;
END
$$;
