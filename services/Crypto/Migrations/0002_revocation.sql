-- Revocation (issue #4 §8): a revoked certificate neither signs in nor receives packages, from the moment it is revoked.
ALTER TABLE crypto.office_certificates ADD COLUMN revoked_at timestamptz;
