/**
 * Context that a sentence takes over from the sentences before it (ConText works per sentence; notes do not):
 * a relative named on a family line hands the family context to the next sentence of that line; a sentence whose
 * first person is a pronoun continues the relative who was the first person of the sentence before ("My mother was
 * seen in 2019. She had breast cancer.", "Die Mutter … Mit 49 Jahren erkrankte sie …"); a negation or counselling trigger that is a label ("Negative for:", "Ausgeschlossen:", "Return if:")
 * covers the list lines under it.
 */
import type { Language } from '../finding';
import type { ContextType } from '../mappings';
import type { NoteAnalysis } from './analysis';
import type { Dictionary } from './dictionary';
import type { Match } from './matcher';
import { squash } from '../text/normalize';

export interface CarryInput {
  a: NoteAnalysis;
  dict: Dictionary;
  /** Context triggers (not terminators) of each sentence, in text order. */
  bySentence: Map<number, Match[]>;
  /** Sentences with a concept mention. */
  withMention: Set<number>;
  /** Tokens that name the patient ("the patient", "herself", "die Patientin"; EN "she" too, unless it refers back). */
  patientAt: Uint8Array;
  /** Tokens inside a concept mention. */
  covered: Uint8Array;
}

export interface Carried {
  /** Sentence → relative (HL7 RoleCode) whose context it continues. */
  family: Map<number, string>;
  /** Sentence → assertion of the label its list line sits under. */
  label: Map<number, ContextType>;
}

const LABEL_KINDS = new Set<string>(['negated', 'hypothetical', 'possible']);
/** A line that is itself a label ("Assessment: …"), not a list item under one. */
const LABEL_LINE = /^[\p{L}][^:\n]{0,40}:/u;
const BULLET_START = /^(?:[-•*·▪–]|\d{1,2}[.)])/;
const MAX_LIST_LINES = 30;
/** A relative's name line ("Maternal aunt (61)", "Mutter, 72 J."): short. */
const MAX_RELATIVE_LABEL = 40;
const LABEL_SEP = /:|\s[-–—]\s/;
/** A pronoun this far into a sentence is still its subject (German puts the verb second: "Mit 49 Jahren erkrankte sie"). */
const PRONOUN_WITHIN = 6;
/** A reporting verb this close after the teller ("The patient herself reports", "Sie gibt an"). */
const REPORT_WITHIN = 3;

/** Per sentence, what separates it from the one before: 0 nothing but blanks, 1 a line break, 2 a blank line. */
function breaksOf(a: NoteAnalysis): Uint8Array {
  const out = new Uint8Array(a.sentences.length);
  for (let s = 1; s < a.sentences.length; s++) {
    let newlines = 0;
    for (let i = a.sentences[s - 1].end; i < a.sentences[s].start; i++) {
      const c = a.text.charCodeAt(i);
      if (c === 10) newlines++;
      else if (c !== 32 && c !== 9 && c !== 13) newlines = Math.min(newlines, 1); // only blanks between two breaks make a blank line
    }
    out[s] = Math.min(newlines, 2);
  }
  return out;
}

function firstTokens(a: NoteAnalysis): Int32Array {
  const first = new Int32Array(a.sentences.length).fill(-1);
  for (let i = 0; i < a.tokens.length; i++) {
    const s = a.tokenSentence[i];
    if (s >= 0 && first[s] < 0) first[s] = i;
  }
  return first;
}

interface Words { anaphora: Map<string, string>; reporting: Set<string>; informants: Set<string>; relatives: Map<string, string> }
const WORDS = new WeakMap<Dictionary, Partial<Record<Language, Words>>>();

/** Pronouns and reporting verbs of a language, folded once per dictionary. */
function wordsOf(dict: Dictionary, language: Language): Words {
  let byLanguage = WORDS.get(dict);
  if (!byLanguage) { byLanguage = {}; WORDS.set(dict, byLanguage); }
  const ctx = dict.context[language];
  return byLanguage[language] ??= {
    anaphora: new Map(Object.entries(ctx.anaphora ?? {}).map(([k, v]) => [squash(k), v])),
    reporting: new Set((ctx.reportingVerbs ?? []).map(squash)),
    informants: new Set((ctx.informants ?? []).map(squash)),
    relatives: new Map(Object.entries(ctx.family.forward).filter(([term, r]) => r !== 'FAMMEMB' && !/\s/.test(term)).map(([term, r]) => [squash(term), r])),
  };
}

