-- Staff who sign in for an office (issue #4 §2): only password hashes; failed attempts lock the account for a while.
CREATE TABLE intake.staff (
    user_id         text        PRIMARY KEY CHECK (user_id ~ '^[A-Z]{2}[0-9]{12}$'),
    office_number   text        NOT NULL,
    password_hash   text        NOT NULL,
    failed_attempts integer     NOT NULL DEFAULT 0,
    locked_until    timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now()
);

-- Short-lived access tokens, stored only as SHA-256 and bound to the office and client certificate that signed in.
CREATE TABLE intake.access_tokens (
    token_hash    text        PRIMARY KEY,
    user_id       text        NOT NULL REFERENCES intake.staff (user_id) ON DELETE CASCADE,
    office_number text        NOT NULL,
    thumbprint    text        NOT NULL,
    expires_at    timestamptz NOT NULL
);
CREATE INDEX access_tokens_expiry ON intake.access_tokens (expires_at);
