/**
 * Utterance scope: which sentences, or which part of a sentence, are no statement about the patient's present state —
 * plans, recommendations, work-up questions, conditions ("if …", "falls …"), advice ("return if …"), what was explained
 * in counselling or consent, and lists of what may happen ("risks include …"). ConText triggers (context.ts) are
 * phrases with windows: they are exact for the writers they were learnt from and miss the next writer's wording. This
 * classifier decides by the kind of utterance instead, from data lists (mappings/nlp-scope.json), and is the default
 * for condition mentions: inside scope no present Condition; the concept still is one when the note states it
 * positively outside any scope (condition findings merge per concept).
 */
import type { Language } from '../finding';
import type { ScopeFile, ScopeLanguage } from '../mappings';
import { tokenize, type Token } from '../text/normalize';
import type { NoteAnalysis } from './analysis';
import type { ContextResult } from './context';
import { gradedAfter } from './context-clauses';

export type ScopeKind = 'plan' | 'question' | 'conditional' | 'advice' | 'counselling' | 'list';

/** Cue phrases as folded word sequences, looked up by their first word. */
class Phrases {
  private readonly byFirst = new Map<string, string[][]>();

  constructor(list: readonly string[] | undefined) {
    for (const p of list ?? []) {
      const words = tokenize(p).map((t) => t.norm).filter(Boolean);
      if (!words.length) continue;
      const same = this.byFirst.get(words[0]) ?? [];
      same.push(words);
      this.byFirst.set(words[0], same);
    }
  }

  /** Last token of the longest phrase that starts at token `i` and ends by token `last`, or -1. */
  at(tokens: readonly Token[], i: number, last: number): number {
    const list = this.byFirst.get(tokens[i].norm);
    if (!list) return -1;
    let best = -1;
    for (const words of list) {
      const end = i + words.length - 1;
      if (end > last || end <= best) continue;
      let k = 1;
      while (k < words.length && tokens[i + k].norm === words[k]) k++;
      if (k === words.length) best = end;
    }
    return best;
  }
}

interface Cues {
  conditional: Phrases; advice: Phrases; asks: Phrases; plan: Phrases; question: Phrases; modal: Phrases; clauseFinal: Phrases;
  counsel: Phrases; topics: Phrases; nouns: Phrases; markers: Phrases; blockers: Phrases; after: Phrases; terminators: Phrases;
  treatments: Phrases; reasons: Phrases;
  /** Compound heads ("Lebenszeitrisiko", "Ausschlusskriterien"), folded. */
  suffixes: string[];
}

export type ScopeLexicon = Record<Language, Cues>;

function cuesOf(l: ScopeLanguage): Cues {
  return {
    conditional: new Phrases(l.openers.conditional), advice: new Phrases(l.openers.advice), asks: new Phrases(l.openers.question),
    plan: new Phrases(l.inline.plan), question: new Phrases(l.inline.question), modal: new Phrases(l.inline.modal),
    clauseFinal: new Phrases(l.clauseFinal), counsel: new Phrases(l.counselVerbs), topics: new Phrases(l.counselTopics),
    nouns: new Phrases(l.scopeNouns), markers: new Phrases(l.listMarkers), blockers: new Phrases(l.nounBlockers),
    after: new Phrases(l.nounsAfter), terminators: new Phrases(l.terminators),
    treatments: new Phrases(l.treatments), reasons: new Phrases(l.reasonPrepositions),
    suffixes: (l.nounSuffixes ?? []).flatMap((x) => tokenize(x).map((t) => t.norm)),
  };
}

/** Compiled once at start with the dictionary. */
export function compileScope(file: ScopeFile): ScopeLexicon {
  return { en: cuesOf(file.en), de: cuesOf(file.de) };
}

/** Tokens [from, to] of a sentence in scope; `clause`: a ';' between the cue and the mention ends it. */
interface Span { from: number; to: number; kind: ScopeKind; clause: boolean; carried?: boolean }

