-- The audit trail (issue #4 §7): every security-relevant action at the edge, without payload content, each row
-- chained to the previous one by SHA-256 so that a changed or removed row breaks every hash after it.
CREATE TABLE intake.audit_log (
    seq           bigint      PRIMARY KEY,
    at            timestamptz NOT NULL,
    office        text,
    action        text        NOT NULL,
    subject       text,
    outcome       text        NOT NULL CHECK (outcome IN ('allowed', 'refused')),
    status        integer     NOT NULL,
    reason        text,
    previous_hash text        NOT NULL,
    hash          text        NOT NULL
);

-- Append-only for the application: rows cannot be changed or removed (retention of the trail is a DBA's act).
CREATE FUNCTION intake.audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'intake.audit_log is append-only';
END
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON intake.audit_log
    FOR EACH ROW EXECUTE FUNCTION intake.audit_log_append_only();
