-- Type-qualified compartment keys (issue 11): a patient-context search of one type used the `patients` GIN
-- index, which yields the patient's rows of every type, to be filtered by type on the heap; with a patient's
-- many Observations beside his other records that cost ~2x a `subject`-narrowed search. These expression
-- indexes key each version by `Type/patientId` instead, so `Observation` of patient p is one posting list.
-- The keys are computed from res_type and patients, so every existing row is indexed as the index is built
-- (nothing to backfill by hand) and the writer needs no change; rows with NULL patients get no keys.
CREATE OR REPLACE FUNCTION twinfhir_typed_patients(res_type text, patients text[]) RETURNS text[]
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT array_agg(res_type || '/' || p) FROM unnest(patients) AS p $$;
CREATE INDEX IF NOT EXISTS resource_typed_patients ON resource USING gin (twinfhir_typed_patients(res_type, patients));
CREATE INDEX IF NOT EXISTS history_typed_patients ON resource_history USING gin (twinfhir_typed_patients(res_type, patients));
