-- Delivered send units per sending office and service month: how many 第6表 予定 (plan6) and 実績 (actual6) files.
CREATE TABLE billing_reconciliation.usage (
    submission_id    uuid        PRIMARY KEY,
    office_number    text        NOT NULL,
    recipient_office text        NOT NULL,
    service_month    text        NULL,
    plan_files       integer     NOT NULL,
    actual_files     integer     NOT NULL,
    other_files      integer     NOT NULL,
    recorded_at      timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX usage_office_month ON billing_reconciliation.usage (office_number, service_month);
