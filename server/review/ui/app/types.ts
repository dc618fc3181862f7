/** Types shared by the review page and its build step (no DOM, no Node): the concept dictionary and findings. */
import type { Coding, Condition, Observation } from 'fhir/r4';

/** One entry of the amend dictionary (/review/concepts.json, built from mappings/nlp-concepts.json). */
export interface ConceptEntry {
  id: string;
  display: string;
  /** Preferred codings to write, in order (SNOMED CT + ICD-10-CM for conditions, LOINC for observations). */
  codings: Coding[];
  /** Every code of the concept as `system|code`, to recognise the concept of an existing finding. */
  keys: string[];
  /** Preferred UCUM unit (observations with a numeric value). */
  unit?: string;
}

export interface ConceptList {
  conditions: ConceptEntry[];
  observations: ConceptEntry[];
}

export type ReviewState = 'provisional' | 'verified' | 'refuted' | 'unknown';

/** One quoted span grounding a finding (the nlp-evidence extension). */
export interface Evidence {
  quote: string;
  offset: number;
  length: number;
  extractor?: string;
  confidence?: number;
  /** present | historical | possible | family, as the note asserted it. */
  assertion?: string;
  /** `DocumentReference/id` the span was read from. */
  document?: string;
}

export type FindingResource = Condition | Observation;

/** A provisional or reviewed NLP finding, flattened for display. */
export interface Finding {
  /** `Condition/id` or `Observation/id`. */
  ref: string;
  resource: FindingResource;
  version: string;
  display: string;
  codes: Coding[];
  value?: string;
  date?: string;
  /** What `date` is: 'Onset' (stated in the note), 'Recorded' (no onset known) or an Observation's 'Date'. */
  dateLabel: DateLabel;
  assertion: string;
  confidence?: number;
  engine?: string;
  evidence: Evidence[];
  document?: string;
  state: ReviewState;
}

/** Label of a finding's date on the page: a recordedDate is never shown as an onset. */
export type DateLabel = 'Onset' | 'Recorded' | 'Date';
