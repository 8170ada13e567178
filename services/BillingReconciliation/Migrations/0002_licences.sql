-- Licence and free-pass periods granted by routing, for licence accounting (issue #5 §2).
CREATE TABLE billing_reconciliation.licences (
    licence_id    uuid        PRIMARY KEY,
    office_number text        NOT NULL,
    kind          text        NOT NULL,
    valid_from    date        NOT NULL,
    valid_to      date        NOT NULL,
    fee_yen       integer     NOT NULL,
    granted_at    timestamptz NOT NULL
);

CREATE INDEX licences_office ON billing_reconciliation.licences (office_number, valid_from);
