/**
 * Written provisional resources (Condition, Observation, FamilyMemberHistory) back to scoreable Findings, so that
 * eval:nlp scores what the pipeline stored, not what the engine returned. Codes are resolved with mappings/ only.
 */
import type { CodeableConcept, Condition, Extension, FamilyMemberHistory, Observation, Resource } from 'fhir/r4';
import { HISTOLOGY_EXTENSION, LATERALITY_EXTENSION } from '../fhir/condition';
import { NLP_EVIDENCE_URL } from '../../core/canonical-urls';
import type { Assertion, Code, Finding, FindingAttributes, FindingValue } from '../finding';
import type { ConceptIndex } from './concept-index';

/** LOINC 48018-6 Gene studied: the component naming a variant's HGNC gene. */
const GENE_STUDIED = '48018-6';

/** One nlp-evidence extension: one grounded mention of the note. */
export interface Evidence {
  quote: string;
  offset: number;
  length: number;
  extractor: string;
  confidence: number;
  assertion?: Assertion;
}

export interface ConvertedResources {
  findings: Finding[];
  /** Resources whose code (or value) mappings/ cannot name: a conversion gap, reported instead of silently dropped. */
  unmapped: string[];
}

const ASSERTIONS = new Set<string>(['present', 'negated', 'possible', 'family', 'hypothetical', 'historical']);
/** A merged resource keeps its strongest mention's assertion, as the builder's grouping does. */
const PRECEDENCE: Partial<Record<Assertion, number>> = { present: 3, historical: 2, possible: 1 };

export function evidenceOf(r: { extension?: Extension[] }): Evidence[] {
  return (r.extension ?? []).filter((e) => e.url === NLP_EVIDENCE_URL).map((ev) => {
    const part = (url: string): Extension | undefined => ev.extension?.find((x) => x.url === url);
    const assertion = part('assertion')?.valueCode;
    return {
      quote: part('quote')?.valueString ?? '',
      offset: part('offset')?.valueInteger ?? -1,
      length: part('length')?.valueInteger ?? 0,
      extractor: part('extractor')?.valueString ?? '',
      confidence: part('confidence')?.valueDecimal ?? 0,
      ...(assertion && ASSERTIONS.has(assertion) ? { assertion: assertion as Assertion } : {}),
    };
  });
}

const codesOf = (cc: CodeableConcept | undefined): Code[] =>
  (cc?.coding ?? []).filter((c) => c.system && c.code).map((c) => ({ system: c.system ?? '', code: c.code ?? '' }));

/** A resource without evidence still states its fact: it scores by concept, on a span that overlaps nothing. */
const NO_SPAN: Evidence = { quote: '', offset: -1, length: 0, extractor: '', confidence: 0 };

function strongest(evidence: Evidence[], fallback: Assertion): Assertion {
  const rank = (a: Assertion | undefined): number => (a ? PRECEDENCE[a] ?? 0 : 0);
  return evidence.map((e) => e.assertion).reduce<Assertion>((acc, a) => (a && rank(a) > rank(acc) ? a : acc), evidence[0]?.assertion ?? fallback);
}

function conditionAttributes(c: Condition, index: ConceptIndex): FindingAttributes {
  const out: FindingAttributes = {};
  const histology = c.extension?.find((e) => e.url === HISTOLOGY_EXTENSION)?.valueCodeableConcept;
  const hKey = index.histology(histology?.coding?.[0]);
  if (hKey) out.histology = { key: hKey, code: codesOf(histology)[0] };
  const side = c.bodySite?.flatMap((s) => s.extension ?? []).find((e) => e.url === LATERALITY_EXTENSION)?.valueCodeableConcept;
  // without a known body structure the builder writes the side's key as text only
  const lKey = index.laterality(side?.coding?.[0]) ?? side?.text;
  if (lKey) out.laterality = { key: lKey, ...(side?.coding?.[0] ? { code: codesOf(side)[0] } : {}) };
  const stage = c.stage?.map((s) => s.summary).find((s) => index.figo(s?.coding?.[0]));
  const fKey = index.figo(stage?.coding?.[0]);
  if (fKey) out.figo = { key: fKey, code: codesOf(stage)[0] };
  return out;
}