const relationOf = (t: Match): string | undefined => t.entries.find((e) => e.key === 'family' && e.relation !== undefined)?.relation;

class Carrier {
  private readonly first: Int32Array;
  private readonly anaphora: Map<string, string>;
  private readonly gender: Record<string, string>;
  readonly out: Carried = { family: new Map(), label: new Map() };

  private readonly breaks: Uint8Array;
  private readonly reporting: Set<string>;
  private readonly words: Words;
  /** The relative a label line named as the informant ("Anruferin: Tochter von …"), once named. */
  private informant: string | undefined;

  constructor(private readonly c: CarryInput) {
    this.first = firstTokens(c.a);
    this.breaks = breaksOf(c.a);
    const words = wordsOf(c.dict, c.a.language);
    this.anaphora = words.anaphora;
    this.reporting = words.reporting;
    this.words = words;
    this.gender = c.dict.context.relativeGender ?? {};
  }

  /** Where the sentence's words start: after a label ("FHx: Her mother …", "Mutter - …"). */
  private bodyStart(s: number, before: number): number {
    let i = before;
    while (i > this.first[s] && !LABEL_SEP.test(this.c.a.tokens[i].sepText)) i--;
    return i;
  }

  private isPerson(i: number): boolean {
    return this.c.patientAt[i] === 1 || this.anaphora.has(this.c.a.tokens[i].norm);
  }

  /** "The patient reports (that) her mother …", "Sie berichtet, die Mutter …": the teller is not what the sentence is about. */
  private tells(i: number, before: number): boolean {
    for (let j = i + 1; j < before && j <= i + REPORT_WITHIN; j++) if (this.reporting.has(this.c.a.tokens[j].norm)) return true;
    return false;
  }

  /** The relative the sentence is about: the first person it names ("Her mother …", "2018 wurde die Mutter …"). */
  private subject(s: number): string | undefined {
    const carried = this.out.family.get(s);
    if (carried !== undefined && carried !== 'FAMMEMB') return carried;
    for (const t of this.c.bySentence.get(s) ?? []) {
      const relation = relationOf(t);
      if (!relation || relation === 'FAMMEMB') continue;
      for (let i = this.bodyStart(s, t.startTok); i < t.startTok; i++) if (this.isPerson(i) && !this.tells(i, t.startTok)) return undefined;
      return relation;
    }
    return undefined;
  }

  /**
   * The gender ('f', 'm', or 'any') of the sentence's first person when that is a pronoun near its start, before any
   * disease ("She had …", "At 52 she was …", "Mit 49 Jahren erkrankte sie …"), or undefined.
   */
  private pronoun(s: number): string | undefined {
    const { tokens, tokenSentence } = this.c.a;
    const from = this.first[s];
    for (let i = from; i >= 0 && i < tokens.length && i < from + PRONOUN_WITHIN && tokenSentence[i] === s; i++) {
      if (this.c.covered[i]) return undefined;
      const g = this.anaphora.get(tokens[i].norm);
      if (g !== undefined) return g;
      if (this.c.patientAt[i]) return undefined;
    }
    return undefined;
  }

  /** The sentence names the patient ("she herself", "die Patientin") other than by a pronoun that refers back. */
  private namesPatient(s: number): boolean {
    const { tokens, tokenSentence } = this.c.a;
    for (let i = Math.max(0, this.first[s]); i < tokens.length && tokenSentence[i] === s; i++) {
      if (this.c.patientAt[i] && !this.anaphora.has(tokens[i].norm)) return true;
    }
    return false;
  }

  private pronounCarry(s: number): void {
    const said = this.pronoun(s);
    if (said === undefined || this.breaks[s] === 2 || this.namesPatient(s)) return;
    const relation = this.subject(s - 1);
    const g = relation ? this.gender[relation] : undefined;
    if (relation && (said === 'any' || g === undefined || g === said)) this.out.family.set(s, relation);
  }

  /** "FA: Mutter verstorben. Todesursache Ovarialkarzinom.": a relative with no disease of her own, on a family line. */
  private lineCarry(s: number): void {
    const { a } = this.c;
    const prev = s - 1;
    if (this.out.family.has(s) || this.c.withMention.has(prev) || this.breaks[s] > 0 || this.namesPatient(s)) return;
    const relative = (this.c.bySentence.get(prev) ?? []).some((t) => { const r = relationOf(t); return r !== undefined && r !== 'FAMMEMB'; });
    if (relative && (a.sentences[prev].section === 'family' || this.out.family.has(prev))) this.out.family.set(s, 'FAMMEMB');
  }

