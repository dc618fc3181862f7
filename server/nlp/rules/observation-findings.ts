/** Turns lab values, FIGO stages, ECOG scores and BRCA results into (deduplicated) observation findings. */
import type { ConceptCoder } from '../coding';
import type { Assertion, Finding } from '../finding';
import type { NoteAnalysis } from './analysis';
import type { DateBinder } from './date-binding';
import type { VariantMention } from './genomics';
import type { LabValue } from './labs';
import type { EcogMention, StageMention } from './staging';

export interface ObservationParts {
  labs: Array<{ lab: LabValue; assertion: Assertion }>;
  stages: Array<{ stage: StageMention; assertion: Assertion }>;
  ecog: Array<{ ecog: EcogMention; assertion: Assertion }>;
  variants: VariantMention[];
}

function span(a: NoteAnalysis, start: number, end: number): Pick<Finding, 'quote' | 'offset' | 'length'> {
  return { quote: a.text.slice(start, end), offset: start, length: end - start };
}

function labFinding(a: NoteAnalysis, coder: ConceptCoder, binder: DateBinder, lab: LabValue, assertion: Assertion): Finding {
  const date = lab.date ?? binder.bind({ start: lab.valueStart, end: lab.valueEnd, concept: lab.concept, analyteStart: lab.quoteStart, ...(lab.table ? { table: true } : {}) });
  const unit = coder.preferredUnit(lab.concept);
  return {
    concept: lab.concept, kind: 'observation', codes: coder.observationCodes(lab.concept),
    value: lab.value, unit: lab.ucum, ...(lab.comparator ? { comparator: lab.comparator } : {}),
    ...(unit ? { normalized: { value: lab.normalized, unit } } : {}),
    valueText: lab.valueText, ...(lab.unitText ? { unitText: lab.unitText } : {}),
    assertion, ...(date ? { date } : {}), attributes: {}, ...span(a, lab.quoteStart, lab.quoteEnd),
    confidence: lab.table ? 0.85 : lab.assumedUnit || lab.continuation ? 0.75 : 0.9, engine: 'rules', ...(lab.table ? { table: true } : {}),
  };
}

/** Same concept and value (within 0.5 %) on the same or an unknown date: one measurement mentioned twice. */
function sameMeasurement(x: Finding, y: Finding): boolean {
  if (x.concept !== y.concept || x.assertion !== y.assertion) return false;
  if (x.date && y.date && x.date !== y.date) return false;
  const xv = x.normalized?.value ?? x.value;
  const yv = y.normalized?.value ?? y.value;
  if (typeof xv === 'number' && typeof yv === 'number') return Math.abs(xv - yv) <= 0.005 * Math.max(Math.abs(xv), Math.abs(yv), 1e-9);
  return xv === yv;
}

export function dedupeObservations(findings: Finding[]): Finding[] {
  const kept: Finding[] = [];
  for (const f of findings) {
    const twin = kept.find((k) => sameMeasurement(k, f));
    if (!twin) kept.push(f);
    else if (!twin.date && f.date) twin.date = f.date;
  }
  return kept;
}

function stageFindings(a: NoteAnalysis, coder: ConceptCoder, parts: ObservationParts): Finding[] {
  return parts.stages.map(({ stage, assertion }) => ({
    concept: 'figo_stage', kind: 'observation' as const, codes: coder.observationCodes('figo_stage'),
    value: stage.stage, ...(coder.figoCode(stage.stage) ? { valueCode: coder.figoCode(stage.stage) } : {}),
    valueText: stage.stage, assertion, attributes: {}, ...span(a, stage.start, stage.end),
    confidence: stage.explicit ? 0.95 : 0.8, engine: 'rules',
  }));
}

function ecogFindings(a: NoteAnalysis, coder: ConceptCoder, binder: DateBinder, parts: ObservationParts): Finding[] {
  return parts.ecog.map(({ ecog, assertion }) => {
    const date = ecog.date ?? binder.bind({ start: ecog.valueStart, end: ecog.valueEnd });
    return {
      concept: 'ecog', kind: 'observation' as const, codes: coder.observationCodes('ecog'), value: ecog.value,
      valueText: String(ecog.value), assertion, ...(date ? { date } : {}), attributes: {},
      ...span(a, ecog.start, ecog.end), confidence: ecog.earlier ? 0.8 : 0.95, engine: 'rules',
    };
  });
}

/**
 * One finding per gene, answer and test: a tumour "BRCA1 wild type" next to a germline "BRCA1/2 neg" is two results,
 * the same result repeated (or one whose test the note leaves open) is one.
 */
function distinctVariants(variants: VariantMention[]): VariantMention[] {
  const kept: VariantMention[] = [];
  for (const v of variants) {
    const same = kept.find((k) => k.gene === v.gene && k.value === v.value && (!k.origin || !v.origin || k.origin === v.origin));
    if (!same) kept.push(v);
    else same.origin ??= v.origin;
  }
  return kept;
}

function variantFindings(a: NoteAnalysis, coder: ConceptCoder, parts: ObservationParts): Finding[] {
  return distinctVariants(parts.variants).map((v) => {
    const concept = `${v.gene}_variant`;
    const gene = coder.gene(concept);
    return {
      concept, kind: 'observation' as const, codes: coder.observationCodes(concept), value: v.value,
      valueCode: coder.variantAnswer(v.value), assertion: 'present' as const, attributes: gene ? { gene } : {},
      ...span(a, v.start, v.end), confidence: v.confidence, engine: 'rules',
    };
  });
}

/** Observation findings of the note, each measured value once. */
export function buildObservationFindings(a: NoteAnalysis, coder: ConceptCoder, binder: DateBinder, parts: ObservationParts): Finding[] {
  const labs = parts.labs.map(({ lab, assertion }) => labFinding(a, coder, binder, lab, assertion));
  return [...dedupeObservations([...labs, ...stageFindings(a, coder, parts), ...ecogFindings(a, coder, binder, parts)]), ...variantFindings(a, coder, parts)];
}
