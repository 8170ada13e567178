-- Which licence warnings were sent (issue #12): once per office, licence and threshold in days (0: the licence ended),
-- however often and on however many replicas the check runs.
CREATE TABLE routing.licence_warnings (
    office_number text        NOT NULL,
    licence_id    uuid        NOT NULL REFERENCES routing.licences (id) ON DELETE CASCADE,
    threshold     integer     NOT NULL,
    warned_at     timestamptz NOT NULL,
    PRIMARY KEY (office_number, licence_id, threshold)
);
