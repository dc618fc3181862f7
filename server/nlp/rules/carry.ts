/**
 * Context that a sentence takes over from the sentences before it (ConText works per sentence; notes do not):
 * a relative named on a family line hands the family context to the next sentence of that line; a sentence that
 * opens with a pronoun continues the subject of the sentence before ("My mother was seen in 2019. She had breast
 * cancer."); a negation or counselling trigger that is a label ("Negative for:", "Ausgeschlossen:", "Return if:")
 * covers the list lines under it.
 */
import type { ContextType } from '../mappings';
import type { NoteAnalysis } from './analysis';
import type { Dictionary } from './dictionary';
import type { Match } from './matcher';

export interface CarryInput {
  a: NoteAnalysis;
  dict: Dictionary;
  /** Context triggers (not terminators) of each sentence, in text order. */
  bySentence: Map<number, Match[]>;
  /** Sentences with a concept mention. */
  withMention: Set<number>;
  /** Sentences that turn back to the patient ("the patient herself", "die Patientin") after their first word. */
  toPatient: Set<number>;
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
const LABEL_SEP = /:|\s[-–—]\s/;

/** Text between two sentences: a blank line ends a paragraph, a line break a line. */
const gap = (a: NoteAnalysis, s: number): string => a.text.slice(a.sentences[s - 1].end, a.sentences[s].start);
const blankBetween = (a: NoteAnalysis, s: number): boolean => /\n[ \t]*\n/.test(gap(a, s));

function firstTokens(a: NoteAnalysis): Int32Array {
  const first = new Int32Array(a.sentences.length).fill(-1);
  for (let i = 0; i < a.tokens.length; i++) {
    const s = a.tokenSentence[i];
    if (s >= 0 && first[s] < 0) first[s] = i;
  }
  return first;
}

const relationOf = (t: Match): string | undefined => t.entries.find((e) => e.key === 'family' && e.relation !== undefined)?.relation;

class Carrier {
  private readonly first: Int32Array;
  private readonly anaphora: Map<string, string>;
  private readonly determiners: Set<string>;
  private readonly gender: Record<string, string>;
  readonly out: Carried = { family: new Map(), label: new Map() };

  constructor(private readonly c: CarryInput) {
    this.first = firstTokens(c.a);
    const ctx = c.dict.context[c.a.language];
    this.anaphora = new Map(Object.entries(ctx.anaphora ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    this.determiners = new Set((ctx.subjectDeterminers ?? []).map((d) => d.toLowerCase()));
    this.gender = c.dict.context.relativeGender ?? {};
  }

  /** The relative the sentence is about: one named first (after a label and determiners: "FHx: Her mother …", "Die Schwester …"). */
  private subject(s: number): string | undefined {
    const carried = this.out.family.get(s);
    if (carried !== undefined && carried !== 'FAMMEMB') return carried;
    const { tokens } = this.c.a;
    for (const t of this.c.bySentence.get(s) ?? []) {
      const relation = relationOf(t);
      if (!relation || relation === 'FAMMEMB') continue;
      // only determiners before it, back to the sentence start or a label ("FHx: Her mother …")
      for (let i = t.startTok; i > this.first[s] && !LABEL_SEP.test(tokens[i].sepText); i--) {
        if (!this.determiners.has(tokens[i - 1].norm)) return undefined;
      }
      return relation;
    }
    return undefined;
  }

  /** The gender ('f', 'm', or 'any') of a pronoun opening the sentence, or undefined. */
  private pronoun(s: number): string | undefined {
    const i = this.first[s];
    return i < 0 ? undefined : this.anaphora.get(this.c.a.tokens[i].norm);
  }

  private pronounCarry(s: number): void {
    const said = this.pronoun(s);
    if (said === undefined || blankBetween(this.c.a, s) || this.c.toPatient.has(s)) return;
    const relation = this.subject(s - 1);
    const g = relation ? this.gender[relation] : undefined;
    if (relation && (said === 'any' || g === undefined || g === said)) this.out.family.set(s, relation);
  }

  /** "FA: Mutter verstorben. Todesursache Ovarialkarzinom.": a relative with no disease of her own, on a family line. */
  private lineCarry(s: number): void {
    const { a } = this.c;
    const prev = s - 1;
    if (this.out.family.has(s) || this.c.withMention.has(prev) || gap(a, s).includes('\n') || this.c.toPatient.has(s)) return;
    const relative = (this.c.bySentence.get(prev) ?? []).some((t) => { const r = relationOf(t); return r !== undefined && r !== 'FAMMEMB'; });
    if (relative && (a.sentences[prev].section === 'family' || this.out.family.has(prev))) this.out.family.set(s, 'FAMMEMB');
  }

  /** The assertion of a trigger that ends its sentence as a label ("Negative for:", "Kein Anhalt für:"), if any. */
  private labelKind(s: number): ContextType | undefined {
    const { a } = this.c;
    const sentence = a.sentences[s];
    if (!a.text.slice(sentence.start, sentence.end).endsWith(':')) return undefined;
    const last = (this.c.bySentence.get(s) ?? []).filter((t) => a.tokens[t.endTok].end >= sentence.end - 2);
    for (const t of last) for (const e of t.entries) if (LABEL_KINDS.has(e.key)) return e.key as ContextType;
    return undefined;
  }

  private labelCarry(s: number): void {
    const kind = this.labelKind(s);
    if (!kind) return;
    const { a } = this.c;
    for (let q = s + 1; q < a.sentences.length && q <= s + MAX_LIST_LINES; q++) {
      if (blankBetween(a, q)) return;
      const line = a.text.slice(a.sentences[q].start, a.sentences[q].end);
      if (line.endsWith(':') || (!BULLET_START.test(line) && LABEL_LINE.test(line))) return;
      this.out.label.set(q, kind);
    }
  }

  run(): Carried {
    for (let s = 0; s < this.c.a.sentences.length; s++) {
      if (s > 0) { this.pronounCarry(s); this.lineCarry(s); }
      this.labelCarry(s);
    }
    return this.out;
  }
}

export function carryContext(input: CarryInput): Carried {
  return new Carrier(input).run();
}
