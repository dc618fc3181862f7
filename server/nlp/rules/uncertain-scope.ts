/**
 * Uncertain scope: the last check before a condition mention becomes a present Condition. ConText windows and the
 * utterance scope decide exactly for the phrasings they were written from; the next writer wraps the line before
 * "nicht erkennbar", coordinates past the window or names the relative at the other end of the sentence. When a
 * mention would be present but its unit (clause, sentence or wrapped item, mappings/nlp-scope.json "uncertain") holds
 * an assertion cue from the trigger lists that points at it, within its own window plus a slack, uncut by a terminator
 * and not given by the rules to a nearer concept, or a '?', the mention is only possible: an unconfirmed Condition
 * whose note names the cue class and the lexicon cue (never note text), for the reviewer. It never adds or drops a
 * Condition, and a ticked checkbox still answers the item.
 */
import type { Assertion, AssertionCue, Language } from '../finding';
import type { UncertainCueClass, UncertainScopeConfig } from '../mappings';
import type { NoteAnalysis } from './analysis';
import type { ConditionMention } from './conditions';
import type { ContextRules } from './context';
import type { Dictionary } from './dictionary';
import { squash } from '../text/normalize';
import type { Match } from './matcher';

/** Why a mention was held back from present: the cue class and the lexicon form of the cue ('?' for a question mark). */
export type UncertainCue = AssertionCue;

/**
 * A separator that ends a clause: a comma, ';', ':', '|', a bracket, an arrow, a spaced dash or a full stop the
 * segmenter kept inside its sentence ("on CXR 30/01. ?malignant"); a line break is none.
 */
const CLAUSE_SEP = /[,;:|()→!]|->|\?\s|\s[-–—]\s|\.\s/;
/**
 * What ends a sentence unit inside a segmented sentence: all of the above but commas and brackets ("Known HBOC
 * syndrome; her daughter …", "Gespräch mit dem Bruder - diese Woche Lungenembolie gesichert").
 */
const STRONG_SEP = /[;:|→!]|->|\?\s|\s[-–—]\s|\.\s/;
/** The clause marks of a separator, a '?' only when it closes ("pain? PE …"), not when it opens the next word ("?PE"). */
const MARKS = /[,;:|().!]|\?(?=\s)/g;
/** A line that ends its statement (a wrapped item runs on past a line without one, or past a label's ':'). */
const END_MARK = /[.!?;]\s*$/;
/** A line that opens a new item or labels one: a bullet, a number, a table row or "Label:". */
const NEW_ITEM = /^\s*(?:[-•*·▪–|[☐☒□■]|\d{1,2}[.)]|[\p{L}][^:\n]{0,40}:)/u;
/** Dot leaders of a checklist line ("Bluthochdruck ...... ja"): a form, not wrapped prose. */
const LEADER = /\.{3,}|…/;

/** The default when mappings/nlp-scope.json has no "uncertain" block: the check is off. */
export const UNCERTAIN_OFF: UncertainScopeConfig = { assertions: [], units: {}, anyDirection: [], wraps: false, wrapMinChars: 0, maxGap: 0, slack: 0, boundElsewhere: true };

type Range = [number, number];

/** Squashed coordinators ("and", "or", "oder", "sowie") per dictionary and language, built once. */
const COORDINATORS = new WeakMap<Dictionary, Partial<Record<Language, ReadonlySet<string>>>>();

function coordinatorsOf(dict: Dictionary, language: Language): ReadonlySet<string> {
  let byLanguage = COORDINATORS.get(dict);
  if (!byLanguage) { byLanguage = {}; COORDINATORS.set(dict, byLanguage); }
  return byLanguage[language] ??= new Set((dict.context[language].coordinators ?? []).flatMap((w) => w.split(/\s+/)).map(squash).filter(Boolean));
}

export class UncertainScope {
  private readonly demotable: ReadonlySet<Assertion>;
  private readonly anyDirection: ReadonlySet<string>;
  private readonly coordinators: ReadonlySet<string>;
  /** Token range by sentence, and whether a sentence wraps onto the next, filled as mentions ask. */
  private readonly bounds = new Map<number, Range>();
  private readonly wrapped = new Map<number, boolean>();

  constructor(private readonly a: NoteAnalysis, private readonly ctx: ContextRules, dict: Dictionary, private readonly cfg: UncertainScopeConfig) {
    this.coordinators = coordinatorsOf(dict, a.language);
    this.demotable = new Set(cfg.assertions);
    this.anyDirection = new Set(cfg.anyDirection);
  }

  /** First and last token of the sentence of token `i` (read off the token-to-sentence index, no per-note tables). */
  private sentenceAround(i: number): Range {
    const s = this.a.tokenSentence[i];
    const known = this.bounds.get(s);
    if (known) return known;
    let f = i;
    while (f > 0 && this.a.tokenSentence[f - 1] === s) f--;
    let l = i;
    while (l + 1 < this.a.tokens.length && this.a.tokenSentence[l + 1] === s) l++;
    this.bounds.set(s, [f, l]);
    return [f, l];
  }

