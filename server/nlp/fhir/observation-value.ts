/** The value[x] and category of an NLP Observation: UCUM quantity, integer score, FIGO stage or variant answer. */
import type { CodeableConcept, Observation, Quantity } from 'fhir/r4';
import type { ConceptCoder } from '../coding';
import type { Finding } from '../finding';
import { UCUM } from '../../core/canonical-urls';
import { concept } from './meta';

export const FIGO_CONCEPT = 'figo_stage';

/** Concepts that are not laboratory results; everything else mappings/ lists (tumor markers, blood counts, chemistry) is. */
const VITAL_SIGNS = new Set(['body_weight', 'body_height', 'bmi']);
const SURVEYS = new Set(['ecog']);

const CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';
const category = (code: string, display: string): CodeableConcept => ({ coding: [{ system: CATEGORY, code, display }] });
/** HL7 v2 table 0074 GE: the genomics category of a variant assessment (as in HL7 Genomics Reporting). */
const GENOMICS: CodeableConcept = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'GE', display: 'Genetics' }] };

export type ObservationValue = Pick<Observation, 'valueQuantity' | 'valueInteger' | 'valueCodeableConcept'>;

export const isVariant = (f: Finding): boolean => f.value === 'present' || f.value === 'absent';

/** FIGO stage: none (mCODE CancerStage has no category); ECOG: survey; variants: laboratory + genomics. */
export function categoriesOf(f: Finding): CodeableConcept[] | undefined {
  if (f.concept === FIGO_CONCEPT) return undefined;
  if (VITAL_SIGNS.has(f.concept)) return [category('vital-signs', 'Vital Signs')];
  if (SURVEYS.has(f.concept)) return [category('survey', 'Survey')];
  const lab = category('laboratory', 'Laboratory');
  return isVariant(f) ? [lab, GENOMICS] : [lab];
}

/** A converted value keeps at least 4 significant digits: enough for 1 % scoring, without the conversion's false precision. */
function roundConverted(v: number): number {
  if (v === 0 || !Number.isFinite(v)) return v;
  const digits = Math.max(4, Math.floor(Math.log10(Math.abs(v))) + 1);
  return Number(v.toPrecision(Math.min(digits, 15)));
}

function quantity(f: Finding, value: number): Quantity {
  const converted = f.normalized && f.normalized.unit !== f.unit;
  const amount = f.normalized ? (converted ? roundConverted(f.normalized.value) : f.normalized.value) : value;
  const unit = f.normalized?.unit ?? f.unit;
  return {
    value: amount,
    ...(f.comparator ? { comparator: f.comparator } : {}),
    ...(unit ? { unit, system: UCUM, code: unit } : {}),
  };
}

function codedValue(f: Finding, coder: ConceptCoder): ObservationValue | undefined {
  if (f.concept === FIGO_CONCEPT && typeof f.value === 'string') {
    const code = f.valueCode ?? coder.figoCode(f.value);
    return code ? { valueCodeableConcept: concept([code], `FIGO ${f.value}`) } : undefined;
  }
  if (f.value === 'present' || f.value === 'absent') {
    const answer = f.valueCode ?? coder.variantAnswer(f.value);
    return { valueCodeableConcept: concept([answer], answer.display ?? f.value) };
  }
  return f.valueCode ? { valueCodeableConcept: concept([f.valueCode], f.valueText) } : undefined;
}

/** The value as the note states it (normalized to the concept's UCUM unit when a conversion exists); undefined when there is none. */
export function observationValue(f: Finding, coder: ConceptCoder): ObservationValue | undefined {
  if (typeof f.value !== 'number') return codedValue(f, coder);
  if (!Number.isFinite(f.value)) return undefined;
  // scores (ECOG 0-5) are integers without a unit, as mCODE's ECOG performance status records them
  if (SURVEYS.has(f.concept) && !f.unit && !f.comparator && Number.isInteger(f.value)) return { valueInteger: f.value };
  return { valueQuantity: quantity(f, f.value) };
}