  /** The assertion of a trigger that ends its sentence as a label ("Negative for:", "Kein Anhalt für:"), if any. */
  private labelKind(s: number): ContextType | undefined {
    const { a } = this.c;
    const sentence = a.sentences[s];
    if (a.text.charCodeAt(sentence.end - 1) !== 58) return undefined; // ':'
    const last = (this.c.bySentence.get(s) ?? []).filter((t) => a.tokens[t.endTok].end >= sentence.end - 2);
    // a post-trigger bound to its noun (window 0: "surveillance", "Vorsorge") heads the visit's findings, it lists nothing
    for (const t of last) for (const e of t.entries) if (LABEL_KINDS.has(e.key) && !(e.sub === 'backward' && e.window === 0)) return e.key as ContextType;
    return undefined;
  }

  private labelCarry(s: number): void {
    const kind = this.labelKind(s);
    if (!kind) return;
    const { a } = this.c;
    for (let q = s + 1; q < a.sentences.length && q <= s + MAX_LIST_LINES; q++) {
      if (this.breaks[q] === 2) return;
      const line = a.text.slice(a.sentences[q].start, a.sentences[q].end);
      if (line.endsWith(':') || (!BULLET_START.test(line) && LABEL_LINE.test(line))) return;
      this.out.label.set(q, kind);
    }
  }

  /** "Mother (72)" alone on its line: the bullet lines under it are hers ("- breast cancer at 52"). */
  private relativeListCarry(s: number): void {
    const { a } = this.c;
    const sentence = a.sentences[s];
    if (sentence.end - sentence.start > MAX_RELATIVE_LABEL || this.c.withMention.has(s)) return;
    if ((s > 0 && this.breaks[s] === 0) || (s + 1 < a.sentences.length && this.breaks[s + 1] === 0)) return;
    const relation = this.subject(s);
    if (!relation) return;
    for (let q = s + 1; q < a.sentences.length && q <= s + MAX_LIST_LINES; q++) {
      if (this.breaks[q] !== 1 || !BULLET_START.test(a.text.slice(a.sentences[q].start, a.sentences[q].end))) return;
      this.out.family.set(q, relation);
    }
  }

  /**
   * "Anruferin: Tochter von Frau …", "Caller: husband": a label line that names the informant — the relative, or
   * undefined when the informant is no relative ("Caller: patient herself"); null when the sentence is no such label.
   */
  private informantLabel(s: number): string | undefined | null {
    const { tokens, tokenSentence } = this.c.a;
    const first = this.first[s];
    if (first < 0 || first + 1 >= tokens.length || !this.words.informants.has(tokens[first].norm) || !tokens[first + 1].sepText.includes(':')) return null;
    // the relative opens the label's value, after at most an article or possessive ("Caller: her daughter")
    for (let i = first + 1; i <= first + 2 && i < tokens.length && tokenSentence[i] === s; i++) {
      const relation = this.words.relatives.get(tokens[i].norm);
      if (relation) return relation;
    }
    return undefined;
  }

  /** "Die Anruferin selbst wurde … operiert": a sentence whose subject is the named informant is about that relative. */
  private informantCarry(s: number): void {
    if (this.informant === undefined || this.out.family.has(s)) return;
    const { tokens, tokenSentence } = this.c.a;
    const from = this.first[s];
    for (let i = from; i >= 0 && i < tokens.length && i < from + PRONOUN_WITHIN && tokenSentence[i] === s; i++) {
      if (this.c.covered[i] || this.c.patientAt[i]) return;
      if (this.words.informants.has(tokens[i].norm)) { this.out.family.set(s, this.informant); return; }
    }
  }

  run(): Carried {
    for (let s = 0; s < this.c.a.sentences.length; s++) {
      const named = this.informantLabel(s);
      if (named !== null) this.informant = named;
      else this.informantCarry(s);
      if (s > 0) { this.pronounCarry(s); this.lineCarry(s); }
      this.labelCarry(s);
      this.relativeListCarry(s);
    }
    return this.out;
  }
}

export function carryContext(input: CarryInput): Carried {
  return new Carrier(input).run();
}