  /** The cue that keeps `m` (assessed `assertion`) from being stated as a fact, or undefined. */
  cueFor(m: ConditionMention, assertion: Assertion, all: readonly ConditionMention[]): UncertainCue | undefined {
    if (!this.demotable.has(assertion) || this.a.tokenSentence[m.startTok] < 0) return undefined;
    // nothing beyond maxGap tokens counts: the units are cut there before they are scanned
    const [f, l] = this.item(m.startTok);
    const near: Range = [Math.max(f, m.startTok - this.cfg.maxGap - 1), Math.min(l, m.endTok + this.cfg.maxGap + 1)];
    const item = this.bounded(m, near, STRONG_SEP);
    let clause: Range | undefined;
    const clauseOf = (): Range => (clause ??= this.bounded(m, item, CLAUSE_SEP));
    const within = (r: Range, from: number, to: number): boolean => from >= r[0] && to <= r[1];
    let others: ConditionMention[] | undefined;
    const othersOf = (): readonly ConditionMention[] =>
      (others ??= all.filter((o) => o !== m && (o.endTok < m.startTok || o.startTok > m.endTok) && within(item, o.startTok, o.endTok)));
    let best: { cue: UncertainCue; gap: number } | undefined;
    for (let k = this.a.tokenSentence[item[0]]; k <= this.a.tokenSentence[item[1]]; k++) {
      for (const t of this.ctx.triggersIn(k)) {
        if (t.startTok < item[0] || t.endTok > item[1] || (t.startTok <= m.endTok && t.endTok >= m.startTok)) continue;
        const gap = t.endTok < m.startTok ? m.startTok - t.endTok - 1 : t.startTok - m.endTok - 1;
        if (gap > this.cfg.maxGap || (best && best.gap <= gap)) continue;
        const cue = this.cueOf(t, m, othersOf, (unit) => within(unit === 'clause' ? clauseOf() : item, t.startTok, t.endTok));
        if (cue) best = { cue, gap };
      }
    }
    if (best) return best.cue;
    const q = this.cfg.units.question;
    return q && this.asks(q === 'clause' ? clauseOf() : item, m, othersOf) ? { cue: 'question', word: '?' } : undefined;
  }


  /** Token range of the sentence of token `i`, run on over the lines it wraps onto (when `wraps`). */
  private item(i: number): Range {
    let [f, l] = this.sentenceAround(i);
    if (!this.cfg.wraps) return [f, l];
    const ts = this.a.tokenSentence;
    // "Eine diffuse Peritonealkarzinose ist im\nPET nicht erkennbar."
    while (f > 0 && ts[f - 1] === ts[f] - 1 && this.wraps(ts[f - 1])) f = this.sentenceAround(f - 1)[0];
    while (l + 1 < ts.length && ts[l + 1] === ts[l] + 1 && this.wraps(ts[l])) l = this.sentenceAround(l + 1)[1];
    return [f, l];
  }

  /** The part of range `r` around the mention that no separator of `sep` cuts. */
  private bounded(m: ConditionMention, r: Range, sep: RegExp): Range {
    let u0 = m.startTok;
    while (u0 > r[0] && !sep.test(this.a.tokens[u0].sepText)) u0--;
    let u1 = m.endTok;
    while (u1 < r[1] && !sep.test(this.a.tokens[u1 + 1].sepText)) u1++;
    return [u0, u1];
  }

  /**
   * Sentence `s` is a wrapped line the next line continues: long enough to be cut by the line width, no end mark, no
   * form leaders, and the next line opens no new item (no blank line between).
   */
  private wraps(s: number): boolean {
    let w = this.wrapped.get(s);
    if (w === undefined) { w = this.wrapsOnto(s); this.wrapped.set(s, w); }
    return w;
  }

  private wrapsOnto(s: number): boolean {
    const { text, sentences } = this.a;
    const gap = text.slice(sentences[s].end, sentences[s + 1].start);
    if (!gap.includes('\n') || /\n[ \t]*\n/.test(gap)) return false;
    const line = text.slice(sentences[s].start, sentences[s].end);
    const lineStart = text.lastIndexOf('\n', sentences[s].end - 1) + 1;
    if (sentences[s].end - lineStart < this.cfg.wrapMinChars || END_MARK.test(line) || line.includes('|') || LEADER.test(line)) return false;
    const next = text.slice(sentences[s + 1].start, sentences[s + 1].end);
    return !NEW_ITEM.test(next) && !LEADER.test(next);
  }

