-- Exactly one current Digital Twin per patient, as a constraint rather than a convention: the twin
-- builder writes one deterministic id per patient under an advisory lock, and this index rejects any
-- second live twin-typed Composition for the same subject, whatever its id or writer.
CREATE UNIQUE INDEX IF NOT EXISTS resource_one_twin_per_patient
  ON resource ((content -> 'subject' ->> 'reference'))
  WHERE res_type = 'Composition' AND deleted = false
    AND content -> 'type' -> 'coding' @> '[{"system": "https://twinfhir.org/fhir/CodeSystem/twinfhir", "code": "digital-twin"}]';
