-- The intake replicas that are running (issue #11, rate limits): each writes its row every RateLimits:ReplicaHeartbeat,
-- so every replica knows how many share an office's limit. Rows of stopped replicas are deleted by the others.
CREATE TABLE intake.replicas (
    id      uuid        PRIMARY KEY,
    seen_at timestamptz NOT NULL
);
