/** ConText-style assertion of a mention: triggers with direction, scope window and terminators, plus section context. */
import type { Assertion, AssertionCue } from '../finding';
import type { ContextType } from '../mappings';
import type { NoteAnalysis } from './analysis';
import type { Dictionary } from './dictionary';
import type { Match } from './matcher';
import { carryContext, type Carried } from './carry';
import { answersSuspicion, closesParen, commaSubject, continuesDenial, coordinatedUpTo, gradedAfter, labelsList, tellerSelfTokens } from './context-clauses';

export interface ContextResult {
  assertion: Assertion;
  /** HL7 v3 RoleCode of the relative for family mentions. */
  relation?: string;
  /** A 'possible' the uncertain-scope check made of a would-be fact: the cue that held it back. */
  uncertain?: AssertionCue;
}

export interface ContextOptions {
  /** Measurements and stages are facts even in a negated sentence ("no fever, Hb 9.1"). */
  ignoreNegation?: boolean;
  /** A measured value: a counselling block around it ("Beratung: … (Leukozyten 3,1 /nl am 09.12.) …") does not make it hypothetical. */
  measurement?: boolean;
  /** First token of the whole mention when `startTok` is its head ("?Liver lesion - metastasis"): a "?" before it asks. */
  spanStart?: number;
  /**
   * A test result of the patient's ("humangenetische Beratung 2022: keine pathogene Variante in BRCA1"): a family-history
   * block around it does not make it a relative's; a relative named anywhere in its sentence still does.
   */
  ownResult?: boolean;
}

/** Separators that end a trigger's scope: ; : | bullets, arrows and spaced dashes. */
const PUNCT_TERMINATOR = /[;|•→]|->|\s[-–—]\s|:/;

