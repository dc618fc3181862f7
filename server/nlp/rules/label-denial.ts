/**
 * A problem written as a line label takes the denial its own line gives it: "- Hypertension: BP fine, not known
 * hypertensive" or "Diabetes: kein Diabetes bekannt" lists the problem only to say the patient does not have it. A
 * denial of a new or further episode ("PE: on apixaban, no new PE") leaves the known problem standing.
 */
import type { ContextResult } from './context';
import type { ConditionMention } from './conditions';
import type { NoteAnalysis } from './analysis';
import { squash } from '../text/normalize';
import type { Dictionary } from './dictionary';

export interface Assessed { mention: ConditionMention; context: ContextResult }

/** Bullets, numbers, '#' and blanks may stand before a label on its line. */
const LABEL_PREFIX = /^[\s\-•*#\d.)]*$/;
/** Words this close before a denied mention make it an episode ("no new PE", "keine erneute Lungenembolie"). */
const QUALIFIER_REACH = 3;

const QUALIFIERS = new WeakMap<Dictionary, Map<string, Set<string>>>();

function qualifiersOf(dict: Dictionary, language: string): Set<string> {
  let byLanguage = QUALIFIERS.get(dict);
  if (!byLanguage) { byLanguage = new Map(); QUALIFIERS.set(dict, byLanguage); }
  let set = byLanguage.get(language);
  if (!set) {
    set = new Set((dict.context[language as 'en' | 'de'].episodeQualifiers ?? []).map(squash));
    byLanguage.set(language, set);
  }
  return set;
}

/** The mention opens its line (after a bullet or number) and a colon or spaced dash follows it. */
function isLineLabel(a: NoteAnalysis, m: ConditionMention): boolean {
  const start = a.tokens[m.startTok].start;
  const lineStart = a.text.lastIndexOf('\n', start - 1) + 1;
  if (!LABEL_PREFIX.test(a.text.slice(lineStart, start))) return false;
  const next = a.tokens[m.endTok + 1];
  return next !== undefined && /^\s*(?::|[-–—]\s)/.test(next.sepText) && !next.sepText.includes('\n');
}

function isEpisode(a: NoteAnalysis, m: ConditionMention, qualifiers: Set<string>): boolean {
  for (let i = Math.max(0, m.startTok - QUALIFIER_REACH); i < m.startTok; i++) if (qualifiers.has(a.tokens[i].norm)) return true;
  return false;
}

/** Rewrites, in place, the assertion of present line labels whose line denies the same concept plainly. */
export function applyLabelDenials(a: NoteAnalysis, dict: Dictionary, assessed: Assessed[]): void {
  const qualifiers = qualifiersOf(dict, a.language);
  for (const x of assessed) {
    if (x.context.assertion !== 'present' || !isLineLabel(a, x.mention)) continue;
    const s = a.tokenSentence[x.mention.startTok];
    const same = assessed.filter((y) => y !== x && y.mention.concept === x.mention.concept && y.mention.startTok > x.mention.endTok
      && a.tokenSentence[y.mention.startTok] === s);
    if (same.length && same.every((y) => y.context.assertion === 'negated' && !isEpisode(a, y.mention, qualifiers))) x.context = { assertion: 'negated' };
  }
}
