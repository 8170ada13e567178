-- Roles of staff (issue #4 §3): 'admin' may use the registry API.
ALTER TABLE intake.staff ADD COLUMN roles text[] NOT NULL DEFAULT '{}';
