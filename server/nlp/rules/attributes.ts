/** Binds histology, laterality and FIGO stage to the cancer mentions they describe (span, adjacency, sentence, note). */
import type { CodingFile } from '../mappings';
import type { NoteAnalysis } from './analysis';
import type { ConditionMention } from './conditions';
import type { Match } from './matcher';
import type { StageMention } from './staging';

/** How an attribute was bound: 3 inside the mention, 2 next to it, 1 same sentence, 0 once for the whole note. */
export interface Bound { key: string; strength: number }

export interface MentionAttributes {
  histology?: Bound;
  laterality?: Bound;
  figo?: Bound;
}

export interface AttributeInput {
  mentions: ConditionMention[];
  stages: StageMention[];
  /** Histology matches and stages in family/hypothetical/negated context do not describe the patient's tumour. */
  isPatientContext: (startTok: number, endTok: number) => boolean;
}

/** Index of the first token starting at or after `offset`. */
export function tokenAt(a: NoteAnalysis, offset: number): number {
  let lo = 0;
  let hi = a.tokens.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a.tokens[mid].start < offset) lo = mid + 1;
    else hi = mid;
  }
  return Math.min(lo, a.tokens.length - 1);
}

/** An organ called normal or tumour-free: its side says nothing about the cancer. */
const NORMAL_ORGAN = /^[\s,:-]*(?:\p{L}+\s+){0,2}(?:unauffällig|normal|unremarkable|tumorfrei|tumour-free|tumor-free|frei|free|clear|benign|gesund|ohne\s+(?:befund|tumor)|no\s+tumou?r|kein\s+tumor)/iu;
/** A grade written after a serous histology ("serous, high grade", "seröses Karzinom high grade") makes it high- or low-grade serous. */
const GRADE_AFTER = /^[\s,]*(?:(?:carcinoma|karzinoms?|adenocarcinoma|adenokarzinoms?|type)\s*,?\s*)?(high[-\s]?grade|hochgradig|G3|low[-\s]?grade|niedriggradig|G1)\b/i;

const distance = (m: ConditionMention, s: number, e: number): number => (e < m.startTok ? m.startTok - e - 1 : s > m.endTok ? s - m.endTok - 1 : 0);

function better(cur: Bound | undefined, next: Bound): Bound {
  if (!cur || next.strength > cur.strength) return next;
  if (next.strength === cur.strength && next.key !== cur.key && cur.key !== 'bilateral' && ['left', 'right'].includes(next.key)) return { key: 'bilateral', strength: cur.strength };
  return cur;
}

export class AttributeBinder {
  private readonly out = new Map<ConditionMention, MentionAttributes>();
  private readonly sets: Record<'histology' | 'figo' | 'laterality' | 'adjacent', Set<string>>;

  private readonly primary: Record<string, string>;

  constructor(private readonly a: NoteAnalysis, coding: CodingFile, private readonly input: AttributeInput) {
    this.primary = coding.siteConcepts.primary;
    const c = coding.attributeConcepts;
    this.sets = { histology: new Set(c.histology), figo: new Set(c.figo), laterality: new Set(c.laterality), adjacent: new Set(c.adjacentLaterality) };
  }

  private attrs(m: ConditionMention): MentionAttributes {
    let v = this.out.get(m);
    if (!v) { v = {}; this.out.set(m, v); }
    return v;
  }

  private sameSentence(m: ConditionMention, tok: number): boolean {
    return this.a.tokenSentence[m.startTok] === this.a.tokenSentence[tok];
  }

  /** One laterality word: inside a mention, right before/after one, else the nearest applicable cancer in the sentence. */
  private bindLaterality(l: Match): void {
    const key = l.entries[0].key;
    const adjacentOnly = l.entries.every((e) => e.adjacentOnly);
    const inSentence = this.input.mentions.filter((m) => this.sameSentence(m, l.startTok));
    const inside = inSentence.find((m) => m.startTok <= l.startTok && l.endTok <= m.endTok);
    if (inside) { this.setLat(inside, key, 3); return; }
    const soft = (tok: number): boolean => this.a.tokens[tok]?.sep !== 'hard';
    const before = inSentence.find((m) => m.startTok === l.endTok + 1 && soft(m.startTok));
    const after = inSentence.find((m) => m.endTok + 1 === l.startTok && !/[;:.\n]/.test(this.a.tokens[l.startTok].sepText));
    if (before || after) { this.setLat((before ?? after) as ConditionMention, key, 2); return; }
    if (this.bindOrganSide(l, key)) return;
    if (adjacentOnly) return;
    let best: ConditionMention | undefined;
    for (const m of inSentence) {
      if (!this.sets.laterality.has(m.concept) || distance(m, l.startTok, l.endTok) > 20) continue;
      if (!best || distance(m, l.startTok, l.endTok) < distance(best, l.startTok, l.endTok)) best = m;
    }
    if (best) this.setLat(best, key, 1);
  }

