-- The office's event stream (issue #11 §4): what GET /v1/events sends, kept 24 h so that a client resuming with
-- Last-Event-ID misses nothing. Ids only grow and are handed out in commit order: every insert takes one transaction-level
-- advisory lock before drawing its id, so a reader that has seen id N never later finds a committed id below N.
-- Bodies hold ids, office numbers, states and links: no personal data.
CREATE SEQUENCE intake.office_events_id;
CREATE TABLE intake.office_events (
    id            bigint      PRIMARY KEY,
    office_number text        NOT NULL,
    type          text        NOT NULL,
    data          jsonb       NOT NULL,
    -- The bus message an event came from, so that a redelivered message adds nothing (NULL for the saga's own).
    source        text        NULL,
    at            timestamptz NOT NULL DEFAULT now(),
    UNIQUE (source, office_number)
);
CREATE INDEX office_events_office ON intake.office_events (office_number, id);
CREATE INDEX office_events_at ON intake.office_events (at);

CREATE FUNCTION intake.office_events_in_commit_order() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('careplanmesh:intake:office_events'));
    NEW.id := nextval('intake.office_events_id');
    RETURN NEW;
END
$$;
CREATE TRIGGER office_events_in_commit_order BEFORE INSERT ON intake.office_events
    FOR EACH ROW EXECUTE FUNCTION intake.office_events_in_commit_order();

-- Every state change of a submission, in the saga's own transaction: to its sender, and to its recipient when it arrives.
CREATE FUNCTION intake.submission_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.current_state IS NOT DISTINCT FROM NEW.current_state THEN
        RETURN NULL;
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
CREATE TRIGGER submission_events AFTER INSERT OR UPDATE OF current_state ON intake.submissions
    FOR EACH ROW EXECUTE FUNCTION intake.submission_events();
