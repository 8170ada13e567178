-- Validation keeps nothing durable of its own: results travel in events and defect reports behind the claim check.
COMMENT ON SCHEMA validation IS 'CarePlanMesh validation service';
