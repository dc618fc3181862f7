/** Composes tumour mentions a dictionary cannot list: "carcinoma of the right ovary", "Ovar rechts: Adenokarzinom", "liver lesions … metastases". */
import type { CodingFile } from '../mappings';
import type { NoteAnalysis } from './analysis';
import type { PartRole } from './dictionary';
import type { Match } from './matcher';

export interface GrammarMention {
  concept: string;
  startTok: number;
  endTok: number;
  /** Histology carried by the tumour noun itself (HGSC). */
  histology?: string;
  /** Derived from a coordination ("ovarian or tubal"): may overlap a dictionary mention of another concept. */
  coordinated?: boolean;
  /** The token whose context decides the assertion when the span holds a trigger ("lesions suspicious for metastases"). */
  headTok?: number;
  /** Named with a site that leaves the choice open ("tubo-ovarian"): possible at most. */
  undetermined?: boolean;
}

const MAX_MODIFIERS = 5;
/** "expansile type", "muzinöser Typ": a type word after a modifier between commas. */
const TYPE_WORDS = new Set(['type', 'typ', 'subtype', 'subtyp']);
/** Verbs of origin in a clause after a tumour: the site they name is the primary. */
const ORIGIN_VERBS = new Set(['arose', 'arises', 'arising', 'originated', 'originates', 'originating', 'ausgeht', 'ausging', 'entstand', 'entstanden', 'entsteht']);

/** Index of the grammar-relevant spans of a note by start and end token. */
class Spans {
  readonly startAt = new Map<number, Match>();
  readonly endAt = new Map<number, Match>();

  constructor(a: NoteAnalysis) {
    // grammar parts first, then histology and laterality words that act as modifiers
    for (const m of [...a.matches.part, ...a.matches.histology, ...a.matches.laterality]) {
      if (!this.startAt.has(m.startTok)) this.startAt.set(m.startTok, m);
      if (!this.endAt.has(m.endTok)) this.endAt.set(m.endTok, m);
    }
  }
}

const has = (m: Match | undefined, role: PartRole): boolean => !!m && m.layer === 'part' && m.entries.some((e) => e.key === role);
const siteOf = (m: Match, role: PartRole): string | undefined => m.entries.find((e) => e.key === role)?.sub;
/** "tubo-ovarian carcinoma": the site adjective leaves tube or ovary open. */
const openSite = (m: Match): Partial<GrammarMention> => (m.entries.some((e) => e.key === 'siteAdj' && e.undetermined) ? { undetermined: true } : {});
const isModifier = (m: Match | undefined): boolean =>
  !!m && (m.layer === 'histology' || (m.layer === 'laterality' && !m.entries.every((e) => e.adjacentOnly)) || has(m, 'modifier') || has(m, 'metsModifier'));

export class TumorGrammar {
  private readonly spans: Spans;
  private readonly out: GrammarMention[] = [];

  constructor(private readonly a: NoteAnalysis, private readonly coding: CodingFile) {
    this.spans = new Spans(a);
  }

  /** No hard separator (comma, colon, bracket) between tokens `from` and `to`. */
  private soft(from: number, to: number): boolean {
    for (let j = from + 1; j <= to; j++) if (this.a.tokens[j].sep === 'hard') return false;
    return true;
  }

  private add(concept: string | undefined, startTok: number, endTok: number, extra: Partial<GrammarMention> = {}): void {
    if (concept) this.out.push({ concept, startTok, endTok, ...extra });
  }

