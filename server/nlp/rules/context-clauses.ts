/**
 * Clause-level helpers of the ConText rules (context.ts): coordinated subjects of a post-trigger, a suspicion answered
 * in the next clause without a subject of its own, a teller who speaks of herself, and trigger labels with a filler word.
 */
import type { Language } from '../finding';
import { squash } from '../text/normalize';
import type { NoteAnalysis } from './analysis';
import type { Dictionary } from './dictionary';
import type { Match } from './matcher';

interface Words { coordinators: Set<string>; intensifiers: Set<string>; reporting: Set<string>; anaphora: Set<string>; continuations: Set<string> }
const WORDS = new WeakMap<Dictionary, Partial<Record<Language, Words>>>();

/** Every word of multi-word entries ("as well as"), squashed, so single tokens can be looked up. */
const wordSet = (list: string[] | undefined): Set<string> => new Set((list ?? []).flatMap((w) => w.split(/\s+/)).map(squash).filter(Boolean));

function wordsOf(dict: Dictionary, language: Language): Words {
  let byLanguage = WORDS.get(dict);
  if (!byLanguage) { byLanguage = {}; WORDS.set(dict, byLanguage); }
  const ctx = dict.context[language];
  return byLanguage[language] ??= {
    coordinators: wordSet(ctx.coordinators), intensifiers: wordSet(ctx.intensifiers), continuations: new Set((ctx.denialContinuations ?? []).map(squash)),
    reporting: wordSet(ctx.reportingVerbs), anaphora: wordSet(Object.keys(ctx.anaphora ?? {})),
  };
}

