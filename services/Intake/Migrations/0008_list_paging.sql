-- Lists with keyset paging (issue #11 §1–§2): the service month becomes a projected column so that filters never read
-- paths into data; rows written before this are filled from data once.
ALTER TABLE intake.submissions ADD COLUMN service_month text NULL;
UPDATE intake.submissions SET service_month = data->>'serviceMonth';

-- GET /v1/submissions: the sender's units, newest first, one page after a (received_at, id) cursor.
CREATE INDEX submissions_sent_pages ON intake.submissions (sender_office, received_at DESC, correlation_id DESC);
-- GET /v1/mailbox?state=acknowledged|all: the recipient's units, newest first.
CREATE INDEX submissions_received_pages ON intake.submissions (recipient_office, received_at DESC, correlation_id DESC);
