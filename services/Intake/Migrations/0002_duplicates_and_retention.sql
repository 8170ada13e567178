-- Duplicate detection (same sender, recipient and content within the retention period) and retention (issue #5 §4).
ALTER TABLE intake.submissions ADD COLUMN content_digest text NOT NULL DEFAULT '';
ALTER TABLE intake.submissions ADD COLUMN finished_at timestamptz NULL;
-- Set by the retention job when the submission's payloads were deleted; not part of the saga's data.
ALTER TABLE intake.submissions ADD COLUMN purged_at timestamptz NULL;

CREATE INDEX submissions_duplicates ON intake.submissions (sender_office, recipient_office, content_digest, received_at);
CREATE INDEX submissions_finished ON intake.submissions (finished_at) WHERE finished_at IS NOT NULL;
