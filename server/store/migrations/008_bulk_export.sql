-- Bulk Data $export jobs (Bulk Data Access IG 2.0). One row per kick-off: who asked (the job is bound
-- to that client), what was asked (request parameters), the snapshot instant, and per-type progress
-- (keyset cursor, lines and bytes committed to each NDJSON file) so that a restarted worker truncates a
-- partial file to its last committed byte and continues after the last committed resource. The work
-- itself runs on the one job runner (queue 'bulk-export'); the row outlives it for status polling until
-- it expires.
CREATE TABLE IF NOT EXISTS export_job (
  id                text        PRIMARY KEY,
  client_id         text        NOT NULL,
  patient           text,                     -- the patient of a patient-context token that asked
  status            text        NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed')),
  request_url       text        NOT NULL,
  params            jsonb       NOT NULL,
  transaction_time  timestamptz NOT NULL,
  progress          jsonb       NOT NULL DEFAULT '{}'::jsonb,
  error             text,
  created_at        timestamptz NOT NULL,
  updated_at        timestamptz NOT NULL,
  completed_at      timestamptz,
  expires_at        timestamptz
);
CREATE INDEX IF NOT EXISTS export_job_expiry ON export_job (expires_at) WHERE expires_at IS NOT NULL;
