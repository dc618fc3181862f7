-- Type-qualified compartment keys (issue 11): a patient-context search of one type used the `patients` GIN
-- index, which yields the patient's rows of every type, to be filtered by type on the heap. These expression
-- indexes key each version by `Type/patientId` instead, so `Observation` of patient p is one posting list.
-- The keys are computed from res_type and patients, so every existing row is indexed as the index is built
-- (the backfill) and the writer needs no change; rows with NULL patients get no keys and match nothing.
CREATE OR REPLACE FUNCTION twinfhir_typed_patients(res_type text, patients text[]) RETURNS text[]
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT array_agg(res_type || '/' || p) FROM unnest(patients) AS p $$;
-- fastupdate off: with the default, new entries wait in a pending list that every search scans in full
-- until (auto)vacuum merges it — after an ingest that was most of a patient-scoped page's cost (measured:
-- 257 buffers for an 8-row page, 9 once merged). Writes pay a little more per version instead.
CREATE INDEX IF NOT EXISTS resource_typed_patients ON resource USING gin (twinfhir_typed_patients(res_type, patients)) WITH (fastupdate = off);
CREATE INDEX IF NOT EXISTS history_typed_patients ON resource_history USING gin (twinfhir_typed_patients(res_type, patients)) WITH (fastupdate = off);
-- The same for migration 010's indexes (multi-type searches, include rounds): merge what is pending now.
ALTER INDEX resource_patients SET (fastupdate = off);
ALTER INDEX history_patients SET (fastupdate = off);
SELECT gin_clean_pending_list('resource_patients'::regclass), gin_clean_pending_list('history_patients'::regclass);
