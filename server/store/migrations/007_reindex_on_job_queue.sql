-- $reindex jobs run on the one job runner: each open reindex_job (progress, cursor, status for
-- $reindex-status) gets a job in queue 'reindex' that a worker claims under a lease. Jobs already open
-- when this migration runs (e.g. migration 003's) are queued here; new ones are queued with their row.
INSERT INTO job (queue, job_key, payload, status, max_attempts, run_at, created_at, updated_at)
SELECT 'reindex', r.id, jsonb_build_object('reindexJobId', r.id), 'waiting', 100, now(), now(), now()
FROM reindex_job r
WHERE r.status IN ('queued', 'running')
  AND NOT EXISTS (SELECT 1 FROM job j WHERE j.queue = 'reindex' AND j.job_key = r.id);
