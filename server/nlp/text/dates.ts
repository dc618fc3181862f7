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
  one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, twelve: 12,
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
interface Ctx { docYear: number; doc?: string; dayFirst: boolean; orderKnown: boolean }

/** Completes a day and month without year from the document date (never after it by more than a month). */
function inferYear(m: number, d: number, ctx: Ctx): string | null {
  if (!ctx.doc) return null;
  let y = ctx.docYear;
  if (`${y}-${pad(m)}-${pad(d)}` > addDays(ctx.doc, 31)) y--;
  return validDay(y, m, d) ? `${y}-${pad(m)}-${pad(d)}` : null;
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

const PARTIAL_CUE = /\b(?:on|am|vom|from|since|seit|bis|until|dated|collected|admitted|discharged|ab)\s+$/i;

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
  [new RegExp(String.raw`\b(\d{1,2})(?:st|nd|rd|th)?\.?(?:[ \t-]|[ \t]+of[ \t]+)(${MONTH})(?![ \t-]*\d)`, 'gi'), (m, ctx) => inferYear(monthOf(m[2]), Number(m[1]), ctx)],
  // "Jan 12", "January 12th" without a year ("may 2" is the verb, so the month needs a capital letter)
  // after a day number ("12 Jan 26") the month closes a date without year and the number is a value
  [new RegExp(String.raw`(?<!\d\.?[ \t-]*)\b(${MONTH})[ \t]+(\d{1,2})(?:st|nd|rd|th)?\b(?![.,:/]?\d)`, 'gi'),
    (m, ctx) => (/^[a-zäö]/.test(m[1]) ? null : inferYear(monthOf(m[1]), Number(m[2]), ctx))],
  [/\b(\d{1,2})([./])(\d{1,2})\.?(?![\d/.]|\s*%)/g, (m, ctx, text) => {
    // "21/02" is a date; "3/3" nodes or "8/10" pain scores are not: zero-padded or after a date cue only
    // two-digit day and month closed by a dot ("15.12.:") is a German date too
    const padded = /^0\d$/.test(m[1]) || /^0\d$/.test(m[3]) || (m[2] === '.' && m[1].length === 2 && m[3].length === 2 && m[0].endsWith('.'));
    const cue = PARTIAL_CUE.test(text.slice(Math.max(0, m.index - 12), m.index));
    const timeAfter = /^\s+\d{1,2}:\d{2}/.test(text.slice(m.index + m[0].length, m.index + m[0].length + 7));
    if (!padded && !cue && !timeAfter) return null;
    // German partial dates end with a dot ("am 15.02."); "1.5 cm" is a number
    if (m[2] === '.' && !m[0].endsWith('.')) return null;
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

function relativeDates(text: string, ctx: Ctx, out: DateMention[]): void {
  if (!ctx.doc) return;
  const re = /\b(\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|twelve)\s+(days?|weeks?|months?|years?)\s+ago\b|\bvor\s+(\d{1,2}|einem|einer|zwei|drei|vier|fünf|sechs|sieben|acht|neun|zehn|zwölf)\s+(Tag(?:en)?|Woche[n]?|Monat(?:en)?|Jahr(?:en)?)\b/gi;
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
    orderKnown: evidence !== undefined || opts.language !== 'en',
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
