-- The saga row is written at every step of a submission (4 updates) and no update can be HOT, since every step changes
-- current_state and deadline, both indexed: each update adds an entry to every index of the table. submissions_sender
-- (sender_office, received_at) is a prefix of submissions_sent_pages (sender_office, received_at DESC, correlation_id DESC),
-- which serves the same scans in either direction, so it goes (docs/benchmarks.md, 2026-12-06 (2)).
DROP INDEX intake.submissions_sender;
