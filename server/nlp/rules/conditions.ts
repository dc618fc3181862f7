/** Condition mentions: dictionary terms (with cue/blocker guards) and tumour-grammar compositions, deduplicated. */
import type { CodingFile } from '../mappings';
import type { NoteAnalysis } from './analysis';
import type { Entry } from './dictionary';
import { TumorGrammar } from './tumor-grammar';

export interface ConditionMention {
  concept: string;
  startTok: number;
  endTok: number;
  source: 'term' | 'grammar' | 'compound';
  histology?: string;
  coordinated?: boolean;
  /** Token that carries the mention's context when the span itself contains a trigger. */
  headTok?: number;
  confidence: number;
  /** The disease names criteria ("AKI criteria"): the mention counts only where the criteria are denied. */
  deniedOnly?: boolean;
  /** Named with a term that leaves the choice open ("tubo-ovarian carcinoma"): possible at most. */
  undetermined?: boolean;
}

function guardsOk(e: Entry, sentence: string): boolean {
  if (e.cues && !e.cues.some((c) => sentence.includes(c))) return false;
  if (e.blockers && e.blockers.some((b) => sentence.includes(b))) return false;
  return true;
}

function termConfidence(e: Entry, compound: boolean): number {
  if (compound) return 0.75;
  if (e.cues) return 0.7;
  if (e.caseSensitive || e.surface.length <= 4) return 0.8;
  return 0.9;
}

function termMentions(a: NoteAnalysis): ConditionMention[] {
  const out: ConditionMention[] = [];
  for (const m of a.matches.condition) {
    const s = a.tokenSentence[m.startTok];
    const sentence = s >= 0 && m.entries.some((e) => e.cues ?? e.blockers) ? a.sentenceFolded(s) : '';
    // an exclusion term ("pulmonary hypertension") owns its span and yields nothing
    if (m.entries.some((e) => e.key === '')) continue;
    const seen = new Set<string>();
    for (const e of m.entries) {
      if (seen.has(e.key) || !guardsOk(e, sentence)) continue;
      seen.add(e.key);
      const compound = e.head === true;
      out.push({
        concept: e.key, startTok: m.startTok, endTok: m.endTok, source: compound ? 'compound' : 'term',
        confidence: termConfidence(e, compound), ...(e.histology ? { histology: e.histology } : {}), ...(e.undetermined ? { undetermined: true } : {}),
      });
    }
  }
  return out;
}

/** "DVT (diagnosed 24/02/2026)", "Lungenembolie rechts (28.02.2026)", "carcinoma, ED 09/2025": the onset written right after. */
const ONSET_LEAD = /^[ \t]*(?:(?:left|right|bilateral|links|rechts|beidseits|bds\.?)[ \t]*)?(?:\(|,)?[ \t]*(?:(?:initial[ \t]+)?(?:dx|diagnosed(?:[ \t]+(?:in|on))?|ED|Erstdiagnose|since|seit|onset|first[ \t]+diagnosed|\p{L}{3,15})[ \t:]*)?$/iu;

export function onsetDate(a: NoteAnalysis, m: ConditionMention): string | undefined {
  const end = a.tokens[m.endTok].end;
  const s = a.tokenSentence[m.endTok];
  const limit = s >= 0 ? a.sentences[s].end : end + 40;
  const d = a.dates.find((x) => x.start >= end && x.start <= Math.min(limit, end + 40));
  return d && ONSET_LEAD.test(a.text.slice(end, d.start)) ? d.iso : undefined;
}

const overlaps = (x: ConditionMention, y: ConditionMention): boolean => x.startTok <= y.endTok && y.startTok <= x.endTok;

/**
 * A disease word that names a test, study or programme ("HBOC panel", "ICON8 ovarian cancer trial", "HBOC-Panel",
 * "Brustkrebs-Früherkennungsprogramm") is no statement about the patient: the next word is (or, glued by a hyphen,
 * ends with) a name head.
 */
function inName(a: NoteAnalysis, m: Pick<ConditionMention, 'endTok'>, heads: readonly string[]): boolean {
  const next = a.tokens[m.endTok + 1];
  if (!next || next.sep === 'hard' || !/^[\s-]{0,2}$/.test(next.sepText)) return false;
  const w = next.norm;
  return heads.some((h) => w === h || (w.length > h.length + 3 && w.endsWith(h) && next.sepText.includes('-')) || (w.startsWith(h) && w.length <= h.length + 2));
}

/** All condition mentions of the note; a grammar composition inside a dictionary term of another concept is dropped. */
export function findConditionMentions(a: NoteAnalysis, coding: CodingFile, nameHeads: readonly string[] = [], criteriaHeads: readonly string[] = []): ConditionMention[] {
  // "does not meet KDIGO AKI criteria": criteria denied deny the disease, so a criteria name keeps its mention, marked
  const terms = termMentions(a).flatMap((m) => (!inName(a, m, nameHeads) ? [m] : inName(a, m, criteriaHeads) ? [{ ...m, deniedOnly: true }] : []));
  const grammar = new TumorGrammar(a, coding).run().filter((g) => !inName(a, g, nameHeads)).map((g): ConditionMention => ({
    concept: g.concept, startTok: g.startTok, endTok: g.endTok, source: 'grammar', confidence: 0.85,
    ...(g.histology ? { histology: g.histology } : {}), ...(g.coordinated ? { coordinated: true } : {}),
    ...(g.headTok !== undefined ? { headTok: g.headTok } : {}), ...(g.undetermined ? { undetermined: true } : {}),
  }));
  const kept = [...terms];
  for (const g of grammar) {
    // a composition inside another concept's term ("hereditary breast and ovarian cancer syndrome") is part of that term
    const clash = terms.some((t) => t.concept !== g.concept && overlaps(t, g)
      && (!g.coordinated || (t.startTok <= g.startTok && g.endTok <= t.endTok)));
    const dup = kept.some((k) => k.concept === g.concept && k.startTok === g.startTok && k.endTok === g.endTok);
    if (!clash && !dup) kept.push(g);
  }
  return kept.sort((x, y) => x.startTok - y.startTok || y.endTok - x.endTok);
}
