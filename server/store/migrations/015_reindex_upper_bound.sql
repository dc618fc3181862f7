-- A reindex job covers the resources that existed when it was created: rid is stable per resource, so the
-- largest rid then bounds its batches. Resources created later are indexed by their own write with the
-- current SearchParameters; without the bound a busy server kept the job chasing new rows and reported
-- more processed than its total. NULL (jobs created before this migration): unbounded, as before.
ALTER TABLE reindex_job ADD COLUMN IF NOT EXISTS upto_rid bigint;