/** Words that may stand between a reason preposition and the finding ("for her stage IV ovarian cancer"). */
const REASON_MODIFIERS = 3;
/** A label this close to the sentence start ("Plan:", "2. Empfehlung:") is no part of what the sentence says. */
const LABEL_WITHIN = 6;
/** A list marker this many words after a scope noun still introduces its list ("Ausschlusskriterien der Studie sind …"). */
const MARKER_WITHIN = 3;
/** A separator that ends a clause (a comma, ';', ':' or spaced dash): a clause-final plan cue ("…, CT planned") covers back to it. */
const CLAUSE_SEP = /[,;:]|\s[-–—]\s/;
/** A comparator and a number right after a finding: the threshold of a rule, not a measurement. */
const THRESHOLD = /^[ \t]*(?:[<>≤≥]=?|=<|>=)[ \t]*\d/;
/** A sentence that ends open ("Risks:", "bleeding, infection,") continues on the next line. */
const OPEN_END = /[:,;(/&+-]\s*$/;
const BULLET_START = /^(?:[-•*·▪–]|\d{1,2}[.)])/;
/** A line that is itself a label ("Assessment: …"), not a list item under one. */
const LABEL_LINE = /^[\p{L}][^:\n]{0,40}:/u;

export class UtteranceScope {
  private readonly cues: Cues;
  private readonly spans = new Map<number, Span[]>();
  /** First token of each sentence (-1 for none). */
  private readonly firstTok: Int32Array;

  constructor(private readonly a: NoteAnalysis, lexicon: ScopeLexicon) {
    this.cues = lexicon[a.language];
    this.firstTok = new Int32Array(a.sentences.length).fill(-1);
    for (let i = a.tokens.length - 1; i >= 0; i--) if (a.tokenSentence[i] >= 0) this.firstTok[a.tokenSentence[i]] = i;
  }

  /** The kind of scope that covers the mention [startTok, endTok], or undefined where the note states something about the patient. */
  kindAt(startTok: number, endTok = startTok): ScopeKind | undefined {
    const s = this.a.tokenSentence[startTok];
    if (s < 0) return undefined;
    for (const sp of this.spansOf(s)) {
      if (sp.from > startTok || startTok > sp.to || !this.open(sp, startTok)) continue;
      // "Toxicity: neuropathy G1, fatigue G2", "Nebenwirkungen: Polyneuropathie Grad 1": a toxicity graded with one
      // CTCAE grade is what the patient has, not a list of what may happen ("grade 3-4", "Grad ≥ 3" stay in scope)
      if (sp.kind === 'list' && gradedAfter(this.a, endTok)) continue;
      // "Plan: carboplatin for her ovarian cancer", "Empfehlung: Chemotherapie bei Ovarialkarzinom": what a planned
      // treatment is for, the patient has
      if (sp.kind === 'plan' && this.treated(startTok) && !this.conditioned(s)) continue;
      return sp.kind;
    }
    // "febrile neutropenia risk", "DVT risk with carboplatin": the mention names a risk
    const next = endTok + 1;
    if (next < this.a.tokens.length && this.a.tokenSentence[next] === s && /^[\s-]*$/.test(this.a.tokens[next].sepText)
      && this.cues.after.at(this.a.tokens, next, next) >= 0 && !this.blocked(next, this.lastOf(s))) return 'list';
    // "neutropenia < 1.0 -> delay 1 week", "Neutropenie < 1,0/nl": a finding with a threshold is a rule's condition
    const at = this.a.tokens[endTok].end;
    if (THRESHOLD.test(this.a.text.slice(at, at + 12))) return 'conditional';
    return undefined;
  }

  /**
   * A treatment and a reason preposition stand before the mention, at most a few modifiers between ("paracentesis for
   * tense ascites", "NACT for stage IV ovarian cancer"), in one clause.
   */
  private treated(startTok: number): boolean {
    const { tokens } = this.a;
    const s = this.a.tokenSentence[startTok];
    for (let p = startTok - 1; p >= Math.max(1, startTok - 1 - REASON_MODIFIERS); p--) {
      if (this.a.tokenSentence[p] !== s || CLAUSE_SEP.test(tokens[p + 1].sepText)) return false;
      if (this.cues.reasons.at(tokens, p, p) !== p) continue;
      for (let q = p - 1; q >= Math.max(0, p - 3) && this.a.tokenSentence[q] === s; q--) if (this.cues.treatments.at(tokens, q, p - 1) === p - 1) return true;
      return false;
    }
    return false;
  }

  /** A conditional word anywhere in the sentence ("anticoagulation for DVT if duplex positive"). */
  private conditioned(s: number): boolean {
    const last = this.lastOf(s);
    for (let j = this.firstTok[s]; j <= last; j++) if (this.cues.conditional.at(this.a.tokens, j, last) >= 0) return true;
    return false;
  }

  /** No terminator ("but", "known", "aber", "bekannt") between the scope start and the mention. */
  private open(sp: Span, tok: number): boolean {
    const { tokens } = this.a;
    for (let j = sp.from; j < tok; j++) {
      if (j > sp.from && sp.clause && tokens[j].sepText.includes(';')) return false;
      if (this.cues.terminators.at(tokens, j, tok - 1) >= 0) return false;
    }
    if (sp.clause && tok > sp.from && tokens[tok].sepText.includes(';')) return false;
    return true;
  }

