-- Which expiry warnings were sent (issue #4 §8): once per certificate and threshold, however often the check runs.
CREATE TABLE crypto.expiry_warnings (
    thumbprint text        NOT NULL,
    threshold  integer     NOT NULL,
    office     text,
    not_after  timestamptz NOT NULL,
    warned_at  timestamptz NOT NULL,
    PRIMARY KEY (thumbprint, threshold)
);
