/** FIGO stages ("FIGO IIIC", "FIGO-Stadium IC1", "stage 3C", "IIIA1(ii)") and ECOG performance status. */
import type { FigoStage } from '../finding';
import type { NoteAnalysis } from './analysis';

export interface StageMention {
  stage: FigoStage;
  start: number;
  end: number;
  /** Written with the FIGO keyword (strong) or only "stage"/"Stadium" near an applicable cancer (weaker). */
  explicit: boolean;
}

export interface EcogMention {
  value: number;
  start: number;
  end: number;
  /** Offsets of the number itself, for date binding. */
  valueStart: number;
  valueEnd: number;
  /** The date of the table column or row the score sits in. */
  date?: string;
  /** "(was 0 two months ago)": an earlier value, dated only by the text around it. */
  earlier?: boolean;
}

const ROMAN: Record<string, string> = { '1': 'I', '2': 'II', '3': 'III', '4': 'IV' };
const FIGO = /\bFIGO(?:[\s-]*\(?(?:19|20)\d{2}\)?)?(?:[\s-]*(?:stage|Stage|STAGE|Stadium|STADIUM|Std\.?))?(?:\s*\(\s*\d{4}\s*\))?\s*[:=]?\s*(IV|I{1,3}|[1-4])(?:[ \t]?([ABCabc])(?![A-Za-z]))?([123]|\((?:i{1,2}|[12])\))?(?![A-Za-z0-9])/g;
const BARE = /\b(?:[Ss]tage|STAGE|[Ss]tadium|STADIUM)\s+(IV|I{1,3}|[1-4])(?:[ \t]?([ABCabc])(?![A-Za-z]))?([123]|\((?:i{1,2}|[12])\))?(?![A-Za-z0-9]|\s*[-–/]\s*[IV1-4])/g;
/** Other staging systems that also say "stage" (endometriosis, kidney disease, lymphoma). */
const OTHER_SYSTEM = /(?:r?ASRM|AJCC|TNM|CKD|KDIGO|NYHA|GOLD|Ann[\s-]Arbor|Enzian|Tanner|Breslow|Clark|sleep)\s*[-:]?\s*$/i;

function toStage(roman: string, letter: string | undefined, sub: string | undefined, known: ReadonlySet<string>): FigoStage | null {
  const base = (ROMAN[roman] ?? roman.toUpperCase()) + (letter ?? '').toUpperCase();
  const n = sub ? sub.replace(/[()]/g, '').replace(/^ii$/i, '2').replace(/^i$/i, '1') : '';
  if (n && known.has(base + n)) return (base + n) as FigoStage;
  return known.has(base) ? (base as FigoStage) : null;
}

/** FIGO stages of the note; bare "stage III" only in a sentence that names an applicable cancer. */
export function findFigoStages(a: NoteAnalysis, known: ReadonlySet<string>, cancerSentences: ReadonlySet<number>): StageMention[] {
  const out: StageMention[] = [];
  for (const m of a.text.matchAll(FIGO)) {
    const stage = toStage(m[1], m[2], m[3], known);
    if (stage) out.push({ stage, start: m.index, end: m.index + m[0].length, explicit: true });
  }
  for (const m of a.text.matchAll(BARE)) {
    const start = m.index;
    if (out.some((o) => start < o.end && o.start < start + m[0].length)) continue;
    if (OTHER_SYSTEM.test(a.text.slice(Math.max(0, start - 12), start))) continue;
    // Roman numerals in capitals only: "at this stage I think" is not a stage
    if (!/^(?:IV|I{1,3}|[1-4])$/.test(m[1])) continue;
    const tok = a.tokens.findIndex((t) => t.start >= start);
    if (tok < 0 || !cancerSentences.has(a.tokenSentence[tok])) continue;
    const stage = toStage(m[1], m[2], m[3], known);
    if (stage) out.push({ stage, start, end: start + m[0].length, explicit: false });
  }
  return out.sort((x, y) => x.start - y.start);
}

const ECOG = /\b(?:ECOG|Zubrod|WHO|[Pp]erformance[\s-][Ss]tatus\s*\(ECOG\))(?:[\s-]*(?:PS|[Pp]erformance[\s-][Ss]tatus|[Pp]erformance[\s-][Ss]core|Status|score|Score|Wert))?\s*(?:[:=]|of|von|was)?\s*([0-5])(?![\d.,]\d|\s*[-–/]\s*\d)/g;
/** "PS 1" alone, opening a clause ("… BMI 33.8. PS 1."): the performance status; "80% PS2+" (a score in a list) is not. */
const BARE_PS = /PS[ \t]*[:=]?[ \t]*([0-4])(?![\d+%]|[.,]\d|\s*[-–/]\s*\d)/g;

/** The text before `at` opens a clause: the note's start, or ". ; : , (" or a line break after blanks. */
function opensClause(text: string, at: number): boolean {
  let i = at - 1;
  while (i >= 0 && (text[i] === ' ' || text[i] === '\t')) i--;
  return i < 0 || '.;:,(\n'.includes(text[i]);
}
const EARLIER = /^\s*\(\s*(?:was|previously|prev\.?|prior|vorher|zuvor|früher|initially|bisher)\s+([0-5])\b([^()]*)\)/i;

/** ECOG values, and an earlier value given in brackets right after ("ECOG PS 2 (was 0 two months ago)"). */
export function findEcog(text: string): EcogMention[] {
  const out: EcogMention[] = [];
  for (const m of text.matchAll(ECOG)) {
    if (/^WHO/i.test(m[0]) && !/PS|performance/i.test(m[0])) continue;
    const end = m.index + m[0].length;
    out.push({ value: Number(m[1]), start: m.index, end, valueStart: end - 1, valueEnd: end });
    const e = EARLIER.exec(text.slice(end, end + 60));
    if (e) {
      const open = end + e[0].indexOf('(') + 1;
      const from = open + (text.slice(open).length - text.slice(open).trimStart().length);
      const at = end + e[0].search(/[0-5]/);
      out.push({ value: Number(e[1]), start: from, end: end + e[0].lastIndexOf(')'), valueStart: at, valueEnd: at + 1, earlier: true });
    }
  }
  for (const m of text.matchAll(BARE_PS)) {
    if (!opensClause(text, m.index)) continue;
    const end = m.index + m[0].length;
    if (!out.some((o) => o.start <= m.index && m.index < o.end)) out.push({ value: Number(m[1]), start: m.index, end, valueStart: end - 1, valueEnd: end });
  }
  return out.sort((x, y) => x.start - y.start);
}
