/** ConText-style assertion of a mention: triggers with direction, scope window and terminators, plus section context. */
import type { Assertion } from '../finding';
import type { ContextType } from '../mappings';
import type { NoteAnalysis } from './analysis';
import type { Dictionary } from './dictionary';
import type { Match } from './matcher';
import { carryContext, type Carried } from './carry';

export interface ContextResult {
  assertion: Assertion;
  /** HL7 v3 RoleCode of the relative for family mentions. */
  relation?: string;
}

export interface ContextOptions {
  /** Measurements and stages are facts even in a negated sentence ("no fever, Hb 9.1"). */
  ignoreNegation?: boolean;
  /** A measured value: a counselling block around it ("Beratung: … (Leukozyten 3,1 /nl am 09.12.) …") does not make it hypothetical. */
  measurement?: boolean;
}

/** Separators that end a trigger's scope: ; : | bullets, arrows and spaced dashes. */
const PUNCT_TERMINATOR = /[;|•→]|->|\s[-–—]\s|:/;

/** Precedence when several contexts apply: not the patient's > not present > uncertain > past. */
const PRECEDENCE: Array<Exclude<Assertion, 'present'>> = ['family', 'negated', 'hypothetical', 'possible', 'historical'];

export class ContextRules {
  private readonly bySentence = new Map<number, Match[]>();
  /** 1 = ends every scope, 2 = ends only a family scope, 3 = ends a historical or family scope (a turn to now). */
  private readonly terminators: Uint8Array;
  /** Tokens covered by a concept mention: triggers inside a term ("non-insulin-dependent") do not count. */
  private readonly covered: Uint8Array;
  /** Context sentences take over from before them: a relative's line or pronoun, a negation or counselling label. */
  private readonly carried: Carried;

  constructor(private readonly a: NoteAnalysis, private readonly dict: Dictionary, conceptSpans: Array<[number, number]>) {
    this.covered = new Uint8Array(a.tokens.length);
    for (const [s, e] of conceptSpans) this.covered.fill(1, s, e + 1);
    this.terminators = new Uint8Array(a.tokens.length);
    for (const t of a.matches.trigger) {
      if (this.isCovered(t)) continue;
      const term = t.entries.find((e) => e.key === 'terminate');
      if (term) {
        this.terminators.fill(term.sub === 'family' ? 2 : term.sub === 'time' ? 3 : 1, t.startTok, t.endTok + 1);
        continue;
      }
      const s = a.tokenSentence[t.startTok];
      const list = this.bySentence.get(s) ?? [];
      list.push(t);
      this.bySentence.set(s, list);
    }
    const patientAt = this.terminators.map((stop) => (stop === 2 ? 1 : 0));
    this.carried = carryContext({ a, dict, bySentence: this.bySentence, withMention: new Set(conceptSpans.map(([st]) => a.tokenSentence[st])), patientAt, covered: this.covered });
  }

  private isCovered(t: Match): boolean {
    for (let i = t.startTok; i <= t.endTok; i++) if (this.covered[i]) return true;
    return false;
  }

  /** True when nothing between tokens `from` (exclusive) and `to` (inclusive) ends a scope. */
  private open(from: number, to: number, colonOkAt: number, stopAtComma: boolean, kind: ContextType, list = false): boolean {
    const newItem = this.dict.commaTerminators[this.a.language];
    const family = kind === 'family';
    const past = family || kind === 'historical';
    for (let j = from + 1; j <= to; j++) {
      const stop = this.terminators[j];
      if (j < to && (stop === 1 || (stop === 2 && family) || (stop === 3 && past))) return false;
      const sep = this.a.tokens[j].sepText;
      // a list trigger ("side effects incl. …") covers its whole list: only "but"/"aber", ";" and the sentence end close it
      if (list) {
        if (sep.includes(';')) return false;
        continue;
      }
      // "DD: …" after a trigger, "Hypertension - no" / "Aszites: nein" / "| Ascites | no |" before one: the separator belongs to the trigger
      if (PUNCT_TERMINATOR.test(sep) && !(j === colonOkAt && /^\s*(?::|\s[-–—]|\|)\s*$/.test(sep))) return false;
      // "keine Lungenmetastasen, kleiner Pleuraerguss": a comma item that opens with a size or side is a new finding
      if (sep.includes(',') && (stopAtComma || newItem.has(this.a.tokens[j].norm))) return false;
    }
    return true;
  }

