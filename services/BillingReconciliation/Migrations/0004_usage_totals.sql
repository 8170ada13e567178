-- Running totals per office and service month ('' for units without a month), kept up to date per delivered unit so
-- that recording usage costs O(1) however many units a month holds (issue #13 §5).
CREATE TABLE billing_reconciliation.usage_totals (
    office_number  text    NOT NULL,
    service_month  text    NOT NULL,
    plan_files     integer NOT NULL DEFAULT 0,
    actual_files   integer NOT NULL DEFAULT 0,
    units_sent     integer NOT NULL DEFAULT 0,
    units_received integer NOT NULL DEFAULT 0,
    PRIMARY KEY (office_number, service_month)
);

INSERT INTO billing_reconciliation.usage_totals (office_number, service_month, plan_files, actual_files, units_sent)
SELECT office_number, coalesce(service_month, ''), sum(plan_files), sum(actual_files), count(*)
FROM billing_reconciliation.usage GROUP BY office_number, coalesce(service_month, '');

INSERT INTO billing_reconciliation.usage_totals AS t (office_number, service_month, units_received)
SELECT recipient_office, coalesce(service_month, ''), count(*)
FROM billing_reconciliation.usage GROUP BY recipient_office, coalesce(service_month, '')
ON CONFLICT (office_number, service_month) DO UPDATE SET units_received = excluded.units_received;
