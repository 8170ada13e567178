-- Every notification owed to an office. Delivery channels (webhooks, e-mail) are added by a later migration.
CREATE TABLE notification.notifications (
    id            uuid        PRIMARY KEY,
    submission_id uuid        NOT NULL,
    office_number text        NOT NULL,
    topic         text        NOT NULL,
    channel       text        NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (submission_id, office_number, topic)
);

CREATE INDEX notifications_office ON notification.notifications (office_number, created_at);
