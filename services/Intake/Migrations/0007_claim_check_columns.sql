-- The claim-check addresses the retention purge reads become columns, projected by the saga repository on every write,
-- instead of paths into data; rows written before this are filled from data once.
ALTER TABLE intake.submissions
    ADD COLUMN payload_address        text NULL,
    ADD COLUMN sealed_package_address text NULL,
    ADD COLUMN defect_report_address  text NULL;

UPDATE intake.submissions SET
    payload_address        = data->>'payloadAddress',
    sealed_package_address = data->>'sealedPackageAddress',
    defect_report_address  = data->>'defectReportAddress';

-- The package purge: finished submissions whose payloads are still stored, oldest first.
CREATE INDEX submissions_unpurged ON intake.submissions (finished_at) WHERE finished_at IS NOT NULL AND purged_at IS NULL;
