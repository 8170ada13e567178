-- Admission control (docs/operations.md, "Admission control"): every intake replica counts the submissions between receipt
-- and the mailbox once a second. This partial index holds only those rows, so the count reads a few entries whatever the
-- table holds; a saga step into AwaitingPickup or a final state adds no entry to it.
CREATE INDEX submissions_in_pipeline ON intake.submissions (current_state)
    WHERE current_state IN ('Received', 'Validating', 'Sealing', 'Routing');
