/**
 * Dates in English and German notes (20 Jan 2026, 2026-01-20, 20.01.2026, Jan 2026, 01/20/2026, 21/02, 12-Jan-26, Jan 12,
 * "two months ago", "yesterday", "on Monday").
 */
import type { Language } from '../finding';
import { nearerDayFirst, regionalDayFirst } from './date-order';
import { dayWordDates } from './day-words';

export interface DateMention {
  start: number;
  end: number;
  /** YYYY-MM-DD or YYYY-MM. */
  iso: string;
  /** A phrase standing for a date written elsewhere ("on admission", "the same day"): a written date beside it wins. */
  anchor?: boolean;
  /** A day word ("today", "gestern"): days before the document date, so a note naming its visit day can re-base it. */
  daysBefore?: number;
}

export interface DateOptions {
  language: Language;
  documentDate?: string;
}

const MONTHS: Array<[RegExp, number]> = [
  [/^(jan|jän)/, 1], [/^feb/, 2], [/^(mar|mär|mrz|maer)/, 3], [/^apr/, 4], [/^(may|mai)/, 5], [/^jun/, 6],
  [/^jul/, 7], [/^aug/, 8], [/^sep/, 9], [/^(oct|okt)/, 10], [/^nov/, 11], [/^(dec|dez)/, 12],
];
const MONTH = String.raw`(?:jan(?:uary|uar)?|jän(?:ner)?|feb(?:ruary|ruar)?|mar(?:ch)?|märz|maerz|mrz|apr(?:il)?|may|mai|jun(?:e|i)?|jul(?:y|i)?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|okt(?:ober)?|nov(?:ember)?|dec(?:ember)?|dez(?:ember)?)\.?(?![a-zäöü])`;
const NUM_WORDS: Record<string, number> = {
  a: 1, an: 1, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, twelve: 12,
  einem: 1, einer: 1, zwei: 2, drei: 3, vier: 4, fünf: 5, sechs: 6, sieben: 7, acht: 8, neun: 9, zehn: 10, zwölf: 12,
};

const pad = (n: number): string => String(n).padStart(2, '0');

function monthOf(name: string): number {
  const n = name.toLowerCase();
  for (const [re, m] of MONTHS) if (re.test(n)) return m;
  return 0;
}

function validDay(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1 || y < 1900 || y > 2100) return false;
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

function fullYear(y: string, docYear: number): number {
  if (y.length === 4) return Number(y);
  const n = Number(y);
  return 2000 + n <= docYear + 1 ? 2000 + n : 1900 + n;
}

/** orderKnown: the note itself decided the slash order (else an ambiguous partial date takes the reading nearer the document date). */
interface Ctx { docYear: number; doc?: string; dayFirst: boolean; orderKnown: boolean; language: Language }

/** Completes a day and month without year from the document date (never after it by more than a month). */
function inferYear(m: number, d: number, ctx: Ctx): string | null {
  if (!ctx.doc) return null;
  let y = ctx.docYear;
  if (`${y}-${pad(m)}-${pad(d)}` > addDays(ctx.doc, 31)) y--;
  return validDay(y, m, d) ? `${y}-${pad(m)}-${pad(d)}` : null;
}

/** The latest day numbered `d` on or before the document date ("of this month" / "of last month" when the note says). */
function dayOfRecentMonth(d: number, ctx: Ctx, month?: 'this' | 'last'): string | null {
  if (!ctx.doc) return null;
  let [y, m] = [Number(ctx.doc.slice(0, 4)), Number(ctx.doc.slice(5, 7))];
  if (month === 'last' || (month === undefined && d > Number(ctx.doc.slice(8, 10)))) [y, m] = m === 1 ? [y - 1, 12] : [y, m - 1];
  return day(y, m, d);
}

function addDays(iso: string, days: number): string {
  const t = Date.parse(iso.length === 7 ? `${iso}-01` : iso);
  return new Date(t + days * 86400000).toISOString().slice(0, 10);
}

type Rule = [RegExp, (m: RegExpExecArray, ctx: Ctx, text: string) => string | null];

const day = (y: number, m: number, d: number): string | null => (validDay(y, m, d) ? `${y}-${pad(m)}-${pad(d)}` : null);

