-- Signed receipts (issue #4 §5): issued once per submission and kind, then served as stored.
CREATE TABLE intake.receipts (
    submission_id uuid        NOT NULL,
    kind          text        NOT NULL CHECK (kind IN ('received', 'validated', 'acknowledged')),
    cms           bytea       NOT NULL,
    issued_at     timestamptz NOT NULL,
    PRIMARY KEY (submission_id, kind)
);