  /**
   * "clear cell carcinoma of ovary, FIGO IC3, L ovary": a side written on an organ describes the cancer of that organ
   * in the same sentence or the one before (same section) — unless the organ is called normal there.
   */
  private bindOrganSide(l: Match, key: string): boolean {
    const part = this.a.matches.part.find((p) => (p.startTok === l.endTok + 1 || p.endTok + 1 === l.startTok)
      && p.entries.some((e) => e.key === 'siteNoun' || e.key === 'siteAdj'));
    const site = part?.entries.find((e) => e.key === 'siteNoun' || e.key === 'siteAdj')?.sub;
    const concept = site ? this.primary[site] : undefined;
    if (!part || !concept) return false;
    const s = this.a.tokenSentence[l.startTok];
    const sentence = s >= 0 ? this.a.sentences[s] : undefined;
    const rest = sentence ? this.a.text.slice(Math.max(part.end, this.a.tokens[l.endTok].end), sentence.end) : '';
    if (NORMAL_ORGAN.test(rest.slice(0, 40))) return false;
    const near = this.input.mentions.filter((m) => m.concept === concept && m.startTok < l.startTok
      && (this.a.tokenSentence[m.startTok] === s || (this.a.tokenSentence[m.startTok] === s - 1 && this.a.sentences[s - 1]?.section === sentence?.section)));
    const target = near[near.length - 1];
    if (target) this.setLat(target, key, 1);
    return !!target;
  }

  private setLat(m: ConditionMention, key: string, strength: number): void {
    if (!this.sets.laterality.has(m.concept) && !(this.sets.adjacent.has(m.concept) && strength >= 2)) return;
    const at = this.attrs(m);
    at.laterality = better(at.laterality, { key, strength });
  }

  private bindHistology(): void {
    const patientHist = this.a.matches.histology.filter((h) => this.input.isPatientContext(h.startTok, h.endTok));
    for (const m of this.input.mentions) {
      if (!this.sets.histology.has(m.concept)) continue;
      const at = this.attrs(m);
      if (m.histology) { at.histology = { key: m.histology, strength: 3 }; continue; }
      for (const h of this.a.matches.histology) {
        if (!this.sameSentence(m, h.startTok)) continue;
        const d = distance(m, h.startTok, h.endTok);
        const strength = d === 0 && h.startTok >= m.startTok && h.endTok <= m.endTok ? 3 : d <= 8 ? 2 : -1;
        if (strength >= 0 && (!at.histology || strength > at.histology.strength)) at.histology = { key: this.graded(h), strength };
      }
    }
    const values = new Set(patientHist.map((h) => this.graded(h)));
    if (values.size === 1) this.fallback('histology', this.sets.histology, [...values][0]);
  }

  private graded(h: Match): string {
    const key = h.entries[0].key;
    if (key !== 'serous_nos') return key;
    const g = GRADE_AFTER.exec(this.a.text.slice(h.end, h.end + 40));
    if (!g) return key;
    return /high|hoch|3/i.test(g[1]) ? 'high_grade_serous' : 'low_grade_serous';
  }

  private bindFigo(): void {
    const patient = this.input.stages.filter((s) => {
      const t = tokenAt(this.a, s.start);
      return this.input.isPatientContext(t, t);
    });
    for (const m of this.input.mentions) {
      if (!this.sets.figo.has(m.concept)) continue;
      let best: { key: string; d: number } | undefined;
      for (const s of patient) {
        const t = tokenAt(this.a, s.start);
        const d = distance(m, t, t);
        if (this.sameSentence(m, t) && d <= 15 && (!best || d < best.d)) best = { key: s.stage, d };
      }
      if (best) this.attrs(m).figo = { key: best.key, strength: 2 };
    }
    const values = new Set(patient.filter((s) => s.explicit).map((s) => s.stage));
    if (values.size === 1) this.fallback('figo', this.sets.figo, [...values][0]);
  }

  /** A value stated once in the note describes every applicable cancer that has none of its own. */
  private fallback(name: 'histology' | 'figo', concepts: Set<string>, key: string): void {
    for (const m of this.input.mentions) {
      if (!concepts.has(m.concept)) continue;
      const at = this.attrs(m);
      at[name] ??= { key, strength: 0 };
    }
  }

  run(): Map<ConditionMention, MentionAttributes> {
    for (const l of this.a.matches.laterality) this.bindLaterality(l);
    this.bindHistology();
    this.bindFigo();
    return this.out;
  }
}