/** A "?" that opens the phrase ending right before a mention: "?PE", "? PE", "?subclinical hypothyroidism". */
const QUERY_BEFORE = /(?:^|[\s("'„“])\?\s?(?:\p{Ll}[\p{L}-]*\s){0,2}$/u;

/** A third-person pronoun that refers back to a relative just named. */
const PRONOUN = /\b(?:ihr|ihre[mnrs]?|sie|ihm|er|sein(?:e[mnrs]?)?|she|her|he|him|his)\b/i;

/** An aside ("…, however, …", "…, now 70, …") is at most this many words long. */
const ASIDE_WORDS = 3;

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
    for (const i of tellerSelfTokens(a, dict, a.matches.trigger.filter((t) => t.entries.some((e) => e.key === 'family' && e.relation && e.relation !== 'FAMMEMB')))) this.terminators[i] = 0;
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
      // "Her aunt, however, was diagnosed …", "Mum, now 70, had …": an aside between commas does not change whose sentence it is
      if (j < to && family && (stop === 1 || stop === 3) && this.aside(j, to)) continue;
      // "Schwester jetzt (2026) an Mammakarzinom erkrankt", "her sister now has …": a time word right after the relative
      // dates the relative's own event, it turns to nobody else
      if (j < to && family && stop === 3 && j === from + 1) continue;
      if (j < to && (stop === 1 || (stop === 2 && family) || (stop === 3 && past))) return false;
      const sep = this.a.tokens[j].sepText;
      // a list trigger ("side effects incl. …") covers its whole list: only "but"/"aber", ";" and the sentence end close it
      if (list) {
        if (sep.includes(';')) return false;
        continue;
      }
      // "DD: …" after a trigger, "Hypertension - no" / "Aszites: nein" / "| Ascites | no |" before one: the separator belongs to the trigger
      if (PUNCT_TERMINATOR.test(sep) && !(j === colonOkAt && /^\s*(?::|\s[-–—]|\|)\s*$/.test(sep)) && !(family && this.refersBack(j))) return false;
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
      // "Uncontrolled hypertension ...... NO (HTN controlled on amlodipine)": an answer is no pre-negation of its explanation
      // (a one-word answer only: "CT - kein Nachweis von\nLebermetastasen" wraps its line, it answers nothing)
      if (e.sub === 'forward' && kind === 'negated' && t.endTok < startTok && e.window === undefined && t.startTok === t.endTok && this.isAnswer(t)) continue;
      // "Diabetes (Metformin), keine Hypertonie": a negation word that opens the next finding is its determiner, no answer to the one before
      if (e.sub === 'backward' && kind === 'negated' && t.startTok > endTok && this.opensMention(t)) continue;
      // "hypertension (no), diabetes (yes)": a pre-trigger inside a parenthesis ends with it
      if (e.sub === 'forward' && t.endTok < startTok && closesParen(this.a, t.endTok, startTok)) continue;
      if (e.sentenceScope) {
        if (t.endTok < startTok ? this.open(t.endTok, startTok, t.endTok + 1, false, kind, true) : t.startTok > endTok && this.open(endTok, t.startTok, t.startTok, false, kind, true)) return kind;
        continue;
      }
      if (e.sub === 'forward' && t.endTok < startTok && e.listScope) {
        if (this.open(t.endTok, startTok, t.endTok + 1, false, kind, true)) return kind;
      } else if (e.sub === 'forward' && t.endTok < startTok && kind === 'family' && (this.rowLabel(t) || this.lineLabel(t))) {
        // "| Maternal aunt | 61 | ovarian cancer |": a relative in the first cell of a table row owns the row
        if (this.open(t.endTok, startTok, t.endTok + 1, false, kind, true)) return kind;
      } else if (e.sub === 'forward' && t.endTok < startTok) {
        const gap = startTok - t.endTok - 1;
        // a colon right after the trigger introduces its scope ("DD: ...", "Ruled out: ..."), unless the trigger is bound to
        // the noun after it (window 0: "Vorsorge Mammakarzinom"; "Vorsorge: Ovarialkarzinom …" heads the visit's findings)
        if (gap <= (e.window ?? windows.forward) && this.open(t.endTok, startTok, e.window === 0 ? -1 : t.endTok + 1, e.stopAtComma === true, kind)) return kind;
      } else if (e.sub === 'backward' && t.endTok < startTok && e.window !== 0 && !this.isAnswer(t) && this.isLabel(t)) {
        // (a post-trigger bound to the noun before it, window 0, names what that noun is for: "ovarian cancer surveillance";
        // as a heading, "Surveillance:", it labels the visit's findings, not a list of what is only looked for; an answer
        // to a question, "…? - nein: Pat. selbst mit …", explains itself after the colon)
        // "Ruled out: PE, DVT", "Ausgeschlossen: Lungenembolie": a post-trigger written as a label covers the list after it
        if (this.open(t.endTok, startTok, t.endTok + 1, false, kind, true)) return kind;
      } else if (e.sub === 'backward' && t.startTok > endTok && e.listScope) {
        // "Die Patientin wurde über Thrombose, Blutung und Infektion aufgeklärt": the whole list before the verb
        if (this.open(endTok, t.startTok, t.startTok, false, kind, true)) return kind;
      } else if (e.sub === 'backward' && t.startTok > endTok) {
        if (kind === 'negated' && commaSubject(this.a, this.covered, endTok, t.startTok)) continue;
        const gap = t.startTok - endTok - 1;
        // a short post-negation may still reach across a comma ("Aszites, Pleuraerguss: nein"): precision first, a wrongly
        // negated finding costs recall, a wrongly present one is an assertion error
        if (gap <= (e.window ?? windows.backward) && this.open(endTok, t.startTok, t.startTok, e.stopAtComma === true, kind)) return kind;
        if (e.window === undefined && this.clauseReach(t, endTok, windows.clause, kind)) return kind;
        if (e.window !== undefined && kind === 'negated' && this.answersLabel(t, endTok)) return kind;
        if (kind === 'negated' && this.deniesExistence(t, endTok, windows.clause)) return kind;
      }
    }
    return null;
  }

  /**
   * "… wie bei ihrem Vater - dieser hatte 2022 eine TVT", "her father - who had a DVT": a dash followed by a pronoun that
   * points back (a verb after it, not a noun it would determine) continues the person just named.
   */
  private refersBack(j: number): boolean {
    const next = this.a.tokens[j + 1];
    return /\s[-–—]\s/.test(this.a.tokens[j].sepText) && this.dict.backReferences[this.a.language].has(this.a.tokens[j].norm)
      && next !== undefined && next.sep === 'soft' && /^\p{Ll}/u.test(next.raw) && this.covered[j + 1] !== 1;
  }

  /**
   * German puts 'nicht' last in a clause of finding or arising: "Hinweise auf eine Depression ergaben sich im Gespräch
   * nicht", "Metastasen fanden sich in der Bildgebung nicht". A 'nicht' that closes the clause denies its subject when
   * such a verb stands between them (existentialVerbs as data); only the nearest concept, within the clause.
   */
  private deniesExistence(t: Match, endTok: number, reach: number | undefined): boolean {
    const verbs = this.dict.existentialVerbs[this.a.language];
    if (!verbs.size || t.startTok !== t.endTok || this.a.tokens[t.startTok].norm !== 'nicht') return false;
    let verb = false;
    for (let j = endTok + 1; j < t.startTok; j++) if (verbs.has(this.a.tokens[j].norm)) verb = true;
    return verb && this.clauseReach(t, endTok, reach, 'negated');
  }

  /** A terminator at token j sits in an aside: a comma before it and another within three words, before the mention. */
  private aside(j: number, to: number): boolean {
    if (!this.a.tokens[j].sepText.includes(',')) return false;
    for (let k = j + 1; k <= Math.min(j + ASIDE_WORDS, to); k++) {
      const sep = this.a.tokens[k].sepText;
      if (sep.includes(',')) return true;
      if (/[.;:|]/.test(sep)) return false;
    }
    return false;
  }

  /**
   * The trigger is the determiner of what follows it in its sentence, with only blanks between: a concept mention
   * ("…, keine Hypertonie"), or any word after a determiner ("Leichte Anämie, keine Transfusionsindikation", "no
   * transfusion needed"). "NO" closing a checklist line, "Aszites: keine." and "none seen" are answers, and so is a
   * negated word after a label.
   */
  private opensMention(t: Match): boolean {
    const next = t.endTok + 1;
    if (next >= this.a.tokens.length || this.a.tokenSentence[next] !== this.a.tokenSentence[t.endTok] || !/^\s*$/.test(this.a.tokens[next].sepText)) return false;
    if (this.covered[next] === 1) return true;
    // after a label ("Pleuraerguss: kein Erguss", "Ascites - no free fluid") the whole answer speaks of the label
    if (/:|\s[-–—]\s/.test(this.a.tokens[t.startTok].sepText)) return false;
    return t.startTok === t.endTok && !this.a.tokens[next].isNumber && this.dict.negationDeterminers[this.a.language].has(this.a.tokens[t.startTok].norm);
  }

  /** The trigger fills the first cell of a '|' table row (only blanks and '|' before it on its line, a '|' after it). */
  private rowLabel(t: Match): boolean {
    const text = this.a.text;
    for (let i = t.start - 1; i >= 0 && text[i] !== '\n'; i--) if (text[i] !== ' ' && text[i] !== '\t' && text[i] !== '|') return false;
    const next = this.a.tokens[t.endTok + 1];
    return next !== undefined && next.sepText.includes('|') && !next.sepText.includes('\n');
  }

  /**
   * A post-trigger that closes its clause reaches back to the clause start past its usual window: German puts the verb
   * last ("Lebermetastasen waren in der präop. Bildgebung ausgeschlossen"), English a passive predicate after a long
   * subject ("PE on yesterday's CT angiogram was excluded"). Only within the clause (no comma) and only when no other
   * concept stands between: the nearest concept is the subject the predicate speaks of.
   */
  private clauseReach(t: Match, endTok: number, reach: number | undefined, kind: ContextType): boolean {
    if (!reach || t.startTok - endTok - 1 > reach) return false;
    if (!coordinatedUpTo(this.a, this.dict, this.covered, endTok, t.startTok)) return false;
    const next = this.a.tokens[t.endTok + 1];
    const closes = next === undefined || this.a.tokenSentence[t.endTok + 1] !== this.a.tokenSentence[t.endTok] || /[,;:.)]/.test(next.sepText);
    return closes && this.open(endTok, t.startTok, t.startTok, true, kind);
  }

  /**
   * A relative who labels a line ("Sister, 50 - breast cancer at 44", "Schwester (50): Mammakarzinom") owns the line: the
   * trigger opens its line and a colon or spaced dash follows within a few tokens (the relative's name or age between).
   */
  private lineLabel(t: Match): boolean {
    const text = this.a.text;
    for (let i = t.start - 1; i >= 0 && text[i] !== '\n'; i--) if (!/[\s\-*•\d.)]/.test(text[i])) return false;
    for (let j = t.endTok + 1; j <= t.endTok + 4 && j < this.a.tokens.length; j++) {
      const sep = this.a.tokens[j].sepText;
      if (sep.includes('\n')) return false;
      if (/:|\s[-–—]\s/.test(sep)) return true;
    }
    return false;
  }

  /**
   * A short answer that closes a labelled line answers the whole label: "Hx DVT/PE within 6 months ...... NO",
   * "Aszites in der Sonographie: nein". The answer follows a colon, a spaced dash or a dot leader and ends its line
   * (or opens a parenthesis); the mention is on the same line.
   */
  private answersLabel(t: Match, endTok: number): boolean {
    if (!this.isAnswer(t)) return false;
    // a label wrapped onto the next line ("ascites requiring paracentesis in last\n   4 wks: no") is still one line: only
    // a break after punctuation ("Ascites,\nHTN: no") starts another item
    for (let j = endTok + 1; j <= t.startTok; j++) if (this.a.tokens[j].sepText.includes('\n') && !/^[ \t]*\n[ \t]*$/.test(this.a.tokens[j].sepText)) return false;
    return this.open(endTok, t.startTok, t.startTok, false, 'negated', true);
  }

  /**
   * The trigger answers a label: a colon, spaced dash or dot leader before it, the line end (or a parenthesis, or a
   * spaced dash before a comment: "Ascites: no - trace only on CT") after it.
   */
  private isAnswer(t: Match): boolean {
    // "… Indexmitglied? - nein: Pat. selbst mit …": the answer to a question, a colon before its explanation
    const asked = /\?\s*(?:[-–—]\s*)?$/.test(this.a.tokens[t.startTok].sepText);
    if (!asked && !/^\s*(?::|\s[-–—]|\.{2,})\s*$/.test(this.a.tokens[t.startTok].sepText)) return false;
    const next = this.a.tokens[t.endTok + 1];
    return next === undefined || /\n|^\s*[(.;,]|^\s+[-–—]\s/.test(next.sepText) || (asked && /^\s*:/.test(next.sepText));
  }

  /** The trigger is followed by a colon (after at most two filler words): it labels what follows. */
  private isLabel(t: Match): boolean {
    return labelsList(this.a, this.covered, t);
  }

  private questionMark(start: number, end: number): boolean {
    const text = this.a.text;
    // "?PE", "? PE" (a query written before the concept, common shorthand) and "PE?"; "?subclinical hypothyroidism",
    // "?early peritoneal disease": the query opens the phrase, one or two modifiers before the concept
    return QUERY_BEFORE.test(text.slice(Math.max(0, start - 40), start)) || /^\s?\?/.test(text.slice(end, end + 2));
  }

  /**
   * A relative named in the sentence owns a result in its clause, or past a ";" when a pronoun there refers back
   * ("Deren Schwester hatte …; bei ihr wurde eine BRCA1-Variante nachgewiesen"); "Mutter Mammakarzinom; BRCA1/2 negativ" does not.
   */
  private relativeOwns(s: number, tok: number): boolean {
    const at = this.a.tokens[tok].start;
    return (this.bySentence.get(s) ?? []).some((t) => {
      if (!t.entries.some((e) => e.key === 'family')) return false;
      const [from, to] = t.start < at ? [t.end, at] : [at, t.start];
      const between = this.a.text.slice(from, to);
      const semi = between.lastIndexOf(';');
      return semi < 0 || (t.start < at && PRONOUN.test(between.slice(semi)));
    });
  }

  /** Context triggers of sentence `s` (terminators and triggers inside concept terms left out). */
  triggersIn(s: number): readonly Match[] {
    return this.bySentence.get(s) ?? [];
  }

  /** The context the trigger gives the mention spanning tokens [startTok, endTok], if any (its window and terminators). */
  appliesTo(t: Match, startTok: number, endTok: number): ContextType | null {
    return this.applies(t, startTok, endTok);
  }

  /** Scope windows of a context type (mappings/nlp-context.json). */
  windowsOf(kind: ContextType): { forward: number; backward: number } {
    return this.dict.context.windows[kind];
  }

  /** A terminator between tokens `from` and `to` (exclusive) ends every scope there, or (with `family`) a relative's. */
  terminatedBetween(from: number, to: number, family: boolean): boolean {
    for (let j = from + 1; j < to; j++) if (this.terminators[j] === 1 || (family && this.terminators[j] === 2)) return true;
    return false;
  }

  /** The trigger determines the word after it ("kein EK-Bedarf", "no transfusion"): it points forward, never back. */
  determines(t: Match): boolean {
    return this.opensMention(t);
  }

  /** The assertion of the mention spanning tokens [startTok, endTok]. */
  assess(startTok: number, endTok: number, opts: ContextOptions = {}): ContextResult {
    const s = this.a.tokenSentence[startTok];
    const found = new Set<Assertion>();
    let relation: string | undefined;
    const section = s >= 0 ? this.a.sentences[s].section : 'none';
    const carriedRelative = this.carried.family.get(s);
    const ownResult = opts.ownResult && !this.relativeOwns(s, startTok);
    if ((section === 'family' && !ownResult) || carriedRelative !== undefined) { found.add('family'); relation = carriedRelative ?? 'FAMMEMB'; }
    // a graded toxicity under "Side effects:" / "Nebenwirkungen:" is the patient's (gradedAfter)
    const observed = opts.measurement === true || gradedAfter(this.a, endTok);
    if (section === 'hypothetical' && !observed) found.add('hypothetical');
    const label = this.carried.label.get(s);
    if (label && !(label === 'negated' && opts.ignoreNegation) && !(label === 'hypothetical' && observed)) found.add(label);
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
    if (!found.size && continuesDenial(this.a, this.dict, this.bySentence.get(s) ?? [], startTok)) found.add('negated');
    // "No family history of ovarian cancer" denies the family history: negated, not a relative's disease
    if (found.has('family') && (firstAt.negated ?? Infinity) < (firstAt.family ?? -1)) found.delete('family');
    // "lung nodules of uncertain significance, ?metastases": the query may stand before the head inside the mention
    const asked = (from: number): boolean => this.questionMark(this.a.tokens[from].start, this.a.tokens[endTok].end);
    if (asked(opts.spanStart ?? startTok) || (opts.spanStart !== undefined && opts.spanStart !== startTok && asked(startTok))) found.add('possible');
    if (found.has('possible') && answersSuspicion(this.a, this.bySentence.get(s) ?? [], this.bySentence.get(s + 1) ?? [], this.covered, this.terminators, endTok)) found.add('negated');
    // "Fragestellung: Lungenmetastasen?", "Indication: … Concern for SBO": what a request asks about is not a finding
    if (question && found.has('possible')) { found.delete('possible'); found.add('hypothetical'); }
    for (const p of PRECEDENCE) if (found.has(p)) return p === 'family' ? { assertion: p, relation } : { assertion: p };
    return { assertion: 'present' };
  }
}
