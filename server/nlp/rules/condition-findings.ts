/** Turns condition mentions into findings: one per concept for the patient, one per concept/context otherwise. */
import type { ConceptCoder } from '../coding';
import type { Assertion, Finding, FindingAttributes } from '../finding';
import type { NoteAnalysis } from './analysis';
import type { Bound, MentionAttributes } from './attributes';
import type { ConditionMention } from './conditions';
import type { ContextResult } from './context';

export interface AssessedMention {
  mention: ConditionMention;
  context: ContextResult;
  attributes: MentionAttributes;
  /** Onset or diagnosis date written right after the mention. */
  date?: string;
}

const PATIENT: ReadonlySet<Assertion> = new Set<Assertion>(['present', 'historical', 'possible']);
const RANK: Record<Assertion, number> = { present: 3, historical: 2, possible: 1, negated: 0, family: 0, hypothetical: 0 };

function strongest(list: AssessedMention[], key: keyof MentionAttributes): Bound | undefined {
  let best: Bound | undefined;
  for (const m of list) {
    const b = m.attributes[key];
    if (b && (!best || b.strength > best.strength)) best = b;
  }
  return best;
}

/**
 * The mention to quote: one that says what the Condition says (a present Condition never quotes "V.a. TVT links" when
 * "TVT … bestätigt" follows), then the most specific (attributes bound to it), then the most certain, then the first.
 */
function representative(list: AssessedMention[], assertion: Assertion): AssessedMention {
  const score = (m: AssessedMention): number => (m.context.assertion === assertion ? 100 : 0)
    + Object.values(m.attributes).filter((b: Bound | undefined) => b && b.strength >= 2).length * 10 + RANK[m.context.assertion];
  return list.reduce((best, m) => (score(m) > score(best) ? m : best), list[0]);
}

function quoteOf(a: NoteAnalysis, m: ConditionMention): Pick<Finding, 'quote' | 'offset' | 'length'> {
  const start = a.tokens[m.startTok].start;
  const end = a.tokens[m.endTok].end;
  return { quote: a.text.slice(start, end), offset: start, length: end - start };
}

function patientFinding(a: NoteAnalysis, coder: ConceptCoder, concept: string, list: AssessedMention[]): Finding {
  const assertion = list.reduce<Assertion>((best, m) => (RANK[m.context.assertion] > RANK[best] ? m.context.assertion : best), 'possible');
  const rep = representative(list, assertion);
  const attributes: FindingAttributes = {};
  const hist = strongest(list, 'histology');
  const lat = strongest(list, 'laterality');
  const figo = strongest(list, 'figo');
  if (hist) attributes.histology = coder.histology(hist.key);
  if (lat) attributes.laterality = coder.laterality(lat.key);
  if (figo) attributes.figo = coder.figo(figo.key);
  for (const k of Object.keys(attributes) as Array<keyof FindingAttributes>) if (!attributes[k]) delete attributes[k];
  const confidence = Math.max(...list.map((m) => m.mention.confidence));
  const date = rep.date ?? list.find((m) => m.date)?.date;
  const uncertainty = assertion === 'possible' ? rep.context.uncertain : undefined;
  return {
    concept, kind: 'condition', codes: coder.conditionCodes(concept, lat?.key), assertion, attributes, ...(date ? { date } : {}),
    ...(uncertainty ? { uncertainty } : {}),
    ...quoteOf(a, rep.mention), confidence: assertion === 'possible' ? Math.min(confidence, 0.6) : confidence, engine: 'rules',
  };
}

function otherFinding(a: NoteAnalysis, coder: ConceptCoder, m: AssessedMention): Finding {
  const family = m.context.assertion === 'family';
  return {
    concept: m.mention.concept, kind: family ? 'family' : 'condition', codes: coder.conditionCodes(m.mention.concept),
    assertion: m.context.assertion,
    attributes: family ? { relationship: coder.relationship(m.context.relation ?? 'FAMMEMB') } : {},
    ...quoteOf(a, m.mention), confidence: m.mention.confidence, engine: 'rules',
  };
}

/**
 * "Bowel obstruction was suspected … ileus not confirmed on imaging", "V.a. Lungenembolie … LAE ausgeschlossen": a concept
 * only ever suspected and negated after its last suspicion was worked up and excluded — no unconfirmed Condition.
 */
function resolvedSuspicion(list: AssessedMention[], all: AssessedMention[]): boolean {
  // a would-be fact held back by a cue of unclear scope was never only a suspicion
  if (!list.every((m) => m.context.assertion === 'possible' && !m.context.uncertain)) return false;
  const lastSuspicion = Math.max(...list.map((m) => m.mention.startTok));
  const concept = list[0].mention.concept;
  return all.some((m) => m.mention.concept === concept && m.context.assertion === 'negated' && m.mention.startTok > lastSuspicion);
}

/** Condition findings of the note (patient mentions merged per concept; others kept per concept and context). */
export function buildConditionFindings(a: NoteAnalysis, coder: ConceptCoder, mentions: AssessedMention[]): Finding[] {
  const byConcept = new Map<string, AssessedMention[]>();
  const others = new Map<string, AssessedMention>();
  for (const m of mentions) {
    if (!coder.isCondition(m.mention.concept)) continue;
    if (PATIENT.has(m.context.assertion)) {
      const list = byConcept.get(m.mention.concept) ?? [];
      list.push(m);
      byConcept.set(m.mention.concept, list);
    } else {
      const key = `${m.mention.concept}|${m.context.assertion}|${m.context.relation ?? ''}`;
      if (!others.has(key)) others.set(key, m);
    }
  }
  const out: Finding[] = [];
  for (const [concept, list] of byConcept) if (!resolvedSuspicion(list, mentions)) out.push(patientFinding(a, coder, concept, list));
  for (const m of others.values()) out.push(otherFinding(a, coder, m));
  return out;
}
