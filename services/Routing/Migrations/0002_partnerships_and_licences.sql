-- Contact address for invitations that name no office number (issue #5 §1).
ALTER TABLE routing.offices ADD COLUMN contact_email text;

-- Partnerships (連携先): requested by one office, approved by the other; only active ones carry files.
CREATE TABLE routing.partnerships (
    id               uuid        PRIMARY KEY,
    requester_office text        NOT NULL,
    partner_office   text        CHECK (partner_office ~ '^[0-9]{10}$'),
    invite_email     text,
    state            text        NOT NULL CHECK (state IN ('invited', 'pending', 'active', 'declined', 'suspended', 'ended')),
    suspended_by     text,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    CHECK (partner_office IS NOT NULL OR invite_email IS NOT NULL),
    CHECK (partner_office IS DISTINCT FROM requester_office)
);

-- One live partnership per pair of offices, whichever side asked.
CREATE UNIQUE INDEX partnerships_live_pair ON routing.partnerships
    (LEAST(requester_office, partner_office), GREATEST(requester_office, partner_office))
    WHERE state IN ('invited', 'pending', 'active', 'suspended') AND partner_office IS NOT NULL;
CREATE INDEX partnerships_requester ON routing.partnerships (requester_office);
CREATE INDEX partnerships_partner ON routing.partnerships (partner_office);
CREATE INDEX partnerships_invite_email ON routing.partnerships (lower(invite_email)) WHERE state = 'invited';

-- Licences and free passes: the relay carries an office's files only on days one of them covers (issue #5 §2).
CREATE TABLE routing.licences (
    id            uuid        PRIMARY KEY,
    office_number text        NOT NULL,
    kind          text        NOT NULL CHECK (kind IN ('annual', 'free-pass')),
    valid_from    date        NOT NULL,
    valid_to      date        NOT NULL CHECK (valid_to >= valid_from),
    fee_yen       integer     NOT NULL DEFAULT 0,
    granted_at    timestamptz NOT NULL
);
CREATE INDEX licences_office ON routing.licences (office_number, valid_to);
-- The free pass is granted once per office number.
CREATE UNIQUE INDEX licences_one_free_pass ON routing.licences (office_number) WHERE kind = 'free-pass';
