/** Types of the review page (no DOM, no Node): the amend form's code choices and findings. */
import type { Coding, Condition, Observation } from 'fhir/r4';

/** One code the amend form offers (from ValueSet/$expand of the amend ValueSets). */
export interface ConceptEntry {
  id: string;
  display: string;
  /** The codings written when the clinician picks this entry. */
  codings: Coding[];
  /** The entry's codes as `system|code`, to recognise the entry of an existing finding. */
  keys: string[];
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