/** One CTCAE grade right after a finding, no range, threshold or rate ("grade 3-4", "Grad ≥ 3", "grade 3 in 20%"): "G1", "grade 2", "Grad 1". */
const GRADED = /^\s*\(?\s*(?:CTCAE\s+)?(?:grade|grad|G)\s?[1-4](?![\d/.,]\d|[ \t]*(?:[-–/][ \t]*\d|\+|or\b|oder\b|bis\b|to\b|%|(?:in|bei|\()[ \t]*(?:ca\.?|~)?[ \t]*\d+[ \t]*%))/i;

/**
 * "Toxicity: neuropathy G1", "Nebenwirkungen: Polyneuropathie Grad 1": a finding graded with one CTCAE grade right after
 * it (the mention ends at `endTok`) is a toxicity the patient has, whatever list or heading it stands under.
 */
export function gradedAfter(a: NoteAnalysis, endTok: number): boolean {
  const at = a.tokens[endTok].end;
  return GRADED.test(a.text.slice(at, at + 24));
}

/** A separator that ends a clause or list item (a slash or ampersand joins two findings: "DVT/PE"). */
const CLAUSE_SEP = /[,;:.|()]/;

/**
 * "Ein Ovarialkarzinom sowie ein Tubenkarzinom sind … ausgeschlossen", "PE and DVT were excluded": a post-trigger after
 * coordinated findings speaks of all of them (the verb agrees with the plural subject). True when every concept between
 * the mention (ending at `endTok`) and the trigger at `trigTok` is joined to the one before by coordinators only.
 */
export function coordinatedUpTo(a: NoteAnalysis, dict: Dictionary, covered: Uint8Array, endTok: number, trigTok: number): boolean {
  const { coordinators } = wordsOf(dict, a.language);
  let j = endTok + 1;
  while (j < trigTok && covered[j]) j++; // the rest of a mention the head ends inside
  let joined = false;
  for (; j < trigTok; j++) {
    if (CLAUSE_SEP.test(a.tokens[j].sepText)) return false;
    if (covered[j]) {
      if (!joined) return false;
      while (j + 1 < trigTok && covered[j + 1]) j++;
      joined = false;
      continue;
    }
    if (!coordinators.has(a.tokens[j].norm)) return lastConceptBefore(covered, j, trigTok);
    joined = true;
  }
  return true;
}

/** No concept between token `from` and the trigger: the coordinated list ended before the predicate. */
function lastConceptBefore(covered: Uint8Array, from: number, trigTok: number): boolean {
  for (let k = from; k < trigTok; k++) if (covered[k]) return false;
  return true;
}

/**
 * "PE considered given tachycardia; felt unlikely …", "V.a. LAE, ausgeschlossen": a clause that opens with a negating
 * predicate and has no subject of its own answers the suspicion just before it. True when the first clause break after
 * the mention (no other concept before it) is followed, past conjunctions that end a scope, by such a post-trigger.
 */
export function answersSuspicion(a: NoteAnalysis, triggers: Match[], next: Match[], covered: Uint8Array, terminators: Uint8Array, endTok: number): boolean {
  const s = a.tokenSentence[endTok];
  let j = endTok + 1;
  for (; j < a.tokens.length && a.tokenSentence[j] === s; j++) {
    if (covered[j]) return false;
    if (/[,;]/.test(a.tokens[j].sepText)) return opensWithDenial(a, triggers, terminators, j);
  }
  // "?PE. Felt unlikely given normal sats.": a sentence on the same line that opens with the denial answers it too
  return j < a.tokens.length && !a.tokens[j].sepText.includes('\n') && opensWithDenial(a, next, terminators, j);
}

/** Token `j` (past conjunctions that end a scope: "but", "jedoch") starts a negating post-trigger that labels nothing. */
function opensWithDenial(a: NoteAnalysis, triggers: Match[], terminators: Uint8Array, j: number): boolean {
  const s = a.tokenSentence[j];
  let k = j;
  while (k < a.tokens.length && terminators[k] === 1 && a.tokenSentence[k] === s) k++;
  // "Ruled out: DVT" on the next line labels its own list, it answers nothing before it
  const label = (t: Match): boolean => a.tokens[t.endTok + 1]?.sepText.includes(':') ?? false;
  return triggers.some((t) => t.startTok === k && !label(t) && t.entries.some((e) => e.key === 'negated' && e.sub === 'backward' && e.window === undefined));
}

/**
 * "Daughter mentions she herself is on rivaroxaban for a PE", "Die Tochter berichtet, sie selbst habe …": a pronoun with
 * an intensifier right after a relative's reporting verb is the teller, not the patient. Returns the tokens of such
 * pronouns and intensifiers, which then do not end the relative's scope.
 */
export function tellerSelfTokens(a: NoteAnalysis, dict: Dictionary, family: Match[]): number[] {
  const w = wordsOf(dict, a.language);
  if (!w.intensifiers.size) return [];
  const out: number[] = [];
  for (const t of family) {
    const s = a.tokenSentence[t.startTok];
    for (let j = t.endTok + 1; j <= t.endTok + 3 && j + 2 < a.tokens.length && a.tokenSentence[j + 2] === s; j++) {
      if (!w.reporting.has(a.tokens[j].norm)) continue;
      // "mentions (that) she herself", "berichtet, sie selbst"
      const p = w.anaphora.has(a.tokens[j + 1].norm) ? j + 1 : j + 2;
      if (w.anaphora.has(a.tokens[p].norm) && p + 1 < a.tokens.length && w.intensifiers.has(a.tokens[p + 1].norm)) out.push(p, p + 1);
      break;
    }
  }
  return out;
}

/**
 * The trigger labels what follows: a colon right after it, or after one or two lower-case filler words ("risks again:",
 * "Risiken nochmals:"), with no concept, number or other separator between. Only a pure post-trigger takes fillers: one
 * that is also a pre-trigger ("DD Dyspnoe: …") already covers the list forward, and a capitalised German word is the
 * label's own topic.
 */
export function labelsList(a: NoteAnalysis, covered: Uint8Array, t: Match): boolean {
  const s = a.tokenSentence[t.endTok];
  const fillers = !t.entries.some((e) => e.sub === 'forward');
  for (let j = t.endTok + 1; j <= t.endTok + 3 && j < a.tokens.length && a.tokenSentence[j] === s; j++) {
    const sep = a.tokens[j].sepText;
    if (/^\s*:/.test(sep)) return true;
    if (!fillers || j === t.endTok + 3 || !/^\s*$/.test(sep) || covered[j] || a.tokens[j].isNumber || !/^\p{Ll}/u.test(a.tokens[j].raw)) return false;
  }
  return false;
}

/**
 * "Anämie Grad 2, Eisenmangel ausgeschlossen": a German post-negation after a comma whose clause has a noun of its own
 * (a capitalised word that is no concept) denies that noun, not the finding before the comma. "Aszites, Pleuraerguss:
 * nein" (a concept) and "Aszites, sonographisch nicht nachweisbar" (no noun) still reach back.
 */
export function commaSubject(a: NoteAnalysis, covered: Uint8Array, endTok: number, trigTok: number): boolean {
  if (a.language !== 'de') return false;
  let k = trigTok;
  while (k > endTok + 1 && !a.tokens[k].sepText.includes(',')) k--;
  if (k <= endTok + 1 && !a.tokens[k].sepText.includes(',')) return false;
  for (let j = k; j < trigTok; j++) if (!covered[j] && !a.tokens[j].isNumber && /^\p{Lu}/u.test(a.tokens[j].raw)) return true;
  return false;
}

/**
 * "hypertension (no), diabetes type 2 (yes)": a trigger inside a parenthesis ends with it. True when a ')' stands
 * between tokens `from` and `to` and the line before token `from` leaves a '(' open.
 */
export function closesParen(a: NoteAnalysis, from: number, to: number): boolean {
  const between = a.text.slice(a.tokens[from].end, a.tokens[to].start);
  if (!between.includes(')')) return false;
  let depth = 0;
  for (let i = a.tokens[from].start - 1; i >= 0 && a.text[i] !== '\n'; i--) {
    if (a.text[i] === ')') depth--;
    else if (a.text[i] === '(' && ++depth > 0) return true;
  }
  return false;
}

/**
 * "Eine Anastomoseninsuffizienz wurde ausgeschlossen, ebenso eine Lungenembolie", "PE was excluded, likewise DVT": a
 * continuation word after a comma, at most three words after a negating post-trigger in its clause, carries the denial to the finding after it
 * (an article or coordinator may stand between).
 */
export function continuesDenial(a: NoteAnalysis, dict: Dictionary, triggers: Match[], startTok: number): boolean {
  const w = wordsOf(dict, a.language);
  if (!w.continuations.size) return false;
  let k = startTok - 1;
  while (k > startTok - 3 && k >= 0 && w.coordinators.has(a.tokens[k].norm)) k--;
  if (k < 1 || !w.continuations.has(a.tokens[k].norm) || !a.tokens[k].sepText.includes(',') || a.tokenSentence[k] !== a.tokenSentence[startTok]) return false;
  // the post-trigger closes the clause before the comma ("excluded on CT, likewise …")
  const closes = (t: Match): boolean => {
    if (t.endTok >= k || t.endTok < k - 4) return false;
    for (let j = t.endTok + 1; j < k; j++) if (CLAUSE_SEP.test(a.tokens[j].sepText)) return false;
    return true;
  };
  return triggers.some((t) => closes(t) && t.entries.some((e) => e.key === 'negated' && e.sub === 'backward'));
}
