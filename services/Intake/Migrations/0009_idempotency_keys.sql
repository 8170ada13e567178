-- Idempotency-Key on creating POSTs (issue #11 §3): per office and key, the request's hash and, once answered, the
-- answer (status, content type, location, body) to replay for 24 h. status is NULL while the first request runs.
CREATE TABLE intake.idempotency_keys (
    office_number  text        NOT NULL,
    idempotency_key text       NOT NULL,
    request_hash   text        NOT NULL,
    status         integer     NULL,
    content_type   text        NULL,
    location       text        NULL,
    body           bytea       NULL,
    created_at     timestamptz NOT NULL,
    locked_until   timestamptz NOT NULL,
    PRIMARY KEY (office_number, idempotency_key)
);
CREATE INDEX idempotency_keys_created ON intake.idempotency_keys (created_at);