  private applies(t: Match, startTok: number, endTok: number): ContextType | null {
    for (const e of t.entries) {
      if (e.key === 'pseudo' || e.key === 'terminate') return null;
      const kind = e.key as ContextType;
      const windows = this.dict.context.windows[kind];
      if (e.sentenceScope) {
        if (t.endTok < startTok ? this.open(t.endTok, startTok, t.endTok + 1, false, kind, true) : t.startTok > endTok && this.open(endTok, t.startTok, t.startTok, false, kind, true)) return kind;
        continue;
      }
      if (e.sub === 'forward' && t.endTok < startTok && e.listScope) {
        if (this.open(t.endTok, startTok, t.endTok + 1, false, kind, true)) return kind;
      } else if (e.sub === 'forward' && t.endTok < startTok && kind === 'family' && this.rowLabel(t)) {
        // "| Maternal aunt | 61 | ovarian cancer |": a relative in the first cell of a table row owns the row
        if (this.open(t.endTok, startTok, t.endTok + 1, false, kind, true)) return kind;
      } else if (e.sub === 'forward' && t.endTok < startTok) {
        const gap = startTok - t.endTok - 1;
        // a colon right after the trigger introduces its scope ("DD: ...", "Ruled out: ...")
        if (gap <= (e.window ?? windows.forward) && this.open(t.endTok, startTok, t.endTok + 1, e.stopAtComma === true, kind)) return kind;
      } else if (e.sub === 'backward' && t.endTok < startTok && this.isLabel(t)) {
        // "Ruled out: PE, DVT", "Ausgeschlossen: Lungenembolie": a post-trigger written as a label covers the list after it
        if (this.open(t.endTok, startTok, t.endTok + 1, false, kind, true)) return kind;
      } else if (e.sub === 'backward' && t.startTok > endTok && e.listScope) {
        // "Die Patientin wurde über Thrombose, Blutung und Infektion aufgeklärt": the whole list before the verb
        if (this.open(endTok, t.startTok, t.startTok, false, kind, true)) return kind;
      } else if (e.sub === 'backward' && t.startTok > endTok) {
        const gap = t.startTok - endTok - 1;
        if (gap <= (e.window ?? windows.backward) && this.open(endTok, t.startTok, t.startTok, e.stopAtComma === true, kind)) return kind;
      }
    }
    return null;
  }

  /** The trigger fills the first cell of a '|' table row (only blanks and '|' before it on its line, a '|' after it). */
  private rowLabel(t: Match): boolean {
    const text = this.a.text;
    for (let i = t.start - 1; i >= 0 && text[i] !== '\n'; i--) if (text[i] !== ' ' && text[i] !== '\t' && text[i] !== '|') return false;
    const next = this.a.tokens[t.endTok + 1];
    return next !== undefined && next.sepText.includes('|') && !next.sepText.includes('\n');
  }

  /** The trigger is followed by a colon: it labels what follows. */
  private isLabel(t: Match): boolean {
    const next = this.a.tokens[t.endTok + 1];
    return next !== undefined && this.a.tokenSentence[t.endTok + 1] === this.a.tokenSentence[t.endTok] && /^\s*:/.test(next.sepText);
  }

  private questionMark(start: number, end: number): boolean {
    const text = this.a.text;
    return text[start - 1] === '?' || /^\s?\?/.test(text.slice(end, end + 2));
  }

  /** The assertion of the mention spanning tokens [startTok, endTok]. */
  assess(startTok: number, endTok: number, opts: ContextOptions = {}): ContextResult {
    const s = this.a.tokenSentence[startTok];
    const found = new Set<Assertion>();
    let relation: string | undefined;
    const section = s >= 0 ? this.a.sentences[s].section : 'none';
    const carriedRelative = this.carried.family.get(s);
    if (section === 'family' || carriedRelative !== undefined) { found.add('family'); relation = carriedRelative ?? 'FAMMEMB'; }
    if (section === 'hypothetical' && !opts.measurement) found.add('hypothetical');
    const label = this.carried.label.get(s);
    if (label && !(label === 'negated' && opts.ignoreNegation) && !(label === 'hypothetical' && opts.measurement)) found.add(label);
    const question = section === 'question';
    const firstAt: Partial<Record<ContextType, number>> = {};
    let relationDistance = Infinity;
    for (const t of this.bySentence.get(s) ?? []) {
      const kind = this.applies(t, startTok, endTok);
      if (!kind || (kind === 'negated' && opts.ignoreNegation)) continue;
      found.add(kind);
      firstAt[kind] = Math.min(firstAt[kind] ?? Infinity, t.startTok);
      if (kind === 'family') {
        // the relative nearest to the mention names whose disease it is
        const d = t.endTok < startTok ? startTok - t.endTok : t.startTok - endTok;
        if (d < relationDistance) { relation = t.entries.find((e) => e.relation)?.relation ?? relation; relationDistance = d; }
      }
    }
    // "No family history of ovarian cancer" denies the family history: negated, not a relative's disease
    if (found.has('family') && (firstAt.negated ?? Infinity) < (firstAt.family ?? -1)) found.delete('family');
    if (this.questionMark(this.a.tokens[startTok].start, this.a.tokens[endTok].end)) found.add('possible');
    // "Fragestellung: Lungenmetastasen?", "Indication: … Concern for SBO": what a request asks about is not a finding
    if (question && found.has('possible')) { found.delete('possible'); found.add('hypothetical'); }
    for (const p of PRECEDENCE) if (found.has(p)) return p === 'family' ? { assertion: p, relation } : { assertion: p };
    return { assertion: 'present' };
  }
}
