-- Delivery channels (issue #12): webhooks with persisted, retried deliveries; e-mail with a persisted outbox; the inbox
-- read state; preferences and the office directory notification needs (names and e-mail addresses).

-- Notifications not tied to a submission (partnerships, certificates, invitations) are keyed by their subject instead.
ALTER TABLE notification.notifications ALTER COLUMN submission_id DROP NOT NULL;
ALTER TABLE notification.notifications ADD COLUMN subject text;
ALTER TABLE notification.notifications ADD COLUMN data jsonb NOT NULL DEFAULT '{}';
ALTER TABLE notification.notifications ADD COLUMN read_at timestamptz;
CREATE UNIQUE INDEX notifications_subject ON notification.notifications (office_number, topic, subject) WHERE subject IS NOT NULL;

CREATE TABLE notification.offices (
    office_number text PRIMARY KEY,
    name          text NOT NULL DEFAULT '',
    email         text
);

-- Topics an office wants by e-mail. No row: the default set (NotificationTopicNames.EmailDefaults).
CREATE TABLE notification.preferences (
    office_number text   PRIMARY KEY,
    email_topics  text[] NOT NULL
);

CREATE TABLE notification.webhooks (
    id            uuid        PRIMARY KEY,
    office_number text        NOT NULL,
    url           text        NOT NULL,
    topics        text[]      NOT NULL,
    created_at    timestamptz NOT NULL,
    failing_since timestamptz,
    disabled_at   timestamptz,
    deleted_at    timestamptz
);
CREATE INDEX webhooks_office ON notification.webhooks (office_number) WHERE deleted_at IS NULL;

-- Signing secrets, encrypted at rest with the claim-check keys (MessageData:Keys); the id is the associated data.
-- A rotated secret keeps signing until expires_at.
CREATE TABLE notification.webhook_secrets (
    id         uuid        PRIMARY KEY,
    webhook_id uuid        NOT NULL REFERENCES notification.webhooks (id),
    key_id     text        NOT NULL,
    ciphertext bytea       NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz
);

-- One row per message to one webhook. id is the webhook-id header: stable across every retry.
CREATE TABLE notification.webhook_deliveries (
    id              text        PRIMARY KEY,
    webhook_id      uuid        NOT NULL REFERENCES notification.webhooks (id),
    notification_id uuid,
    topic           text        NOT NULL,
    body            text        NOT NULL,
    created_at      timestamptz NOT NULL,
    attempts        int         NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL,
    leased_until    timestamptz,
    last_status     int,
    delivered_at    timestamptz,
    abandoned_at    timestamptz,
    UNIQUE (webhook_id, notification_id)
);
CREATE INDEX webhook_deliveries_due ON notification.webhook_deliveries (next_attempt_at) WHERE delivered_at IS NULL AND abandoned_at IS NULL;

-- The e-mail outbox: rendered messages (no personal data of care recipients) retried until the server takes them.
CREATE TABLE notification.emails (
    id              uuid        PRIMARY KEY,
    dedup_key       text        NOT NULL UNIQUE,
    recipient       text        NOT NULL,
    subject         text        NOT NULL,
    body            text        NOT NULL,
    created_at      timestamptz NOT NULL,
    attempts        int         NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL,
    leased_until    timestamptz,
    sent_at         timestamptz
);
CREATE INDEX emails_due ON notification.emails (next_attempt_at) WHERE sent_at IS NULL;
