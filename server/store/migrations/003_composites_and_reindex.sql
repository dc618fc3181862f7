-- Composite parameters over sub-elements (Observation.component …): the rows of each component are
-- written under `param$i`, and rows from the same element share a group number, so that the
-- components of one element match together. Null on ordinary rows. (Adding a nullable column
-- without a default only touches the catalog.)
ALTER TABLE idx_token     ADD COLUMN IF NOT EXISTS grp integer;
ALTER TABLE idx_string    ADD COLUMN IF NOT EXISTS grp integer;
ALTER TABLE idx_reference ADD COLUMN IF NOT EXISTS grp integer;
ALTER TABLE idx_date      ADD COLUMN IF NOT EXISTS grp integer;
ALTER TABLE idx_number    ADD COLUMN IF NOT EXISTS grp integer;
ALTER TABLE idx_quantity  ADD COLUMN IF NOT EXISTS grp integer;
ALTER TABLE idx_uri       ADD COLUMN IF NOT EXISTS grp integer;

-- $reindex jobs: resumable, processed in batches of resources in rid order; every batch is one
-- transaction that holds the job row (FOR UPDATE SKIP LOCKED), so concurrent servers never run
-- the same batch twice, and a restart continues after cursor_rid.
CREATE TABLE IF NOT EXISTS reindex_job (
  id            text        PRIMARY KEY,
  res_type      text,                         -- null: every resource type (system level)
  status        text        NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed')),
  cursor_rid    bigint      NOT NULL DEFAULT 0,  -- last resource processed
  processed     bigint      NOT NULL DEFAULT 0,
  total         bigint,                       -- resources in scope when the job was created
  attempts      integer     NOT NULL DEFAULT 0,  -- consecutive failed batches
  error         text,
  created_at    timestamptz NOT NULL,
  updated_at    timestamptz NOT NULL,
  completed_at  timestamptz
);
CREATE INDEX IF NOT EXISTS reindex_job_open ON reindex_job (created_at) WHERE status IN ('queued', 'running');

-- Type-level $reindex walks one type's resources in rid order.
CREATE INDEX IF NOT EXISTS resource_type_rid ON resource (res_type, rid);

-- Resources stored before this migration have no grouped composite rows yet: queue a $reindex job
-- for each type that has composites over sub-elements; the first server to start works them off
-- in the background. (Nothing is queued on an empty database.)
INSERT INTO reindex_job (id, res_type, status, total, created_at, updated_at)
SELECT 'migration-003-' || r.res_type, r.res_type, 'queued', count(*), now(), now()
FROM resource r
WHERE r.deleted = false AND r.res_type IN (
  'ActivityDefinition', 'CapabilityStatement', 'ChargeItemDefinition', 'CodeSystem', 'CompartmentDefinition', 'ConceptMap',
  'DocumentReference', 'EffectEvidenceSynthesis', 'EventDefinition', 'Evidence', 'EvidenceVariable', 'ExampleScenario',
  'GraphDefinition', 'Group', 'ImplementationGuide', 'Library', 'Measure', 'MessageDefinition', 'MolecularSequence',
  'NamingSystem', 'Observation', 'OperationDefinition', 'PlanDefinition', 'Questionnaire', 'ResearchDefinition',
  'ResearchElementDefinition', 'RiskEvidenceSynthesis', 'SearchParameter', 'StructureDefinition', 'StructureMap',
  'TerminologyCapabilities', 'TestScript', 'ValueSet')
GROUP BY r.res_type
ON CONFLICT (id) DO NOTHING;
