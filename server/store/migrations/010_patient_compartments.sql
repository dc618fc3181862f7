-- Patient compartments per version, for patient-context tokens (row restriction in SQL): `patients` lists
-- the Patient ids whose compartment this version belongs to (search/patient-compartment.ts). Kept on the
-- current row and on every history row, because membership can change between versions: a vread or a
-- history entry is shown only if that version itself was in the compartment. A delete keeps the deleted
-- version's list (the marker belongs where the resource was). NULL = not yet computed (rows written
-- before this migration; store/compartment-backfill.ts fills them at start) and matches no patient.
ALTER TABLE resource ADD COLUMN IF NOT EXISTS patients text[];
ALTER TABLE resource_history ADD COLUMN IF NOT EXISTS patients text[];
CREATE INDEX IF NOT EXISTS resource_patients ON resource USING gin (patients);
CREATE INDEX IF NOT EXISTS history_patients ON resource_history USING gin (patients);
-- Lets the start-up backfill find what is left to compute without scanning the tables.
CREATE INDEX IF NOT EXISTS resource_patients_unknown ON resource (rid) WHERE patients IS NULL;
CREATE INDEX IF NOT EXISTS history_patients_unknown ON resource_history (res_type, id, version) WHERE patients IS NULL;
