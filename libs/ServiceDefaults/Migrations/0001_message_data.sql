-- Claim-check store shared by every service: payloads travel by reference, never inside messages.
CREATE SCHEMA IF NOT EXISTS messagedata;

CREATE TABLE messagedata.payloads (
    id          uuid        PRIMARY KEY,
    content     bytea       NOT NULL,
    size        bigint      NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NULL
);

CREATE INDEX payloads_expires_at ON messagedata.payloads (expires_at) WHERE expires_at IS NOT NULL;