  /** [modifiers] SITE-ADJ [modifiers] TUMOUR, with "X and/or Y" coordination of site adjectives. */
  private adjectiveSite(t: Match, adjacentOnly: boolean): void {
    let j = t.startTok - 1;
    for (let skipped = 0; j >= 0 && skipped <= MAX_MODIFIERS; skipped++) {
      const m = this.spans.endAt.get(j);
      if (!m || !this.soft(m.endTok, t.startTok)) return;
      if (has(m, 'siteAdj')) {
        const histology = t.entries.find((e) => e.histology)?.histology;
        this.add(this.coding.siteConcepts.primary[siteOf(m, 'siteAdj') ?? ''], m.startTok, t.endTok, { ...(histology ? { histology } : {}), ...openSite(m) });
        this.coordination(m, t);
        return;
      }
      if (adjacentOnly || !isModifier(m)) return;
      j = m.startTok - 1;
    }
  }

  private coordination(site: Match, t: Match): void {
    const c = this.spans.endAt.get(site.startTok - 1);
    if (!has(c, 'coord') || !c) return;
    const other = this.spans.endAt.get(c.startTok - 1);
    if (other && has(other, 'siteAdj')) {
      this.add(this.coding.siteConcepts.primary[siteOf(other, 'siteAdj') ?? ''], other.startTok, t.endTok, { coordinated: true, ...openSite(other) });
    }
  }

  /** TUMOUR [modifiers] [of the] [laterality] SITE-NOUN: "carcinoma of the right ovary", "adenoca L ovary". */
  private nounSite(t: Match, metastatic: boolean): void {
    let j = t.endTok + 1;
    for (let step = 0; j < this.a.tokens.length && step <= 4; step++) {
      const m = this.spans.startAt.get(j);
      if (!m || !this.soft(t.endTok, m.startTok)) return;
      if (has(m, 'siteNoun')) {
        const site = siteOf(m, 'siteNoun') ?? '';
        const concept = metastatic ? this.coding.siteConcepts.metastasis[site] : this.coding.siteConcepts.primary[site];
        this.add(concept, t.startTok, m.endTok);
        return;
      }
      if (!has(m, 'prep') && !isModifier(m) && m.layer !== 'laterality') return;
      j = m.endTok + 1;
    }
  }

