/** Scores findings against the annotated notes exactly as ../shared/nlp/README.md says (the engine never sees gold). */
import type { ConceptCoder } from '../coding';
import type { Finding } from '../finding';
import type { UnitConverter } from '../rules/units';

export interface GoldCondition { concept: string; assertion: string; quote: string; attributes?: Record<string, string> }
export interface GoldObservation { concept: string; value: number | string; unit?: string; date?: string; quote: string }
export interface GoldNotCondition { concept: string; assertion: string; quote: string }

export interface GoldNote {
  id: string;
  language: 'en' | 'de';
  kind?: string;
  date?: string;
  text: string;
  gold: { conditions: GoldCondition[]; observations: GoldObservation[]; not_conditions: GoldNotCondition[] };
}

export interface Counts { tp: number; fp: number; fn: number }

/** The tallies a note and a whole corpus both report. */
interface AttributeTallies {
  attributes: { correct: number; total: number; missingCondition: number };
  possible: { gold: number; emitted: number };
  /** Matched observations whose date equals the gold date (the note's date when the gold gives none). */
  dates: { correct: number; total: number };
}

export interface NoteScore extends AttributeTallies {
  id: string;
  conditions: Counts;
  observations: Counts;
  /** not_conditions entries that became a present Condition, by their gold assertion. */
  contextErrors: Array<{ concept: string; assertion: string; quote: string }>;
  details: string[];
}

export interface ScoreTools { coder: ConceptCoder; units: UnitConverter }

const PRESENT = new Set(['present', 'historical']);

function conditionScore(note: GoldNote, preds: Finding[], s: NoteScore): void {
  const goldPos = new Set(note.gold.conditions.filter((c) => PRESENT.has(c.assertion)).map((c) => c.concept));
  const goldPossible = new Set(note.gold.conditions.filter((c) => c.assertion === 'possible').map((c) => c.concept));
  const predicted = new Set(preds.filter((f) => f.kind === 'condition' && (PRESENT.has(f.assertion) || f.assertion === 'possible')).map((f) => f.concept));
  s.possible.gold = [...goldPossible].filter((c) => !goldPos.has(c)).length;
  for (const c of goldPos) {
    if (predicted.has(c)) s.conditions.tp++;
    else { s.conditions.fn++; s.details.push(`FN condition ${c}`); }
  }
  for (const c of predicted) {
    if (goldPos.has(c)) continue;
    if (goldPossible.has(c)) { s.possible.emitted++; continue; }
    s.conditions.fp++;
    s.details.push(`FP condition ${c}`);
  }
}

function quoteSpan(text: string, quote: string): [number, number] | null {
  const at = text.indexOf(quote);
  return at < 0 ? null : [at, at + quote.length];
}

function contextErrors(note: GoldNote, preds: Finding[], s: NoteScore): void {
  const goldPos = new Set(note.gold.conditions.filter((c) => PRESENT.has(c.assertion)).map((c) => c.concept));
  const present = preds.filter((f) => f.kind === 'condition' && PRESENT.has(f.assertion));
  for (const n of note.gold.not_conditions) {
    const span = quoteSpan(note.text, n.quote);
    const same = present.filter((f) => f.concept === n.concept);
    const onMention = span && same.some((f) => f.offset < span[1] && f.offset + f.length > span[0]);
    if ((same.length && !goldPos.has(n.concept)) || onMention) {
      s.contextErrors.push({ concept: n.concept, assertion: n.assertion, quote: n.quote });
      s.details.push(`CONTEXT ERROR ${n.assertion} ${n.concept}: "${n.quote}"`);
    }
  }
}

function comparable(tools: ScoreTools, concept: string, value: number | string, unit: string | undefined): number | string | null {
  if (typeof value === 'string') return concept === 'figo_stage' ? tools.coder.figoCode(value)?.code ?? value : value;
  if (!unit) return value;
  return tools.units.toPreferred(concept, value, unit);
}

function valueMatches(tools: ScoreTools, g: GoldObservation, f: Finding): boolean {
  if (f.concept !== g.concept || f.value === undefined) return false;
  const gv = comparable(tools, g.concept, g.value, g.unit);
  const pv = f.normalized ? f.normalized.value : comparable(tools, f.concept, f.value, f.unit);
  if (typeof gv === 'number' && typeof pv === 'number') return Math.abs(gv - pv) <= 0.01 * Math.max(Math.abs(gv), 1e-9);
  return gv !== null && gv === pv;
}

/** The measurement date of a matched observation: the finding's own, else the note's (as the pipeline writes it). */
function sameDate(note: GoldNote, g: GoldObservation, f: Finding): boolean {
  const gold = g.date ?? note.date;
  const got = (f.date ?? note.date)?.slice(0, 10);
  return !gold || gold === got;
}

