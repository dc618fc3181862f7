-- Bulk $import (issue 14): one row per import job (its inputs, the requesting client it is bound to,
-- the checkpoint committed with each batch of written resources, counts per type), the NDJSON files
-- uploaded for it in 1 MiB chunks (never one value of hundreds of MB), and its per-line
-- OperationOutcomes (the manifest's error file), all removed with the job.
CREATE TABLE IF NOT EXISTS bulk_import_job (
  id                text        PRIMARY KEY,
  client_id         text        NOT NULL,
  status            text        NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed', 'cancelled')),
  request           text        NOT NULL,
  inputs            jsonb       NOT NULL,
  context           jsonb       NOT NULL,
  input_index       integer     NOT NULL DEFAULT 0,
  byte_offset       bigint      NOT NULL DEFAULT 0,
  line_number       bigint      NOT NULL DEFAULT 0,
  counts            jsonb       NOT NULL DEFAULT '{}'::jsonb,
  error_count       integer     NOT NULL DEFAULT 0,
  error             text,
  created_at        timestamptz NOT NULL,
  updated_at        timestamptz NOT NULL,
  completed_at      timestamptz
);

CREATE TABLE IF NOT EXISTS bulk_import_chunk (
  job_id   text    NOT NULL REFERENCES bulk_import_job (id) ON DELETE CASCADE,
  input    integer NOT NULL,
  seq      integer NOT NULL,
  data     bytea   NOT NULL,
  PRIMARY KEY (job_id, input, seq)
);

CREATE TABLE IF NOT EXISTS bulk_import_error (
  job_id   text    NOT NULL REFERENCES bulk_import_job (id) ON DELETE CASCADE,
  seq      integer NOT NULL,
  outcome  text    NOT NULL,
  PRIMARY KEY (job_id, seq)
);
