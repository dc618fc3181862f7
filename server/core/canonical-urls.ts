/**
 * Canonical URLs in one place: our own artifacts under https://twinfhir.org/fhir (DESIGN.md §4) and
 * the external code systems several modules name. Imported by the server and the review page alike.
 */
import type { Coding } from 'fhir/r4';

export const TWINFHIR_BASE = 'https://twinfhir.org/fhir';
/** Our CodeSystem: review-state tags (provisional, verified, refuted), the digital-twin type, Task codes. */
export const TWINFHIR_CODESYSTEM = `${TWINFHIR_BASE}/CodeSystem/twinfhir`;
/** The extension that carries a finding's quoted evidence (offset, length, extractor, confidence). */
export const NLP_EVIDENCE_URL = `${TWINFHIR_BASE}/StructureDefinition/nlp-evidence`;
export const NLP_CONDITION_PROFILE = `${TWINFHIR_BASE}/StructureDefinition/nlp-condition`;
export const NLP_OBSERVATION_PROFILE = `${TWINFHIR_BASE}/StructureDefinition/nlp-observation`;
export const TWIN_PROFILE = `${TWINFHIR_BASE}/StructureDefinition/digital-twin`;
/** Identifier system of twins: the value is the patient's id (one twin per patient). */
export const TWIN_IDENTIFIER_SYSTEM = `${TWINFHIR_BASE}/NamingSystem/digital-twin`;

/**
 * The review page's amend form offers the codes of these ValueSets ($expand): the NLP catalogue's
 * group ValueSets plus the hospital's own CodeSystem of local codes for that kind of finding.
 */
export const amendValueSetUrl = (kind: 'conditions' | 'observations'): string => `${TWINFHIR_BASE}/ValueSet/nlp-amend-${kind}`;
/** A hospital's local codes, offered by the amend form: ours to create once, theirs to fill (PUT) afterwards. */
export const localCodeSystemUrl = (kind: 'conditions' | 'observations'): string => `${TWINFHIR_BASE}/CodeSystem/nlp-local-${kind}`;

/** Canonical of one of our OperationDefinitions, e.g. `verify` → .../OperationDefinition/verify. */
export const operationDefinitionUrl = (name: string): string => `${TWINFHIR_BASE}/OperationDefinition/${name}`;
/** Canonical of a core FHIR R4 OperationDefinition, e.g. `Patient-everything`. */
export const hl7OperationDefinitionUrl = (name: string): string => `http://hl7.org/fhir/OperationDefinition/${name}`;
/** The Bulk Data Access IG's OperationDefinitions (export, patient-export, group-export). */
export const bulkDataOperationDefinitionUrl = (name: string): string => `http://hl7.org/fhir/uv/bulkdata/OperationDefinition/${name}`;

export const SNOMED = 'http://snomed.info/sct';
export const LOINC = 'http://loinc.org';
export const UCUM = 'http://unitsofmeasure.org';
export const CONDITION_VER_STATUS = 'http://terminology.hl7.org/CodeSystem/condition-ver-status';
/** HL7 v3 ObservationValue: security labels and observation values such as AIAST and SUBSETTED. */
export const V3_OBSERVATION_VALUE = 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue';

/** HL7 v3 ObservationValue AIAST: the content was asserted by an AI system (meta.security of every NLP finding). */
export const AI_ASSERTED: Readonly<Coding> = { system: V3_OBSERVATION_VALUE, code: 'AIAST', display: 'Artificial Intelligence asserted' };
