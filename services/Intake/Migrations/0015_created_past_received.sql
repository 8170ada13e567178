-- Intake now creates a submission already in its first step (Validating), with Received before it in the timeline. The
-- event stream still tells the sender every state, Received first: an insert in a later state adds the Received event
-- before the state's own, in the same transaction.
CREATE OR REPLACE FUNCTION intake.submission_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.current_state IS NOT DISTINCT FROM NEW.current_state THEN
        RETURN NULL;
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