function observationScore(tools: ScoreTools, note: GoldNote, preds: Finding[], s: NoteScore): void {
  const pool = preds.filter((f) => f.kind === 'observation' && PRESENT.has(f.assertion));
  const used = new Set<Finding>();
  for (const g of note.gold.observations) {
    const hit = pool.find((f) => !used.has(f) && valueMatches(tools, g, f) && sameDate(note, g, f))
      ?? pool.find((f) => !used.has(f) && valueMatches(tools, g, f));
    if (hit) {
      used.add(hit);
      s.observations.tp++;
      s.dates.total++;
      if (sameDate(note, g, hit)) s.dates.correct++;
      else s.details.push(`DATE ${g.concept} ${g.value}: gold ${g.date ?? note.date ?? '-'}, got ${hit.date ?? note.date ?? '-'}`);
    }
    else { s.observations.fn++; s.details.push(`FN observation ${g.concept} ${g.value} ${g.unit ?? ''} "${g.quote}"`); }
  }
  for (const f of pool) {
    if (used.has(f)) continue;
    s.observations.fp++;
    s.details.push(`FP observation ${f.concept} ${String(f.value)} ${f.unit ?? ''} "${f.quote}"`);
  }
}

function attributeScore(note: GoldNote, preds: Finding[], s: NoteScore): void {
  for (const g of note.gold.conditions) {
    for (const [name, value] of Object.entries(g.attributes ?? {})) {
      const f = preds.find((p) => p.kind === 'condition' && p.concept === g.concept && p.assertion !== 'negated' && p.assertion !== 'hypothetical');
      if (!f) { s.attributes.missingCondition++; continue; }
      s.attributes.total++;
      const got = f.attributes[name as keyof Finding['attributes']]?.key;
      if (got === value) s.attributes.correct++;
      else s.details.push(`ATTR ${g.concept}.${name}: gold ${value}, got ${got ?? '-'}`);
    }
  }
}

/** Scores one note's findings. */
export function scoreNote(tools: ScoreTools, note: GoldNote, preds: Finding[]): NoteScore {
  const s: NoteScore = {
    id: note.id, conditions: { tp: 0, fp: 0, fn: 0 }, observations: { tp: 0, fp: 0, fn: 0 },
    attributes: { correct: 0, total: 0, missingCondition: 0 }, possible: { gold: 0, emitted: 0 }, dates: { correct: 0, total: 0 }, contextErrors: [], details: [],
  };
  conditionScore(note, preds, s);
  observationScore(tools, note, preds, s);
  attributeScore(note, preds, s);
  contextErrors(note, preds, s);
  return s;
}

export interface Prf { precision: number; recall: number; f1: number; tp: number; fp: number; fn: number }

export function prf(c: Counts): Prf {
  const precision = c.tp + c.fp ? c.tp / (c.tp + c.fp) : 1;
  const recall = c.tp + c.fn ? c.tp / (c.tp + c.fn) : 1;
  const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, f1, ...c };
}

export interface CorpusScore extends AttributeTallies {
  conditions: Prf;
  observations: Prf;
  overall: Prf;
  attributeAccuracy: number;
  contextErrors: Record<string, number>;
  contextErrorTotal: number;
  notes: NoteScore[];
}

/** Micro-averaged totals over the corpus. */
export function aggregate(notes: NoteScore[]): CorpusScore {
  const sum = (pick: (n: NoteScore) => Counts): Counts =>
    notes.reduce((acc, n) => ({ tp: acc.tp + pick(n).tp, fp: acc.fp + pick(n).fp, fn: acc.fn + pick(n).fn }), { tp: 0, fp: 0, fn: 0 });
  const c = sum((n) => n.conditions);
  const o = sum((n) => n.observations);
  const attributes = notes.reduce((acc, n) => ({
    correct: acc.correct + n.attributes.correct, total: acc.total + n.attributes.total, missingCondition: acc.missingCondition + n.attributes.missingCondition,
  }), { correct: 0, total: 0, missingCondition: 0 });
  const contextErrors: Record<string, number> = { negated: 0, family: 0, hypothetical: 0 };
  for (const e of notes.flatMap((n) => n.contextErrors)) contextErrors[e.assertion] = (contextErrors[e.assertion] ?? 0) + 1;
  return {
    conditions: prf(c), observations: prf(o), overall: prf({ tp: c.tp + o.tp, fp: c.fp + o.fp, fn: c.fn + o.fn }),
    attributeAccuracy: attributes.total ? attributes.correct / attributes.total : 1, attributes,
    possible: notes.reduce((acc, n) => ({ gold: acc.gold + n.possible.gold, emitted: acc.emitted + n.possible.emitted }), { gold: 0, emitted: 0 }),
    dates: notes.reduce((acc, n) => ({ correct: acc.correct + n.dates.correct, total: acc.total + n.dates.total }), { correct: 0, total: 0 }),
    contextErrors, contextErrorTotal: Object.values(contextErrors).reduce((x, y) => x + y, 0), notes,
  };
}
