/** The one finding model shared by every extractor (rules, llm, hybrid) and the Extractor contract. */

export type FindingKind = 'condition' | 'observation' | 'family';

/** ConText-style assertion of a mention (concepts.json "assertions"). */
export type Assertion = 'present' | 'negated' | 'possible' | 'family' | 'hypothetical' | 'historical';

export type Language = 'en' | 'de';

/** FIGO 2014 stages that carry an NCIt code in mappings/nlp-concepts.json. */
export type FigoStage =
  | 'I' | 'IA' | 'IB' | 'IC' | 'IC1' | 'IC2' | 'IC3'
  | 'II' | 'IIA' | 'IIB'
  | 'III' | 'IIIA' | 'IIIA1' | 'IIIA2' | 'IIIB' | 'IIIC'
  | 'IV' | 'IVA' | 'IVB';

export type VariantValue = 'present' | 'absent';

export type FindingValue = number | VariantValue | FigoStage;

export type Comparator = '<' | '<=' | '>' | '>=';

export interface Code {
  system: string;
  code: string;
  display?: string;
  version?: string;
}

/** One refinement of a finding: a dictionary key (e.g. 'high_grade_serous') and its coding when known. */
export interface AttributeValue {
  key: string;
  code?: Code;
  text?: string;
}

export type AttributeName = 'histology' | 'laterality' | 'figo' | 'relationship' | 'gene' | 'grade';

export type FindingAttributes = Partial<Record<AttributeName, AttributeValue>>;

/** Why an engine holds a would-be fact back as possible: the cue class and the cue's lexicon form (never note text). */
export interface AssertionCue {
  cue: 'negated' | 'possible' | 'hypothetical' | 'family' | 'question';
  word: string;
}

export interface Finding {
  /** Concept id from mappings (e.g. 'ovarian_cancer', 'ca125', 'figo_stage'). */
  concept: string;
  kind: FindingKind;
  /** Codings the finding carries; the first of each system is the preferred one. */
  codes: Code[];
  value?: FindingValue;
  /** UCUM code of `value` as written in the note. */
  unit?: string;
  comparator?: Comparator;
  /** The value converted to the concept's preferred UCUM unit, when a conversion exists. */
  normalized?: { value: number; unit: string };
  /** Coded value (LOINC answer for variants, NCIt for FIGO stages). */
  valueCode?: Code;
  valueText?: string;
  unitText?: string;
  assertion: Assertion;
  /** ISO date (YYYY, YYYY-MM or YYYY-MM-DD) stated in the text and bound to this finding. */
  date?: string;
  attributes: FindingAttributes;
  /** Verbatim text of the note at [offset, offset + length) of the ORIGINAL text. */
  quote: string;
  offset: number;
  length: number;
  confidence: number;
  engine: string;
  /** Read from a table cell: its date is its column's (or row's) header date. */
  table?: boolean;
  /** A possible finding the note would state as a fact but for an assertion cue of unclear scope near it. */
  uncertainty?: AssertionCue;
}

export interface ExtractInput {
  text: string;
  language?: Language;
  /** ISO date of the document; completes partial dates ("21/02") and relative ones ("two months ago"). */
  documentDate?: string;
  /** Where an engine reports what it dropped and why (feeds /metrics); optional. */
  diagnostics?: ExtractionDiagnostics;
}

export interface ExtractionDiagnostics {
  /** `reason` is a short kebab-case label, e.g. 'unknown-concept', 'invalid-value', 'quote-not-found'. */
  dropped(engine: string, reason: string, count?: number): void;
}

export interface Extractor {
  /** 'rules' | 'llm' | 'hybrid'. */
  readonly name: string;
  readonly version: string;
  /** Model name for model-backed engines (recorded on the Provenance Device). */
  readonly model?: string;
  /** Version of the prompt for model-backed engines. */
  readonly promptVersion?: string;
  extract(input: ExtractInput): Promise<Finding[]>;
}

/** True when the finding states something about the patient (may become a provisional resource). */
export function isPatientFinding(f: Finding): boolean {
  return f.assertion === 'present' || f.assertion === 'historical' || f.assertion === 'possible';
}

/** True when the finding may become a present (non-hypothetical, non-negated, own) Condition/Observation. */
export function isPresentFinding(f: Finding): boolean {
  return f.assertion === 'present' || f.assertion === 'historical';
}
