-- Traces (issue #15): the W3C traceparent of the work that queued each webhook message and e-mail (for a delivery
-- notice, the submission's trace), so that the dispatcher's send continues that trace. Trace ids only, no personal data;
-- rows queued before this migration have none and are sent in traces of their own.
ALTER TABLE notification.webhook_deliveries ADD COLUMN traceparent text;
ALTER TABLE notification.emails ADD COLUMN traceparent text;
