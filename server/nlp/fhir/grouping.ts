/** Routes a run's findings to resource kinds and merges mentions of the same fact into one group per resource. */
import { type Assertion, type AttributeName, type Finding, type FindingAttributes, isPatientFinding } from '../finding';
import { findingDate } from './meta';

/** One future resource: the merged finding it is built from and every mention that grounds it. */
export interface FindingGroup {
  finding: Finding;
  /** In note order; each becomes one nlp-evidence extension. */
  mentions: Finding[];
}

/** One relative (by RoleCode) and the conditions the note says they had. */
export interface FamilyGroup {
  relationship: string;
  conditions: FindingGroup[];
}

export interface RoutedFindings {
  conditions: FindingGroup[];
  observations: FindingGroup[];
  family: FamilyGroup[];
  /** Family mentions of observations (e.g. a relative's BRCA result): no resource kind takes them. */
  familyObservations: Finding[];
}

/** A relative whose relationship the note does not name. */
export const UNKNOWN_RELATIVE = 'FAMMEMB';

const ATTRIBUTES: AttributeName[] = ['histology', 'laterality', 'figo', 'relationship', 'gene', 'grade'];

/** Which assertion a merged Condition keeps: a stated fact beats a past one beats a suspicion. */
const PRECEDENCE: Partial<Record<Assertion, number>> = { present: 3, historical: 2, possible: 1 };

const compatible = (a: string | undefined, b: string | undefined): boolean => a === undefined || b === undefined || a === b;

function sameCondition(g: Finding, f: Finding): boolean {
  return g.concept === f.concept && compatible(findingDate(g), findingDate(f))
    && compatible(g.attributes.laterality?.key, f.attributes.laterality?.key);
}

/** Same concept, comparator and value (numbers within 0.5 %) on the same effective date: one measurement. */
function sameMeasurement(g: Finding, f: Finding, fallbackDate: string | undefined): boolean {
  if (g.concept !== f.concept || g.comparator !== f.comparator) return false;
  if ((findingDate(g) ?? fallbackDate) !== (findingDate(f) ?? fallbackDate)) return false;
  const gv = g.normalized?.value ?? g.value;
  const fv = f.normalized?.value ?? f.value;
  if (typeof gv === 'number' && typeof fv === 'number') {
    return (g.normalized?.unit ?? g.unit) === (f.normalized?.unit ?? f.unit) && Math.abs(gv - fv) <= 0.005 * Math.max(Math.abs(gv), Math.abs(fv), 1e-9);
  }
  return gv === fv && g.valueCode?.code === f.valueCode?.code;
}

/** The merged view: the most confident mention, the strongest assertion, any stated date, each attribute from the most confident holder. */
function merge(mentions: Finding[]): Finding {
  const byConfidence = [...mentions].sort((a, b) => b.confidence - a.confidence);
  const best = byConfidence[0];
  const assertion = mentions.reduce<Assertion>((acc, m) => ((PRECEDENCE[m.assertion] ?? 0) > (PRECEDENCE[acc] ?? 0) ? m.assertion : acc), best.assertion);
  const attributes: FindingAttributes = {};
  for (const name of ATTRIBUTES) {
    const holder = byConfidence.find((m) => m.attributes[name]);
    if (holder) attributes[name] = holder.attributes[name];
  }
  const date = mentions.map(findingDate).find((d) => d !== undefined);
  const { date: _omit, ...rest } = best;
  return { ...rest, assertion, attributes, ...(date ? { date } : {}) };
}

function addTo(groups: Finding[][], f: Finding, same: (g: Finding, f: Finding) => boolean): void {
  const group = groups.find((g) => same(merge(g), f));
  if (group) group.push(f);
  else groups.push([f]);
}

const toGroups = (groups: Finding[][]): FindingGroup[] =>
  groups.map((mentions) => ({ finding: merge(mentions), mentions }));

function familyGroups(mentions: Finding[]): FamilyGroup[] {
  const byRelative = new Map<string, Finding[][]>();
  for (const f of mentions) {
    const key = f.attributes.relationship?.code?.code ?? f.attributes.relationship?.key ?? UNKNOWN_RELATIVE;
    const groups = byRelative.get(key) ?? [];
    // a relative's condition has no onset or side worth splitting on: one entry per concept
    addTo(groups, f, (g, x) => g.concept === x.concept);
    byRelative.set(key, groups);
  }
  return [...byRelative].map(([relationship, groups]) => ({ relationship, conditions: toGroups(groups) }));
}

/**
 * Negated and hypothetical mentions become nothing; family mentions become FamilyMemberHistory;
 * present, historical and possible ones become the patient's Conditions and Observations.
 */
export function routeFindings(findings: Finding[], fallbackDate: string | undefined): RoutedFindings {
  const ordered = [...findings].sort((a, b) => a.offset - b.offset);
  const conditions: Finding[][] = [];
  const observations: Finding[][] = [];
  const family: Finding[] = [];
  const familyObservations: Finding[] = [];
  for (const f of ordered) {
    if (f.assertion === 'negated' || f.assertion === 'hypothetical') continue;
    if (f.kind === 'family' || f.assertion === 'family') {
      (f.kind === 'observation' ? familyObservations : family).push(f);
    } else if (isPatientFinding(f)) {
      if (f.kind === 'condition') addTo(conditions, f, sameCondition);
      else addTo(observations, f, (g, x) => sameMeasurement(g, x, fallbackDate));
    }
  }
  return { conditions: toGroups(conditions), observations: toGroups(observations), family: familyGroups(family), familyObservations };
}
