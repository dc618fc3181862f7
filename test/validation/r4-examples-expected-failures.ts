/** The official R4 examples our validator rejects, each with the reason and an error it must produce. */

export type Why = 'not a resource' | 'rejected by the official R4 JSON schema' | 'breaks an R4 rule the schema does not encode';

/** file → why it fails, and a fragment of one error it must produce. */
export const EXPECTED_FAILURES: Record<string, { why: Why; error: string }> = {
  'package.json': { why: 'not a resource', error: "Missing 'resourceType'" },
  'SearchParameter-questionnaireresponse-extensions-QuestionnaireResponse-item-subject.json': {
    why: 'rejected by the official R4 JSON schema',
    error: "Invalid resource id 'questionnaireresponse-extensions-QuestionnaireResponse-it", // 72 characters, the limit is 64
  },
  // cardinality (min 1) of primitive elements, which the schema cannot require
  'Questionnaire-qs1.json': { why: 'breaks an R4 rule the schema does not encode', error: "Missing required element 'linkId'" },
  'ImplementationGuide-fhir.json': { why: 'breaks an R4 rule the schema does not encode', error: "Missing required element 'name'" },
  'ig-r4.json': { why: 'breaks an R4 rule the schema does not encode', error: "Missing required element 'status'" },
  ...Object.fromEntries(
    ['codesystem-extensions-CodeSystem', 'valueset-extensions-ValueSet'].flatMap((p) =>
      ['author', 'effective', 'end', 'keyword', 'workflow'].map((s) => [
        `SearchParameter-${p}-${s}.json`,
        { why: 'breaks an R4 rule the schema does not encode' as Why, error: "Missing required element 'base'" },
      ]),
    ),
  ),
  // txt-2: a narrative div with only whitespace
  'ActivityDefinition-blood-tubes-supply.json': { why: 'breaks an R4 rule the schema does not encode', error: 'txt-2' },
  'ActivityDefinition-heart-valve-replacement.json': { why: 'breaks an R4 rule the schema does not encode', error: 'txt-2' },
  'EventDefinition-example.json': { why: 'breaks an R4 rule the schema does not encode', error: 'txt-2' },
  'Questionnaire-zika-virus-exposure-assessment.json': { why: 'breaks an R4 rule the schema does not encode', error: 'txt-2' },
  // bdl-7: the same fullUrl twice in one Bundle
  'Bundle-dataelements.json': { why: 'breaks an R4 rule the schema does not encode', error: 'bdl-7: FullUrl must be unique' },
  // a RESTful fullUrl that disagrees with the resource id (Bundle.entry.fullUrl definition)
  'Bundle-lri-example.json': { why: 'breaks an R4 rule the schema does not encode', error: "does not match the resource Observation/gramstain1" },
  'Bundle-10bb101f-a121-4264-a920-67be9cb82c74.json': { why: 'breaks an R4 rule the schema does not encode', error: 'does not match the resource Patient/pat2' },
  'Bundle-3a0707d3-549e-4467-b8b8-5a2ab3800efe.json': { why: 'breaks an R4 rule the schema does not encode', error: 'does not match the resource Patient/pat2' },
  // references to a resource type the element does not allow
  'DeviceMetric-example.json': { why: 'breaks an R4 rule the schema does not encode', error: 'A reference to DeviceDefinition is not allowed here' },
  'DeviceUseStatement-example.json': { why: 'breaks an R4 rule the schema does not encode', error: 'A reference to Procedure is not allowed here' },
  'MedicationRequest-medrx0301.json': { why: 'breaks an R4 rule the schema does not encode', error: 'A reference to Practitioner is not allowed here' },
  'Observation-clinical-gender.json': { why: 'breaks an R4 rule the schema does not encode', error: 'A reference to Encounter is not allowed here' },
};

