-- The submission saga: one row per submitted send unit (MassTransit state machine, Npgsql saga repository).
CREATE TABLE intake.submissions (
    correlation_id   uuid        PRIMARY KEY,
    version          integer     NOT NULL,
    current_state    text        NOT NULL,
    data             jsonb       NOT NULL,
    sender_office    text        NOT NULL,
    recipient_office text        NOT NULL,
    send_unit        text        NOT NULL,
    received_at      timestamptz NOT NULL,
    deadline         timestamptz NULL
);

-- The sweeper's scan: overdue steps and pickup deadlines.
CREATE INDEX submissions_deadline ON intake.submissions (deadline) WHERE deadline IS NOT NULL;
-- The recipient's mailbox, listed per sender in 連番 order.
CREATE INDEX submissions_mailbox ON intake.submissions (recipient_office, current_state, sender_office, send_unit);
CREATE INDEX submissions_sender ON intake.submissions (sender_office, received_at);