  private lastOf(s: number): number {
    let last = this.firstTok[s];
    while (last + 1 < this.a.tokens.length && this.a.tokenSentence[last + 1] === s) last++;
    return last;
  }

  private spansOf(s: number): Span[] {
    let spans = this.spans.get(s);
    if (spans) return spans;
    const first = this.firstTok[s];
    const last = this.lastOf(s);
    spans = first < 0 ? [] : this.ownSpans(s, first, last);
    // "Risks:\n- bleeding\n- DVT/PE", "exclusion criteria include prior\n  pulmonary embolism": a scope open at the end of
    // the sentence before goes on over the list lines and wrapped lines under it
    const how = first >= 0 && s > 0 ? this.joins(s) : null;
    // only a sentence this one continues is classified (not every sentence back to the note's start)
    if (how !== null && this.firstTok[s - 1] >= 0) {
      const before = this.spansOf(s - 1);
      const prevLast = this.lastOf(s - 1);
      // a list line goes on only with a list its label opened ("Risks:\n- …\n- …"), not after any sentence ("…?\n4. …");
      // a wrapped line only with the clause a cue opened in the sentence it wraps: lines without end marks (a checklist,
      // a title "Notaufnahme – Aufnahmebefund …") do not chain and do not hand on a whole-sentence kind
      const carried = before.find((sp) => sp.to === prevLast && this.open(sp, prevLast)
        && (how === 'open' || (how === 'wrap' && sp.clause && sp.carried !== true) || (how === 'list' && sp.carried === true)));
      if (carried) spans.push({ from: first, to: last, kind: carried.kind, clause: false, carried: true });
    }
    this.spans.set(s, spans);
    return spans;
  }

  /**
   * How sentence `s` continues the one before, if at all (never past a blank line or into a label line): 'open' after
   * ':' ',' and the like ("Risks:", "bleeding, infection,"); 'wrap' after a line without an end mark ("erhöhtes Risiko
   * für ein (Zweit-)\nMammakarzinom", "criteria include prior\n  pulmonary embolism"); 'list' for a list item.
   */
  private joins(s: number): 'open' | 'wrap' | 'list' | null {
    const { text, sentences } = this.a;
    const gap = text.slice(sentences[s - 1].end, sentences[s].start);
    const line = text.slice(sentences[s].start, sentences[s].end);
    const bullet = BULLET_START.test(line);
    if (/\n[ \t]*\n/.test(gap) || (!bullet && LABEL_LINE.test(line))) return null;
    const prev = text.slice(sentences[s - 1].start, sentences[s - 1].end);
    if (OPEN_END.test(prev)) return 'open';
    if (!gap.includes('\n')) return null;
    if (bullet) return 'list';
    return /[.!?]\s*$/.test(prev) ? (/^\p{Ll}/u.test(line) ? 'list' : null) : 'wrap';
  }

  /** A scope noun at `n` followed by a blocker ("risk factors", "Risiko-Score") names something of the patient's. */
  private blocked(n: number, last: number): boolean {
    return n < last && this.cues.blockers.at(this.a.tokens, n + 1, last) >= 0;
  }

  /** A list marker within a few words after the noun ending at `n`, in its clause ("Nebenwirkungen zählen u.a. …"). */
  private marked(n: number, last: number): boolean {
    for (let k = n + 1; k <= Math.min(last, n + MARKER_WITHIN); k++) {
      if (k > n + 1 && CLAUSE_SEP.test(this.a.tokens[k].sepText)) return false;
      if (this.cues.markers.at(this.a.tokens, k, last) >= 0) return true;
    }
    return false;
  }

  /** Last token of a scope noun starting at `j` ("side effects", "Lebenszeitrisiko"), or -1. */
  private noun(j: number, last: number): number {
    const n = this.cues.nouns.at(this.a.tokens, j, last);
    if (n >= 0) return this.blocked(n, last) ? -1 : n;
    const w = this.a.tokens[j].norm;
    return this.cues.suffixes.some((x) => w === x || (w.length > x.length + 2 && w.endsWith(x))) && !this.blocked(j, last) ? j : -1;
  }

