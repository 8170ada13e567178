-- Invitations to join the relay, by e-mail address given by the inviting office (issue #5 §1). The address is
-- contact data: it lives here and in routing's partnership row, never in a published event.
CREATE TABLE notification.invitations (
    partnership_id uuid        PRIMARY KEY,
    inviter_office text        NOT NULL,
    email          text        NOT NULL,
    channel        text        NOT NULL,
    created_at     timestamptz NOT NULL
);
