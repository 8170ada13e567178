-- The saga row's update shape against copies of intake.submissions with the indexes of migration 0012 (nine), of 0013
-- (eight) and of 0013 with fillfactor 70 (eight_ff70): WAL bytes and time per update (docs/benchmarks.md, 2026-12-06 (2)).
-- Run against a mesh's database as the superuser; it creates and leaves the schema perfbench (DROP SCHEMA perfbench CASCADE):
--   psql -h "$PWD/.data/postgres" -p 55432 -U postgres -d careplanmesh -f benchmarks/sql/saga_row_updates.sql
DROP SCHEMA IF EXISTS perfbench CASCADE;
CREATE SCHEMA perfbench;
CREATE TABLE perfbench.base AS SELECT * FROM intake.submissions;
CREATE FUNCTION perfbench.make(name text, with_sender boolean, fill int) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('CREATE TABLE perfbench.%I (LIKE intake.submissions INCLUDING DEFAULTS) WITH (fillfactor = %s)', name, fill);
  EXECUTE format('INSERT INTO perfbench.%I SELECT * FROM perfbench.base', name);
  EXECUTE format('ALTER TABLE perfbench.%I ADD PRIMARY KEY (correlation_id)', name);
  EXECUTE format('CREATE INDEX ON perfbench.%I (deadline) WHERE deadline IS NOT NULL', name);
  EXECUTE format('CREATE INDEX ON perfbench.%I (recipient_office, current_state, sender_office, send_unit)', name);
  IF with_sender THEN EXECUTE format('CREATE INDEX ON perfbench.%I (sender_office, received_at)', name); END IF;
  EXECUTE format('CREATE INDEX ON perfbench.%I (sender_office, recipient_office, content_digest, received_at)', name);
  EXECUTE format('CREATE INDEX ON perfbench.%I (finished_at) WHERE finished_at IS NOT NULL', name);
  EXECUTE format('CREATE INDEX ON perfbench.%I (finished_at) WHERE finished_at IS NOT NULL AND purged_at IS NULL', name);
  EXECUTE format('CREATE INDEX ON perfbench.%I (sender_office, received_at DESC, correlation_id DESC)', name);
  EXECUTE format('CREATE INDEX ON perfbench.%I (recipient_office, received_at DESC, correlation_id DESC)', name);
END $$;
-- Four updates per row as the saga makes them: the state, the deadline, the version and the whole data change.
CREATE FUNCTION perfbench.steps(name text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE id uuid; s text;
BEGIN
  FOREACH s IN ARRAY ARRAY['Validating','Sealing','Routing','AwaitingPickup'] LOOP
    FOR id IN SELECT correlation_id FROM perfbench.base LOOP
      EXECUTE format('UPDATE perfbench.%I SET version = version + 1, current_state = $2, data = data, deadline = clock_timestamp() + interval ''1 hour'' WHERE correlation_id = $1', name) USING id, s;
    END LOOP;
  END LOOP;
END $$;
SELECT perfbench.make('nine', true, 100), perfbench.make('eight', false, 100), perfbench.make('eight_ff70', false, 70);
SELECT count(*) AS rows FROM perfbench.base;
CREATE OR REPLACE FUNCTION perfbench.measure(name text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE l0 pg_lsn; t0 timestamptz; n bigint;
BEGIN
  SELECT count(*) * 4 INTO n FROM perfbench.base;
  l0 := pg_current_wal_insert_lsn(); t0 := clock_timestamp();
  PERFORM perfbench.steps(name);
  RETURN format('%s: %s updates, %s WAL bytes/update, %s ms/update', name, n,
    round(pg_wal_lsn_diff(pg_current_wal_insert_lsn(), l0) / n), round(extract(epoch FROM clock_timestamp() - t0) * 1000 / n, 4));
END $$;
-- Three passes each; compare the later ones (the first wrote more WAL when measured, likely full-page images after a checkpoint).
SELECT perfbench.measure('nine');
SELECT perfbench.measure('eight');
SELECT perfbench.measure('eight_ff70');
SELECT perfbench.measure('nine');
SELECT perfbench.measure('eight');
SELECT perfbench.measure('eight_ff70');
SELECT perfbench.measure('nine');
SELECT perfbench.measure('eight');
SELECT perfbench.measure('eight_ff70');
SELECT relname, n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables WHERE schemaname = 'perfbench' ORDER BY 1;