  private ownSpans(s: number, first: number, last: number): Span[] {
    const { tokens, text } = this.a;
    const body = this.bodyStart(first, last);
    const out: Span[] = [];
    const whole = (kind: ScopeKind): void => { out.push({ from: body, to: last, kind, clause: false }); };
    if (this.a.sentences[s].section === 'plan') out.push({ from: first, to: last, kind: 'plan', clause: false });
    // "Any signs of DVT?" asks all of it; "Ovarial-Ca, Z.n. Carboplatin, Thrombozytopenie?" only its last clause
    if (text.slice(tokens[last].end, this.a.sentences[s].end).includes('?')) {
      if (this.cues.asks.at(tokens, body, last) >= 0) whole('question');
      else out.push({ from: this.clauseStart(body, last), to: last, kind: 'question', clause: true });
    }
    if (this.cues.conditional.at(tokens, body, last) >= 0) whole('conditional');
    if (this.cues.advice.at(tokens, body, last) >= 0) whole('advice');
    let counselled = false;
    let noun = -1;
    const topics: number[] = [];
    for (let j = first; j <= last; j++) {
      if (this.cues.counsel.at(tokens, j, last) >= 0) counselled = true;
      if (this.cues.topics.at(tokens, j, last) >= 0) topics.push(j);
      const n = this.noun(j, last);
      if (n >= 0) {
        if (noun < 0) noun = j;
        // "Risks include …", "risk of neutropenic sepsis", "Nebenwirkungen u.a. …", "Complications: …": what may happen
        if (n < last && (this.marked(n, last) || tokens[n + 1].sepText.includes(':'))) out.push({ from: j, to: last, kind: 'list', clause: true });
      }
      // a plan or question word in the label ("Diagnosen lt. Überweisung:", "Zur Frage oben:") says nothing of the statement
      if (j < body) continue;
      for (const kind of ['plan', 'question'] as const) if (this.cues[kind].at(tokens, j, last) >= 0) out.push({ from: j, to: last, kind, clause: true });
      // "which could suggest a PE", "kann zu Anämie führen": what may be, up to the end of its clause
      // a modal is lower case ("may", not the month "May")
      if (/^\p{Ll}/u.test(tokens[j].raw) && this.cues.modal.at(tokens, j, last) >= 0) out.push({ from: j, to: this.clauseEnd(j, last), kind: 'list', clause: true });
      const f = this.cues.clauseFinal.at(tokens, j, last);
      if (f >= 0 && (f === last || CLAUSE_SEP.test(tokens[f + 1].sepText))) out.push({ from: this.clauseStart(body, j), to: f, kind: 'plan', clause: true });
    }
    // "Risks of bleeding, infection and DVT were discussed", "über Nebenwirkungen aufgeklärt": what was explained;
    // "given information about HBOC", "über einen postoperativen Ileus wurde aufgeklärt": the topic of counselling
    if (counselled && noun >= 0) out.unshift({ from: body, to: last, kind: 'counselling', clause: false });
    else if (counselled) for (const t of topics) out.push({ from: t, to: last, kind: 'counselling', clause: true });
    return out;
  }

  /** First token of the sentence's statement: after leading list numbers and a short label ("Plan:", "Procedere:"). */
  private bodyStart(first: number, last: number): number {
    const { tokens } = this.a;
    for (let j = first + 1; j <= Math.min(last, first + LABEL_WITHIN); j++) {
      if (tokens[j].sepText.includes(':') && !(tokens[j].isNumber && tokens[j - 1].isNumber)) return j; // not a time ("12:30")
    }
    let b = first;
    while (b < last && tokens[b].isNumber) b++;
    return b;
  }

  /** Start of the clause that ends at token `j`: after the last ',' ';' or ':' before it. */
  private clauseStart(body: number, j: number): number {
    for (let k = j; k > body; k--) if (CLAUSE_SEP.test(this.a.tokens[k].sepText)) return k;
    return body;
  }

  /** Last token of the clause that token `j` opens. */
  private clauseEnd(j: number, last: number): number {
    for (let k = j + 1; k <= last; k++) if (CLAUSE_SEP.test(this.a.tokens[k].sepText)) return k - 1;
    return last;
  }
}

/**
 * A mention the context rules found present becomes hypothetical inside scope. Negated, family and possible mentions
 * keep their assertion ("V.a. LAE" as the working assessment stays an unconfirmed Condition), and so does a historical
 * one: "Nachsorge bei Z.n. Ovarialkarzinom" still states the patient's history.
 */
export function withinScope(c: ContextResult, kind: ScopeKind | undefined): ContextResult {
  return kind !== undefined && c.assertion === 'present' ? { assertion: 'hypothetical' } : c;
}