/** One condition Finding per nlp-evidence (merged mentions), each with its own assertion and span. */
function fromCondition(c: Condition, index: ConceptIndex, out: ConvertedResources): void {
  const concept = index.condition(c.code?.coding ?? []);
  if (!concept) { out.unmapped.push(`Condition/${c.id ?? ''} ${JSON.stringify(c.code?.coding ?? [])}`); return; }
  const fallback: Assertion = c.clinicalStatus?.coding?.[0]?.code === 'inactive' ? 'historical' : 'present';
  const attributes = conditionAttributes(c, index);
  const evidence = evidenceOf(c);
  for (const ev of evidence.length ? evidence : [NO_SPAN]) {
    out.findings.push({
      concept, kind: 'condition', codes: codesOf(c.code), assertion: ev.assertion ?? fallback,
      ...(c.onsetDateTime ? { date: c.onsetDateTime } : {}), attributes,
      quote: ev.quote, offset: ev.offset, length: ev.length, confidence: ev.confidence, engine: ev.extractor,
    });
  }
}

function observationValue(o: Observation, concept: string, index: ConceptIndex): Pick<Finding, 'value' | 'unit' | 'comparator' | 'valueCode'> | undefined {
  const q = o.valueQuantity;
  if (q?.value !== undefined) {
    const unit = q.code ?? q.unit;
    return { value: q.value, ...(unit ? { unit } : {}), ...(q.comparator ? { comparator: q.comparator } : {}) };
  }
  if (o.valueInteger !== undefined) return { value: o.valueInteger };
  const coding = o.valueCodeableConcept?.coding?.[0];
  const value: FindingValue | undefined = concept === 'figo_stage' ? index.figo(coding) : index.variant(coding);
  return value ? { value, valueCode: codesOf(o.valueCodeableConcept)[0] } : undefined;
}

/** One observation Finding per Observation: the scorer pairs measurements one to one, and one resource is one measurement. */
function fromObservation(o: Observation, index: ConceptIndex, out: ConvertedResources): void {
  const gene = o.component?.find((c) => c.code.coding?.some((x) => x.code === GENE_STUDIED))?.valueCodeableConcept?.coding?.[0]?.code;
  const concept = index.observation(o.code.coding ?? [], gene);
  const value = concept ? observationValue(o, concept, index) : undefined;
  if (!concept || !value) { out.unmapped.push(`Observation/${o.id ?? ''} ${JSON.stringify(o.code.coding ?? [])}`); return; }
  const evidence = evidenceOf(o);
  const first = evidence[0] ?? NO_SPAN;
  out.findings.push({
    concept, kind: 'observation', codes: codesOf(o.code), ...value, assertion: strongest(evidence, 'present'),
    ...(o.effectiveDateTime ? { date: o.effectiveDateTime } : {}), attributes: {},
    quote: first.quote, offset: first.offset, length: first.length, confidence: first.confidence, engine: first.extractor,
  });
}

/**
 * One family Finding per relative's condition. The evidence of a FamilyMemberHistory is per relative, not per
 * condition, so each carries the first mention's span.
 */
function fromFamily(h: FamilyMemberHistory, index: ConceptIndex, out: ConvertedResources): void {
  const relationship = h.relationship.coding?.[0]?.code;
  const first = evidenceOf(h)[0] ?? NO_SPAN;
  for (const c of h.condition ?? []) {
    const concept = index.condition(c.code.coding ?? []);
    if (!concept) { out.unmapped.push(`FamilyMemberHistory/${h.id ?? ''} ${JSON.stringify(c.code.coding ?? [])}`); continue; }
    out.findings.push({
      concept, kind: 'family', codes: codesOf(c.code), assertion: 'family',
      attributes: relationship ? { relationship: { key: relationship, code: codesOf(h.relationship)[0] } } : {},
      quote: first.quote, offset: first.offset, length: first.length, confidence: first.confidence, engine: first.extractor,
    });
  }
}

/** Findings of the Conditions, Observations and FamilyMemberHistory among `resources` (others are ignored), in note order. */
export function findingsFromResources(resources: Resource[], index: ConceptIndex): ConvertedResources {
  const out: ConvertedResources = { findings: [], unmapped: [] };
  for (const r of resources) {
    if (r.resourceType === 'Condition') fromCondition(r as Condition, index, out);
    else if (r.resourceType === 'Observation') fromObservation(r as Observation, index, out);
    else if (r.resourceType === 'FamilyMemberHistory') fromFamily(r as FamilyMemberHistory, index, out);
  }
  out.findings.sort((a, b) => a.offset - b.offset);
  return out;
}