/** Slash/dash dates whose order (day first or month first) the note decides. */
function numericDate(a: string, b: string, y: string, sep: string, ctx: Ctx): string | null {
  const year = fullYear(y, ctx.docYear);
  const dayFirst = sep === '.' || ctx.dayFirst;
  return dayFirst ? day(year, Number(b), Number(a)) : day(year, Number(a), Number(b));
}

const PARTIAL_CUE = /\b(?:on|am|vom|from|since|seit|bis|until|dated|collected|admitted|discharged|ab|drawn|taken|checked|sampled|repeated|obtained|resulted|labs|bloods|abgenommen|entnommen|by)\s+$/i;
/** "845 U/mL (1/5)": a whole bracket right after a value; "3/2: WBC 5.1": a line label. */
const PARTIAL_AFTER_VALUE = /\d[\d.,]*[ \t]*(?:[A-Za-zµμ/%^*][\w/%^*µμ.]{0,10}[ \t]*)?\($/u;
const PARTIAL_LINE_LABEL = /^[ \t]*[:–-][ \t]/;
/** "CA-125 6/21: 1,266 U/mL": a day/month closed by a colon before a number labels that value. */
const PARTIAL_LABEL_COLON = /^:[ \t]*\d/;

/** Whether a day/month written "3/12" (no zero, no cue) stands where only a date can. */
function partialInPlace(m: RegExpExecArray, text: string): boolean {
  const before = text.slice(Math.max(0, m.index - 24), m.index);
  const after = text.slice(m.index + m[0].length, m.index + m[0].length + 3);
  if (PARTIAL_AFTER_VALUE.test(before) && after.startsWith(')')) return true;
  if (PARTIAL_LABEL_COLON.test(text.slice(m.index + m[0].length, m.index + m[0].length + 4))) return true;
  return /(?:^|\n)[ \t]*$/.test(before) && PARTIAL_LINE_LABEL.test(after);
}

/** Words an ordinal day ("the 3rd") counts, never a date: "the 3rd cycle", "the 12th rib". */
const ORDINAL_NOUN = /^[ \t]+(?:cycles?|days?|doses?|lines?|times?|courses?|infusions?|fractions?|rounds?|weeks?|months?|years?|percentile|centile|floor|rib|finger|toe|generation|trimester|degree|line|segment|vertebra|session)\b/i;

const RULES: Rule[] = [
  [/\b(\d{4})([-/])(\d{1,2})\2(\d{1,2})\b/g, (m) => day(Number(m[1]), Number(m[3]), Number(m[4]))],
  [new RegExp(String.raw`\b(\d{1,2})(?:st|nd|rd|th)?\.?(?:[ \t-]*|[ \t]+of[ \t]+)(${MONTH})[ \t,.-]*(\d{4})\b`, 'gi'), (m) => day(Number(m[3]), monthOf(m[2]), Number(m[1]))],
  [new RegExp(String.raw`\b(${MONTH})[ \t]+(\d{1,2})(?:st|nd|rd|th)?,?[ \t]+(\d{4})\b`, 'gi'), (m) => day(Number(m[3]), monthOf(m[1]), Number(m[2]))],
  [new RegExp(String.raw`\b(${MONTH})[ \t,]+(\d{4})\b`, 'gi'), (m) => `${m[2]}-${pad(monthOf(m[1]))}`],
  [/\b(\d{1,2})([./-])(\d{1,2})\2(\d{4}|\d{2})(?![\d.]\d)/g, (m, ctx) => numericDate(m[1], m[3], m[4], m[2], ctx)],
  [/\b(0?[1-9]|1[0-2])[/.]((?:19|20)\d{2})\b/g, (m) => `${m[2]}-${pad(Number(m[1]))}`],
  // "12-Jan-26", "12 Jan '26": a two-digit year only with a hyphen or an apostrophe ("12 Jan 26" may be a value)
  [new RegExp(String.raw`\b(\d{1,2})-(${MONTH})-(\d{2})(?![\d.,]\d|\d)|\b(\d{1,2})[ \t](${MONTH})[ \t]'(\d{2})\b`, 'gi'),
    (m, ctx) => day(fullYear(m[3] ?? m[6], ctx.docYear), monthOf(m[2] ?? m[5]), Number(m[1] ?? m[4]))],
  // "12 Jan 26" may name a year: refused; "12. März 845 U/ml" and "12 Mar 9.6" are a date and a value
  [new RegExp(String.raw`\b(\d{1,2})(?:st|nd|rd|th)?\.?(?:[ \t-]|[ \t]+of[ \t]+)(${MONTH})(?![ \t-]*\d{1,2}(?!\d|[.,]\d))`, 'gi'), (m, ctx) => inferYear(monthOf(m[2]), Number(m[1]), ctx)],
  // "on the 12th", "(the 3rd)": a day of the document's month, or of the month before when it lies after the document day
  [/\b(?:on|from|since|dated|drawn|taken|checked|collected|until)[ \t]+the[ \t]+(\d{1,2})(?:st|nd|rd|th)\b(?:[ \t]+of[ \t]+(this|last)[ \t]+month\b)?|\(the[ \t]+(\d{1,2})(?:st|nd|rd|th)\b/gi,
    (m, ctx, text) => (ORDINAL_NOUN.test(text.slice(m.index + m[0].length, m.index + m[0].length + 16)) ? null
      : dayOfRecentMonth(Number(m[1] ?? m[3]), ctx, m[2]?.toLowerCase() as 'this' | 'last' | undefined))],
  // "Jan 12", "January 12th" without a year ("may 2" is the verb, so the month needs a capital letter)
  // after a day number ("12 Jan 26") the month closes a date without year and the number is a value (\b before the lookbehind: it fails at once inside words)
  [new RegExp(String.raw`\b(?<!\d\.?[ \t-]*)(${MONTH})[ \t]+(\d{1,2})(?:st|nd|rd|th)?\b(?![.,:/]?\d)`, 'gi'),
    (m, ctx) => (/^[a-zäö]/.test(m[1]) ? null : inferYear(monthOf(m[1]), Number(m[2]), ctx))],
  [/\b(\d{1,2})([./])(\d{1,2})\.?(?![\d/.]|\s*%)/g, (m, ctx, text) => {
    // "21/02" is a date; "3/3" nodes or "8/10" pain scores are not: zero-padded or after a date cue only
    // two-digit day and month closed by a dot ("15.12.:") is a German date too
    const padded = /^0\d$/.test(m[1]) || /^0\d$/.test(m[3]) || (m[2] === '.' && m[1].length === 2 && m[3].length === 2 && m[0].endsWith('.'));
    const cue = PARTIAL_CUE.test(text.slice(Math.max(0, m.index - 12), m.index)) || ((m[2] === '/' || m[0].endsWith('.')) && partialInPlace(m, text));
    const timeAfter = /^\s+\d{1,2}:\d{2}/.test(text.slice(m.index + m[0].length, m.index + m[0].length + 7));
    if (!padded && !cue && !timeAfter) return null;
    // German partial dates end with a dot ("am 15.02."); "1.5 cm" is a number
    if (m[2] === '.' && !m[0].endsWith('.')) return null;
    if (m[2] === '.' && ctx.language === 'en' && !cue) return null;
    const open = m[2] === '/' && !ctx.orderKnown && ctx.doc !== undefined;
    const dayFirst = m[2] === '.' || (open ? nearerDayFirst([[Number(m[1]), Number(m[3])]], ctx.doc as string) ?? ctx.dayFirst : ctx.dayFirst);
    const [d, mo] = dayFirst ? [Number(m[1]), Number(m[3])] : [Number(m[3]), Number(m[1])];
    // a partial date impossible in the note's order ("21/02" in a month-first note) is read the other way
    return mo <= 12 ? inferYear(mo, d, ctx) : inferYear(d, mo, ctx);
  }],
];

/**
 * Day-first or month-first for slash/dash dates when the note itself says so (a part > 12, the document date, then
 * British/US hints in English); undefined when it does not.
 */
export function slashOrderEvidence(text: string, opts: DateOptions): boolean | undefined {
  const last = lastOrder;
  if (last && last.text === text && last.language === opts.language && last.documentDate === opts.documentDate) return last.answer;
  const answer = noteSlashOrder(text, opts);
  lastOrder = { text, language: opts.language, documentDate: opts.documentDate, answer };
  return answer;
}

/**
 * The dates and the tables of a note both ask for its slash order, and the answer scans the whole note several times
 * (slash dates, then the regional hints): the last note's answer is kept.
 */
let lastOrder: { text: string; language: Language; documentDate?: string; answer: boolean | undefined } | undefined;

function noteSlashOrder(text: string, opts: DateOptions): boolean | undefined {
  const re = /\b(\d{1,2})[/-](\d{1,2})[/-](\d{4}|\d{2})\b/g;
  const pairs: Array<[number, number, number]> = [];
  for (let m = re.exec(text); m; m = re.exec(text)) pairs.push([Number(m[1]), Number(m[2]), Number(m[3].length === 2 ? `20${m[3]}` : m[3])]);
  if (pairs.some(([a]) => a > 12)) return true;
  if (pairs.some(([, b]) => b > 12)) return false;
  if (opts.documentDate && pairs.length) {
    const doc = addDays(opts.documentDate, 1);
    const late = (f: (p: [number, number, number]) => string): number => pairs.filter((p) => f(p) > doc).length;
    const dmy = late(([a, b, y]) => `${y}-${pad(b)}-${pad(a)}`);
    const mdy = late(([a, b, y]) => `${y}-${pad(a)}-${pad(b)}`);
    if (dmy !== mdy) return dmy < mdy;
  }
  return opts.language === 'en' ? regionalDayFirst(text) : undefined;
}

/** The note's slash order, else the language's (German day first, English month first). */
export function dayFirstFor(text: string, opts: DateOptions): boolean {
  return slashOrderEvidence(text, opts) ?? opts.language === 'de';
}

/** Every relative date ends with "ago" or starts with "vor": a note without either (most) skips the long pattern. */
const RELATIVE_WORD = /ago\b|\bvor\s/i;

function relativeDates(text: string, ctx: Ctx, out: DateMention[]): void {
  if (!ctx.doc || !RELATIVE_WORD.test(text)) return;
  const re = /\b(\d{1,2}|an?|one|two|three|four|five|six|seven|eight|nine|ten|twelve)\s+(days?|weeks?|months?|years?)\s+ago\b|\bvor\s+(\d{1,2}|einem|einer|zwei|drei|vier|fünf|sechs|sieben|acht|neun|zehn|zwölf)\s+(Tag(?:en)?|Woche[n]?|Monat(?:en)?|Jahr(?:en)?)\b/gi;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const n = Number(m[1] ?? m[3]) || NUM_WORDS[(m[1] ?? m[3]).toLowerCase()] || 0;
    const unit = (m[2] ?? m[4]).toLowerCase();
    const base = new Date(Date.parse(ctx.doc));
    if (/^(day|tag)/.test(unit)) base.setUTCDate(base.getUTCDate() - n);
    else if (/^(week|woche)/.test(unit)) base.setUTCDate(base.getUTCDate() - 7 * n);
    else if (/^(month|monat)/.test(unit)) base.setUTCMonth(base.getUTCMonth() - n);
    else base.setUTCFullYear(base.getUTCFullYear() - n);
    const iso = base.toISOString();
    out.push({ start: m.index, end: m.index + m[0].length, iso: /^(day|tag|week|woche)/.test(unit) ? iso.slice(0, 10) : iso.slice(0, 7) });
  }
}

/** Every date mention in the note, sorted by position; overlapping candidates keep the earlier rule. */
export function findDates(text: string, opts: DateOptions): DateMention[] {
  const doc = opts.documentDate && /^\d{4}-\d{2}-\d{2}/.test(opts.documentDate) ? opts.documentDate.slice(0, 10) : undefined;
  const evidence = slashOrderEvidence(text, opts);
  const ctx: Ctx = {
    docYear: doc ? Number(doc.slice(0, 4)) : new Date().getUTCFullYear(), doc, dayFirst: evidence ?? opts.language === 'de',
    orderKnown: evidence !== undefined || opts.language !== 'en', language: opts.language,
  };
  const found: DateMention[] = [];
  const taken = (s: number, e: number): boolean => found.some((d) => s < d.end && e > d.start);
  for (const [re, build] of RULES) {
    re.lastIndex = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      const s = m.index;
      const e = s + m[0].length;
      if (taken(s, e)) continue;
      const iso = build(m, ctx, text);
      if (iso) found.push({ start: s, end: e, iso });
    }
  }
  relativeDates(text, ctx, found);
  for (const d of dayWordDates(text, doc)) if (!taken(d.start, d.end)) found.push(d);
  return found.sort((a, b) => a.start - b.start);
}
