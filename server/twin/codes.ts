/** Systems, codes and section definitions of the Digital Twin Composition (DESIGN.md §4, profiles/structuredefinition-digital-twin.json). */
import type { CodeableConcept, Coding } from 'fhir/r4';
import { LOINC, SNOMED, TWINFHIR_CODESYSTEM } from '../core/canonical-urls';

export const EMPTY_REASON_CS = 'http://terminology.hl7.org/CodeSystem/list-empty-reason';
export const LIST_ORDER_CS = 'http://terminology.hl7.org/CodeSystem/list-order';
export const OBSERVATION_CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';

export const TWIN_TYPE: CodeableConcept = {
  coding: [
    { system: TWINFHIR_CODESYSTEM, code: 'digital-twin', display: 'Digital Twin' },
    { system: LOINC, code: '60591-5', display: 'Patient summary Document' },
  ],
  text: 'Digital Twin',
};

/** The section families, in the order they appear in the twin. */
export type SectionKey =
  | 'problems' | 'provisional' | 'staging' | 'tumor-markers' | 'genomics' | 'functional-status'
  | 'medications' | 'procedures' | 'results' | 'vital-signs' | 'immunizations' | 'allergies' | 'documents';

export interface SectionDef {
  key: SectionKey;
  title: string;
  /** IPS LOINC code first where one fits, then ours. */
  coding: Coding[];
}

const loinc = (code: string, display: string): Coding => ({ system: LOINC, code, display });
const ours = (code: string, display: string): Coding => ({ system: TWINFHIR_CODESYSTEM, code, display });

export const SECTIONS: Readonly<Record<SectionKey, SectionDef>> = {
  problems: { key: 'problems', title: 'Problem list (verified conditions)', coding: [loinc('11450-4', 'Problem list - Reported'), ours('verified-conditions', 'Verified conditions')] },
  provisional: { key: 'provisional', title: 'Provisional findings (awaiting clinician review)', coding: [ours('provisional-findings', 'Provisional findings')] },
  staging: { key: 'staging', title: 'Cancer staging', coding: [ours('cancer-staging', 'Cancer staging')] },
  'tumor-markers': { key: 'tumor-markers', title: 'Tumor markers', coding: [ours('tumor-markers', 'Tumor markers')] },
  genomics: { key: 'genomics', title: 'Genomics', coding: [ours('genomics', 'Genomics')] },
  'functional-status': { key: 'functional-status', title: 'Functional status', coding: [loinc('47420-5', 'Functional status assessment note')] },
  medications: { key: 'medications', title: 'Medication summary', coding: [loinc('10160-0', 'History of Medication use Narrative'), ours('medications', 'Medications')] },
  procedures: { key: 'procedures', title: 'Procedures', coding: [loinc('47519-4', 'History of Procedures Document')] },
  results: { key: 'results', title: 'Results', coding: [loinc('30954-2', 'Relevant diagnostic tests/laboratory data Narrative')] },
  'vital-signs': { key: 'vital-signs', title: 'Vital signs', coding: [loinc('8716-3', 'Vital signs')] },
  immunizations: { key: 'immunizations', title: 'Immunizations', coding: [loinc('11369-6', 'History of Immunization Narrative')] },
  allergies: { key: 'allergies', title: 'Allergies and intolerances', coding: [loinc('48765-2', 'Allergies and adverse reactions Document')] },
  documents: { key: 'documents', title: 'Source documents', coding: [ours('source-documents', 'Source documents')] },
};

export const SECTION_ORDER: readonly SectionKey[] = [
  'problems', 'provisional', 'staging', 'tumor-markers', 'genomics', 'functional-status',
  'medications', 'procedures', 'results', 'vital-signs', 'immunizations', 'allergies', 'documents',
];

/** Tumor markers (mappings/nlp-concepts.json), in the order their series are shown. */
export const TUMOR_MARKERS: readonly { name: string; loinc: readonly string[] }[] = [
  { name: 'CA-125', loinc: ['10334-1', '83082-8'] },
  { name: 'HE4', loinc: ['55180-4'] },
  { name: 'CEA', loinc: ['2039-6'] },
  { name: 'CA 19-9', loinc: ['24108-3'] },
];

/** Stage observations: FIGO (SNOMED, as mCODE CancerStage) and LOINC stage groups. */
export const STAGING_CODES: readonly Coding[] = [
  { system: SNOMED, code: '385361009' }, { system: SNOMED, code: '385363007' }, { system: SNOMED, code: '385365000' },
  { system: LOINC, code: '21908-9' }, { system: LOINC, code: '21902-2' },
];

/** Variant assessments and genetic panels; LOINC 48018-6 is the "gene studied" component. */
export const GENOMICS_CODES: readonly string[] = ['69548-6', '81247-9', '53037-8'];
export const GENE_STUDIED = '48018-6';
export const ECOG = '89247-1';

export function hasCoding(cc: CodeableConcept | undefined, system: string, codes: readonly string[]): boolean {
  return (cc?.coding ?? []).some((c) => c.system === system && c.code !== undefined && codes.includes(c.code));
}

export const emptyReason = (): CodeableConcept => ({ coding: [{ system: EMPTY_REASON_CS, code: 'nilknown', display: 'Nil Known' }] });
export const orderedByDate = (): CodeableConcept => ({ coding: [{ system: LIST_ORDER_CS, code: 'event-date', display: 'Sorted by Event Date' }] });
