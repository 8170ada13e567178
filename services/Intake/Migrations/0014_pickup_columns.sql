-- The pickup reminder's filters become columns, projected by the saga repository on every write, instead of paths into
-- data: the saga's own deadline for its state (the deadline column is the sweeper's, pushed out while it holds a lease)
-- and when the recipient first downloaded the package. Rows written before this are filled from data once.
ALTER TABLE intake.submissions
    ADD COLUMN state_deadline timestamptz NULL,
    ADD COLUMN picked_up_at   timestamptz NULL;

UPDATE intake.submissions SET
    state_deadline = (data->>'deadline')::timestamptz,
    picked_up_at   = (data->>'pickedUpAt')::timestamptz;
