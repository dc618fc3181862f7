/** BRCA1/2 results, positive and negative: "BRCA1 pathogenic variant detected", "BRCA1/2 negative", "no BRCA mutation". */
import type { VariantValue } from '../finding';
import type { NoteAnalysis } from './analysis';
import type { ContextRules } from './context';
import type { Match } from './matcher';

export interface VariantMention {
  gene: 'brca1' | 'brca2';
  value: VariantValue;
  start: number;
  end: number;
  confidence: number;
  /** Germline or tumour (somatic) test, when the sentence says which: the same answer of both is two results. */
  origin?: 'germline' | 'somatic';
}

/** Genes listed together: "BRCA1/2", "BRCA1 and BRCA2", "(BRCA1, BRCA2, PALB2, …)". */
const LIST_GLUE = /^[\s,/+&()-]*(?:and|und|or|oder|sowie)?[\s,/+&()-]*$/i;
const HGVS = /^[\s:,(-]*(?:c\.|p\.|NM_)\S*\d/;
const RESULT_WINDOW = 12;
/** "BRCA mutation status: negative": the word names the test, the result follows. */
const STATUS_AFTER = /^[\s-]*(?:status|test(?:ing|s)?|analysis|screen(?:ing)?|panel|analyse|testung|untersuchung|diagnostik)\b/i;

/** "has not yet been tested for BRCA1/2", "noch nicht auf BRCA getestet": no test, so no result (a negation here denies the test). */
const UNTESTED_BEFORE = /\b(?:not|never)\s+(?:yet\s+)?(?:been\s+)?(?:tested|screened|analy[sz]ed)\s+(?:for\s+)?$/i;
const NICHT_BEFORE = /\b(?:nicht|nie)\b[^.;,\n]{0,15}$/i;
const GETESTET_AFTER = /^[\s-]*(?:getestet|untersucht|analysiert|geprüft)\b/i;

/** The test a result is of: the last cue before the gene in its sentence decides ("Germline … neg. Somatic panel: … BRCA1 wild type"). */
// "tumour" as a word or a test of it ("Tumorgewebe", "Tumortestung"), never "Tumorboard" / "tumour board"
const ORIGIN_CUE = /\b(?:(germline|germ-line|constitutional|keimbahn\p{L}*|g(?=BRCA))|(somatic|somatisch\p{L}*|tissue|tumou?r(?:gewebe|material|testung|analyse|probe)?(?![\p{L}-]|\s+board)|[ts](?=BRCA)))/giu;

type ResultKind = 'positive' | 'negative' | 'pending';

const kindOf = (m: Match | undefined): ResultKind | undefined => m?.entries[0]?.key as ResultKind | undefined;

function groups(a: NoteAnalysis): Match[][] {
  const out: Match[][] = [];
  for (const g of a.matches.gene) {
    const cur = out[out.length - 1];
    const prev = cur?.[cur.length - 1];
    if (prev && a.tokenSentence[prev.startTok] === a.tokenSentence[g.startTok] && LIST_GLUE.test(a.text.slice(prev.end, g.start))) cur.push(g);
    else out.push([g]);
  }
  return out;
}

function brcaGenes(group: Match[]): Array<'brca1' | 'brca2'> {
  const genes = new Set<'brca1' | 'brca2'>();
  for (const g of group) {
    for (const e of g.entries) {
      if (e.key === 'brca1' || e.key === 'brca') genes.add('brca1');
      if (e.key === 'brca2' || e.key === 'brca') genes.add('brca2');
    }
  }
  return [...genes];
}

export class VariantFinder {
  constructor(private readonly a: NoteAnalysis, private readonly ctx: ContextRules) {}

  /** First result word after the gene list, before the next BRCA gene or a ';'. */
  private resultAfter(group: Match[]): Match | undefined {
    const last = group[group.length - 1];
    const sentence = this.a.tokenSentence[last.startTok];
    const nextGene = this.a.matches.gene.find((g) => g.start > last.end && !group.includes(g) && brcaGenes([g]).length > 0);
    return this.a.matches.result.find((r) => r.startTok > last.endTok && r.startTok - last.endTok <= RESULT_WINDOW
      && this.a.tokenSentence[r.startTok] === sentence && (!nextGene || r.start < nextGene.start)
      && !this.a.text.slice(last.end, r.start).includes(';') && !STATUS_AFTER.test(this.a.text.slice(r.end, r.end + 16))
      // "… identified a pathogenic BRCA1 variant": the word belongs to the gene right after it
      && !(nextGene && nextGene.startTok - r.endTok <= 2 && this.softBetween(r.endTok, nextGene.startTok)));
  }

  private softBetween(from: number, to: number): boolean {
    for (let j = from + 1; j <= to; j++) if (this.a.tokens[j].sep === 'hard') return false;
    return true;
  }

  /** A cue shortly before the genes ("no pathogenic variant was found in BRCA2"), not already used by an earlier gene. */
  private before(group: Match[], pick: (m: Match) => boolean, list: Match[]): boolean {
    const first = group[0].startTok;
    const sentence = this.a.tokenSentence[first];
    const prevGeneEnd = this.a.matches.gene.filter((g) => g.endTok < first).reduce((e, g) => Math.max(e, g.endTok), -1);
    // "BRCA1 negativ, BRCA2 pathogene Variante": a word right after the gene before is that gene's result
    const ownedByPrev = (m: Match): boolean => prevGeneEnd >= 0 && m.startTok - prevGeneEnd <= 3 && this.a.tokenSentence[prevGeneEnd] === sentence
      && /,|;/.test(this.a.text.slice(m.end, group[0].start));
    return list.some((m) => m.endTok < first && m.startTok > prevGeneEnd && first - m.endTok <= 5
      && this.a.tokenSentence[m.startTok] === sentence && pick(m) && !ownedByPrev(m));
  }

  private originOf(first: Match): 'germline' | 'somatic' | undefined {
    const s = this.a.tokenSentence[first.startTok];
    const from = s >= 0 ? this.a.sentences[s].start : Math.max(0, first.start - 80);
    let origin: 'germline' | 'somatic' | undefined;
    for (const m of this.a.text.slice(from, first.end).matchAll(ORIGIN_CUE)) origin = m[1] !== undefined ? 'germline' : 'somatic';
    return origin;
  }

  private untested(group: Match[]): boolean {
    const lead = this.a.text.slice(Math.max(0, group[0].start - 40), group[0].start);
    const trail = this.a.text.slice(group[group.length - 1].end, group[group.length - 1].end + 20);
    return UNTESTED_BEFORE.test(lead) || (NICHT_BEFORE.test(lead) && GETESTET_AFTER.test(trail));
  }

  private decide(group: Match[]): { value: VariantValue; end: number } | null {
    const after = this.resultAfter(group);
    const negatedBefore = this.before(group, (m) => m.entries.some((e) => e.key === 'negated' && e.sub === 'forward'), this.a.matches.trigger)
      || this.before(group, (m) => kindOf(m) === 'negative', this.a.matches.result);
    const positiveBefore = this.before(group, (m) => kindOf(m) === 'positive', this.a.matches.result);
    const kind = kindOf(after);
    // "Not yet tested for BRCA", "noch nicht auf BRCA getestet": no result, whatever negation stands before (a pending word
    // before the gene, "counselling: BRCA1 pathogenic variant", is no answer of the gene: only the result after it counts)
    if (kind === 'pending' || this.untested(group)) return null;
    if (after && kind === 'negative') return { value: 'absent', end: after.end };
    if (after && kind === 'positive') return { value: negatedBefore ? 'absent' : 'present', end: after.end };
    const last = group[group.length - 1];
    // "BRCA1+" / "BRCA2 (+)" / "BRCA1 (-)"; a "+" before a word on its line means "and" ("BRCA1/2 + panel", "+ tumour HRD")
    const sign = /^(?:\s?\(([+-])\)|\+(?![\w+])|\s\+(?![\w+])(?![^\S\n]*[\p{L}\d]))/u.exec(this.a.text.slice(last.end, last.end + 12));
    if (sign) return { value: sign[1] === '-' ? 'absent' : 'present', end: last.end + sign[0].length };
    if (positiveBefore || HGVS.test(this.a.text.slice(last.end, last.end + 12))) return { value: negatedBefore ? 'absent' : 'present', end: last.end };
    return negatedBefore ? { value: 'absent', end: last.end } : null;
  }

  run(): VariantMention[] {
    const out: VariantMention[] = [];
    for (const group of groups(this.a)) {
      const genes = brcaGenes(group);
      if (!genes.length) continue;
      const result = this.decide(group);
      if (!result) continue;
      // the patient's own result only: a relative's variant or "if positive" is not an observation
      const { assertion } = this.ctx.assess(group[0].startTok, group[group.length - 1].endTok, { ignoreNegation: true, ownResult: true });
      if (assertion !== 'present' && assertion !== 'historical') continue;
      const origin = this.originOf(group[0]);
      for (const gene of genes) out.push({ gene, value: result.value, start: group[0].start, end: result.end, confidence: 0.85, ...(origin ? { origin } : {}) });
    }
    return out;
  }
}
