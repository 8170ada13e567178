-- Reconciliation facts (issue #13): pseudonymous rows of the latest 予定 and 実績 per (care office, provider, month).
-- user_key is an HMAC under a secret this service does not hold: no names, insured numbers or free text are stored.
CREATE TABLE billing_reconciliation.fact_units (
    submission_id   uuid        PRIMARY KEY,
    kind            text        NOT NULL CHECK (kind IN ('plan', 'actual')),
    care_office     text        NOT NULL,
    provider_office text        NOT NULL,
    service_month   text        NOT NULL,
    send_unit       text        NOT NULL,
    recorded_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX fact_units_pair ON billing_reconciliation.fact_units (kind, care_office, provider_office, service_month, send_unit DESC);

CREATE TABLE billing_reconciliation.service_facts (
    submission_id   uuid    NOT NULL REFERENCES billing_reconciliation.fact_units ON DELETE CASCADE,
    user_key        text    NOT NULL,
    provider_office text    NOT NULL,
    service_code    text    NOT NULL,
    service_date    text    NOT NULL,
    start_time      text    NOT NULL,
    end_time        text    NOT NULL,
    units           integer NOT NULL,
    count           integer NOT NULL,
    line            integer NOT NULL
);
CREATE INDEX service_facts_unit ON billing_reconciliation.service_facts (submission_id, provider_office);

CREATE TABLE billing_reconciliation.limit_facts (
    submission_id       uuid    NOT NULL REFERENCES billing_reconciliation.fact_units ON DELETE CASCADE,
    user_key            text    NOT NULL,
    care_level          text    NOT NULL,
    limit_units         integer NOT NULL,
    subject_units       integer NOT NULL,
    stated_excess_units integer NOT NULL,
    line                integer NOT NULL
);
CREATE INDEX limit_facts_unit ON billing_reconciliation.limit_facts (submission_id);

-- One result per (care office, provider, month); a later 実績 replaces it. Counts only.
CREATE TABLE billing_reconciliation.reconciliations (
    id                       uuid        PRIMARY KEY,
    care_office              text        NOT NULL,
    provider_office          text        NOT NULL,
    service_month            text        NOT NULL,
    plan_submission_id       uuid        NOT NULL,
    actual_submission_id     uuid        NOT NULL,
    users_compared           integer     NOT NULL,
    users_matched            integer     NOT NULL,
    users_with_differences   integer     NOT NULL,
    not_delivered            integer     NOT NULL,
    not_planned              integer     NOT NULL,
    different_service_code   integer     NOT NULL,
    different_times_or_units integer     NOT NULL,
    different_counts         integer     NOT NULL,
    users_without_plan       integer     NOT NULL,
    users_over_limit         integer     NOT NULL,
    sealed_report            text        NULL,
    completed_at             timestamptz NOT NULL DEFAULT now(),
    UNIQUE (care_office, provider_office, service_month)
);
