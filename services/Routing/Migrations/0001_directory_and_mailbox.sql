-- The office directory: who is registered with the relay.
CREATE TABLE routing.offices (
    office_number text        PRIMARY KEY CHECK (office_number ~ '^[0-9]{10}$'),
    name          text        NOT NULL,
    service_types text[]      NOT NULL,
    registered_at timestamptz NOT NULL DEFAULT now()
);

-- Every placement of a sealed package in a recipient's mailbox (one per submission).
CREATE TABLE routing.mailbox_items (
    submission_id    uuid        PRIMARY KEY,
    sender_office    text        NOT NULL,
    recipient_office text        NOT NULL,
    send_unit        text        NOT NULL,
    file_kinds       text[]      NOT NULL,
    sealed_package   text        NOT NULL,
    routed_at        timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX mailbox_items_recipient ON routing.mailbox_items (recipient_office, sender_office, send_unit);