  /**
   * TUMOUR [modifiers, "(G2)"] "," [prep] [laterality] SITE-NOUN: the site given as an apposition after a comma
   * ("carcinoma, left ovary", "Adenokarzinom (G2), Ovar rechts", "Karzinom, ausgehend vom rechten Ovar"). Only sites
   * that are never metastasis sites: "carcinoma, omentum" lists where a cancer spread, not where it began.
   */
  private appositionSite(t: Match): void {
    let j = t.endTok + 1;
    let commas = 0;
    for (let step = 0; j < this.a.tokens.length && step <= 8; step++) {
      const sep = this.a.tokens[j].sepText;
      if (this.a.tokenSentence[j] !== this.a.tokenSentence[t.startTok]) return;
      // the comma may close a bracket: "Adenokarzinom (G3), Ovar links"; "Mucinous carcinoma, expansile type, left ovary"
      if (/^[\s)]*,\s*$/.test(sep)) {
        if (++commas > 2) return;
      } else if (this.a.tokens[j].sep === 'hard' && !/^[\s()]+$/.test(sep)) return;
      const m = this.spans.startAt.get(j);
      if (!m) {
        // "expansile type" between the commas; "…, which … arose in the right ovary" after one
        if (TYPE_WORDS.has(this.a.tokens[j].norm)) { j++; continue; }
        if (commas && this.originClause(t, j)) return;
        return;
      }
      // "high grade serous carcinoma, primary peritoneal": a site adjective after the comma names the primary itself
      if (commas && has(m, 'siteAdj')) {
        this.add(this.coding.siteConcepts.primary[siteOf(m, 'siteAdj') ?? ''], t.startTok, m.endTok, openSite(m));
        return;
      }
      if (commas && has(m, 'siteNoun')) {
        this.primaryAt(t, m);
        return;
      }
      const ok = isModifier(m) || (commas > 0 && (has(m, 'prep') || m.layer === 'laterality'));
      if (!ok) return;
      j = m.endTok + 1;
    }
  }

  /** A primary at a site that is never a metastasis site, its span closing with a laterality written after the site. */
  private primaryAt(t: Match, m: Match, tumourOnly = false): void {
    const site = siteOf(m, 'siteNoun') ?? '';
    const lat = this.spans.startAt.get(m.endTok + 1);
    const end = tumourOnly ? t.endTok : lat?.layer === 'laterality' && this.soft(m.endTok, lat.startTok) ? lat.endTok : m.endTok;
    if (!this.coding.siteConcepts.metastasis[site]) this.add(this.coding.siteConcepts.primary[site], t.startTok, end);
  }

  /**
   * "carcinoma, which on final pathology (…) arose in the right ovary", "Karzinom, entstanden in einer Endometriosezyste
   * des rechten Ovars": a clause after the comma with a verb of origin names the site a few words on, in the sentence.
   */
  private originClause(t: Match, from: number): boolean {
    const sentence = this.a.tokenSentence[t.startTok];
    for (let k = from; k < from + 12 && k < this.a.tokens.length && this.a.tokenSentence[k] === sentence; k++) {
      if (/[;:]/.test(this.a.tokens[k].sepText)) return false;
      if (!ORIGIN_VERBS.has(this.a.tokens[k].norm)) continue;
      for (let s = k + 1; s <= k + 9 && s < this.a.tokens.length && this.a.tokenSentence[s] === sentence; s++) {
        if (this.a.tokens[s].sep === 'hard') return false;
        const m = this.spans.startAt.get(s);
        // the mention is the tumour noun alone: the clause may name other findings ("in einer Endometriosezyste")
        if (m && has(m, 'siteNoun')) { this.primaryAt(t, m, true); return true; }
      }
      return false;
    }
    return false;
  }

  /** SITE-NOUN [laterality] ":" [modifiers] TUMOUR on one line: "Ovar rechts: Endometrioides Adenokarzinom". */
  private headedSite(s: Match): void {
    let j = s.endTok + 1;
    const lat = this.spans.startAt.get(j);
    if (lat?.layer === 'laterality' && this.soft(s.endTok, lat.startTok)) j = lat.endTok + 1;
    const tok = this.a.tokens[j];
    if (!tok || !/^\s*:\s*$/.test(tok.sepText) || tok.sepText.includes('\n')) return;
    let metastatic = false;
    let prevEnd = -1;
    for (let step = 0; j < this.a.tokens.length && step <= MAX_MODIFIERS; step++) {
      const m = this.spans.startAt.get(j);
      if (!m || (prevEnd >= 0 && !this.soft(prevEnd, m.startTok))) return;
      // a histology term may itself end in the tumour noun ("Endometrioides Adenokarzinom")
      if (has(m, 'tumor') || this.tumorWithin(m)) {
        const site = siteOf(s, 'siteNoun') ?? '';
        this.add(metastatic ? this.coding.siteConcepts.metastasis[site] : this.coding.siteConcepts.primary[site], s.startTok, m.endTok);
        return;
      }
      // "Omentum: Metastase des serösen Karzinoms", "Liver: multiple metastases"
      if (has(m, 'metsNoun')) {
        this.add(this.coding.siteConcepts.metastasis[siteOf(s, 'siteNoun') ?? ''], s.startTok, m.endTok);
        return;
      }
      if (!isModifier(m)) return;
      metastatic ||= has(m, 'metsModifier');
      prevEnd = m.endTok;
      j = m.endTok + 1;
    }
  }

  private tumorWithin(m: Match): boolean {
    return m.layer === 'histology' && this.a.matches.part.some((p) => has(p, 'tumor') && p.startTok >= m.startTok && p.endTok <= m.endTok);
  }

  /** TUMOUR "," primary site ":" [laterality] SITE-NOUN. */
  private primarySite(t: Match): void {
    for (let j = t.endTok + 1; j <= t.endTok + 3 && j < this.a.tokens.length; j++) {
      const cue = this.spans.startAt.get(j);
      if (!has(cue, 'primaryCue') || !cue) continue;
      let k = cue.endTok + 1;
      if (!/:/.test(this.a.tokens[k]?.sepText ?? '')) return;
      const lat = this.spans.startAt.get(k);
      if (lat?.layer === 'laterality') k = lat.endTok + 1;
      const site = this.spans.startAt.get(k);
      if (site && has(site, 'siteNoun')) this.add(this.coding.siteConcepts.primary[siteOf(site, 'siteNoun') ?? ''], t.startTok, site.endTok);
      return;
    }
  }

  /** METS-SITE [≤2 modifiers] METS-NOUN, and METS-NOUN prep SITE-NOUN ("metastases to the liver"). */
  private metastasis(n: Match): void {
    let j = n.startTok - 1;
    for (let skipped = 0; j >= 0 && skipped <= 2; skipped++) {
      const m = this.spans.endAt.get(j);
      if (!m || !this.soft(m.endTok, n.startTok)) break;
      if (has(m, 'metsSite')) {
        this.add(this.coding.siteConcepts.metastasis[siteOf(m, 'metsSite') ?? ''], m.startTok, n.endTok);
        // "hepatische und peritoneale Metastasierung", "liver and lung metastases"
        const c = this.spans.endAt.get(m.startTok - 1);
        const other = c && has(c, 'coord') ? this.spans.endAt.get(c.startTok - 1) : undefined;
        if (other && has(other, 'metsSite')) {
          this.add(this.coding.siteConcepts.metastasis[siteOf(other, 'metsSite') ?? ''], other.startTok, n.endTok, { coordinated: true });
        }
        return;
      }
      if (!isModifier(m)) break;
      j = m.startTok - 1;
    }
    this.nounSite(n, true);
    this.lesionSite(n);
  }

  /** SITE [modifiers] LESION … METS-NOUN in one clause: "hepatic lesions consistent with metastases", "Leberläsionen, V.a. Metastasen". */
  private lesionSite(n: Match): void {
    const sentence = this.a.tokenSentence[n.startTok];
    for (let j = n.startTok - 1; j >= 0 && j >= n.startTok - 8 && this.a.tokenSentence[j] === sentence; j--) {
      if (/[;:.]/.test(this.a.tokens[j + 1].sepText)) return;
      const lesion = this.spans.endAt.get(j);
      const site = lesion && (has(lesion, 'lesion') ? this.spans.endAt.get(lesion.startTok - 1) : lesion);
      if (!lesion || !site) continue;
      const key = has(site, 'metsSite') ? siteOf(site, 'metsSite') : has(site, 'siteNoun') ? siteOf(site, 'siteNoun') : undefined;
      const concept = key ? this.coding.siteConcepts.metastasis[key] : undefined;
      // the site must name a lesion: "liver lesions", or a compound such as "Leberläsionen"
      if (concept && (has(lesion, 'lesion') || /l(ae|ä)sion|herd|knoten|lesion|nodul/i.test(site.entries[0].surface))) {
        this.add(concept, site.startTok, n.endTok, { headTok: n.startTok });
        return;
      }
    }
  }

  run(): GrammarMention[] {
    for (const m of this.a.matches.part) {
      if (has(m, 'tumor')) {
        const prev = this.spans.endAt.get(m.startTok - 1);
        this.adjectiveSite(m, false);
        this.nounSite(m, has(prev, 'metsModifier'));
        this.primarySite(m);
        this.appositionSite(m);
      } else if (has(m, 'tumorAdj')) {
        this.adjectiveSite(m, true);
        // "clear cell Ca of the left ovary": a short tumour noun followed by its site through a preposition
        if (has(this.spans.startAt.get(m.endTok + 1), 'prep')) this.nounSite(m, false);
      }
      if (has(m, 'metsNoun')) this.metastasis(m);
      if (has(m, 'siteNoun')) this.headedSite(m);
    }
    return this.out;
  }
}
