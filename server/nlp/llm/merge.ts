/** One finding per fact, as the rules engine reports them: a patient condition once per concept, each measurement once. */
import type { ConceptCoder } from '../coding';
import type { Assertion, Finding, FindingAttributes } from '../finding';
import { dedupeObservations } from '../rules/observation-findings';

const RANK: Record<Assertion, number> = { present: 3, historical: 2, possible: 1, negated: 0, family: 0, hypothetical: 0 };
const ATTRIBUTES = ['histology', 'laterality', 'figo'] as const;
const POSSIBLE_CONFIDENCE = 0.6;

const isPatientCondition = (f: Finding): boolean => f.kind === 'condition' && RANK[f.assertion] > 0;
const byPosition = (a: Finding, b: Finding): number => a.offset - b.offset || a.concept.localeCompare(b.concept);

/** Mentions of one concept → one finding: the most certain assertion, quoted where the most attributes were stated. */
function mergeConcept(list: Finding[], coder: ConceptCoder): Finding {
  const assertion = list.reduce<Assertion>((best, f) => (RANK[f.assertion] > RANK[best] ? f.assertion : best), 'possible');
  const score = (f: Finding): number => Object.keys(f.attributes).length * 10 + RANK[f.assertion];
  const rep = list.reduce((best, f) => (score(f) > score(best) ? f : best), list[0]);
  const attributes: FindingAttributes = {};
  for (const key of ATTRIBUTES) {
    const value = rep.attributes[key] ?? list.find((f) => f.attributes[key])?.attributes[key];
    if (value) attributes[key] = value;
  }
  const date = rep.date ?? list.find((f) => f.date)?.date;
  const confidence = Math.max(...list.map((f) => f.confidence));
  return {
    ...rep, assertion, attributes, ...(date ? { date } : {}),
    codes: coder.conditionCodes(rep.concept, attributes.laterality?.key),
    confidence: assertion === 'possible' ? Math.min(confidence, POSSIBLE_CONFIDENCE) : confidence,
  };
}

/** Merges the findings of all chunks (overlaps repeat mentions) into one list in text order. */
export function mergeFindings(findings: readonly Finding[], coder: ConceptCoder): Finding[] {
  const sorted = [...findings].sort(byPosition);
  const patient = new Map<string, Finding[]>();
  const others = new Map<string, Finding>();
  const observations: Finding[] = [];
  for (const f of sorted) {
    if (f.kind === 'observation') observations.push(f);
    else if (isPatientCondition(f)) patient.set(f.concept, [...(patient.get(f.concept) ?? []), f]);
    else {
      const key = `${f.concept}|${f.kind}|${f.assertion}|${f.attributes.relationship?.key ?? ''}`;
      if (!others.has(key)) others.set(key, f);
    }
  }
  const merged = [...patient.values()].map((list) => mergeConcept(list, coder));
  return [...merged, ...others.values(), ...dedupeObservations(observations)].sort(byPosition);
}
