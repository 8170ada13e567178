-- Pickup reminders told to the recipient (issue #12): once per delivery and reminder, whichever intake replica's sweep
-- finds it first. Deleted with the submission's metadata.
CREATE TABLE intake.pickup_reminders (
    submission_id    uuid        NOT NULL REFERENCES intake.submissions (correlation_id) ON DELETE CASCADE,
    reminder         text        NOT NULL,
    recipient_office text        NOT NULL,
    deadline         timestamptz NOT NULL,
    reminded_at      timestamptz NOT NULL,
    PRIMARY KEY (submission_id, reminder)
);
