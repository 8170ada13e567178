-- Office certificates: several per office for rollover; packages are encrypted to every current one.
CREATE TABLE crypto.office_certificates (
    office_number text        NOT NULL CHECK (office_number ~ '^[0-9]{10}$'),
    thumbprint    text        NOT NULL,
    certificate   bytea       NOT NULL,
    not_before    timestamptz NOT NULL,
    not_after     timestamptz NOT NULL,
    added_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (office_number, thumbprint)
);

-- One sealed package per submission: makes sealing idempotent once the plaintext is gone.
CREATE TABLE crypto.sealed_packages (
    submission_id   uuid        PRIMARY KEY,
    sealed_package  text        NOT NULL,
    sealed_bytes    bigint      NOT NULL,
    sealed_sha256   text        NOT NULL,
    recipient_certs integer     NOT NULL,
    sealed_at       timestamptz NOT NULL DEFAULT now()
);