  /**
   * The trigger as a cue for `m`: a class in use, in that class's unit, pointing at `m` (a negation word that
   * determines the word after it points forward only), and not given by the rules to a concept between the two.
   */
  private cueOf(t: Match, m: ConditionMention, othersOf: () => readonly ConditionMention[], inUnit: (unit: 'clause' | 'sentence') => boolean): UncertainCue | undefined {
    const before = t.endTok < m.startTok;
    const gap = before ? m.startTok - t.endTok - 1 : t.startTok - m.endTok - 1;
    for (const e of t.entries) {
      const unit = this.cfg.units[e.key as UncertainCueClass];
      // a list or sentence trigger ("Ausschlusskriterien", "side effects incl.") reaches its whole item
      if (!unit || e.key === 'question' || !inUnit(e.listScope || e.sentenceScope ? 'sentence' : unit)) continue;
      const toward = e.sentenceScope === true || e.listScope === true
        || (e.sub === 'forward' && before) || (e.sub === 'backward' && !before && !this.ctx.determines(t));
      // a relative counts on either side, the far side only within the clause ("Nebendiagnosen: Depression,
      // familiäre Belastung (Schwester …)")
      if (!toward && !(this.anyDirection.has(e.key) && inUnit('clause'))) continue;
      // beyond its own window by more than the slack the cue is out of reach ("Die Polyneuropathie besserte sich unter
      // der Therapie bislang nicht"); a list or sentence trigger has no window
      const windows = this.ctx.windowsOf(e.key as Exclude<UncertainCueClass, 'question'>);
      const reach = (e.window ?? (before ? windows.forward : windows.backward)) + this.cfg.slack;
      if (!e.listScope && !e.sentenceScope && gap > reach) continue;
      // "Her sister says she has had ascites", "no fever but ascites": a terminator between settles it
      if (this.ctx.terminatedBetween(before ? t.endTok : m.endTok, before ? m.startTok : t.startTok, e.key === 'family')) continue;
      const given = (o: ConditionMention): boolean => this.ctx.appliesTo(t, o.headTok ?? o.startTok, o.endTok) !== null;
      const between = (o: ConditionMention): boolean => (before ? o.startTok > t.endTok && o.endTok < m.startTok : o.startTok > m.endTok && o.endTok < t.startTok);
      // "no ascites, HGSOC stage IIIC": the rules gave the cue to the concept between it and the mention, unless only a
      // coordinator joins that concept to the mention ("Keine\nLebermetastasen oder Lungenmetastasen")
      if (this.cfg.boundElsewhere && othersOf().some((o) => between(o) && given(o) && !this.joined(before ? o : m, before ? m : o))) return undefined;
      // "confirms HBOC … the likely explanation for her mother's ovarian cancer": the relative owns the concept after it
      if (this.anyDirection.has(e.key) && othersOf().some((o) => (before ? o.endTok < t.startTok : o.startTok > t.endTok) && given(o))) return undefined;
      return { cue: e.key as UncertainCueClass, word: e.surface };
    }
    return undefined;
  }

  /** Only coordinators (or a '/' / '&') stand between mention `x` and the later mention `y`: one coordinated list. */
  private joined(x: ConditionMention, y: ConditionMention): boolean {
    for (let j = x.endTok + 1; j <= y.startTok; j++) {
      if (CLAUSE_SEP.test(this.a.tokens[j].sepText)) return false;
      if (j < y.startTok && !this.coordinators.has(this.a.tokens[j].norm)) return false;
    }
    return true;
  }

  /**
   * A '?' in the range within the gap of the mention that is not attached to another concept ("?HGSOC ?primary
   * peritoneal": each query asks its own). The '?' before token j lies in its separator (after the last token: up to
   * the sentence end).
   */
  private asks(r: Range, m: ConditionMention, othersOf: () => readonly ConditionMention[]): boolean {
    const { tokens, text } = this.a;
    const attached = (j: number): boolean => othersOf().some((o) => o.startTok === j || o.endTok === j - 1);
    const s = this.a.tokenSentence[r[1]];
    for (let j = r[0]; j <= r[1] + 1; j++) {
      // the separators at the range's ends belong to it only up to a clause mark ("Thrombozytopenie?, X" asks before the comma)
      let sep = j <= r[1] ? tokens[j].sepText : this.a.tokenSentence[j] === s ? tokens[j].sepText : text.slice(tokens[r[1]].end, this.a.sentences[s].end);
      if (j === r[0]) {
        let cut = 0;
        for (const x of sep.matchAll(MARKS)) cut = (x.index ?? 0) + 1;
        sep = sep.slice(cut);
      }
      else if (j === r[1] + 1) sep = sep.slice(0, Math.max(0, sep.search(/[,;:|()]|\s[-–—]\s|\.\s|$/)));
      if (!sep.includes('?') || (j > m.startTok && j <= m.endTok)) continue;
      const gap = j <= m.startTok ? m.startTok - j : j - 1 - m.endTok;
      if (gap <= this.cfg.maxGap && !attached(j)) return true;
    }
    return false;
  }
}
