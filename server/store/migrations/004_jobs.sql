-- Durable background jobs (NLP extraction, twin refresh). A job is enqueued in the transaction of the
-- write that causes it, claimed with FOR UPDATE SKIP LOCKED under a lease, and deleted in the
-- transaction that writes its results; a lease that expires (crashed worker) makes it claimable again.
CREATE TABLE IF NOT EXISTS job (
  id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  queue         text        NOT NULL,
  job_key       text,                                   -- debounce / supersede key
  payload       jsonb       NOT NULL,
  status        text        NOT NULL CHECK (status IN ('waiting', 'running', 'failed')),
  attempts      integer     NOT NULL DEFAULT 0,
  max_attempts  integer     NOT NULL DEFAULT 5,
  run_at        timestamptz NOT NULL,
  lease_owner   text,
  lease_until   timestamptz,
  last_error    text,
  created_at    timestamptz NOT NULL,
  updated_at    timestamptz NOT NULL
);
-- At most one waiting job per key: a burst of changes for one patient or document yields one run.
CREATE UNIQUE INDEX IF NOT EXISTS job_waiting_key ON job (queue, job_key) WHERE status = 'waiting' AND job_key IS NOT NULL;
-- Claiming scans due jobs of one queue in run_at order.
CREATE INDEX IF NOT EXISTS job_due ON job (queue, run_at) WHERE status IN ('waiting', 'running');
