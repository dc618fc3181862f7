/** Dates written as table column headers: 12.01.2026, 12.01.26, 12.01., 2026-01-12, 01/12/2026, Jan 12, 12. Jan (year from the document). */

export interface HeaderDateOptions {
  /** ISO date of the document: gives headers without a year their year. */
  documentDate?: string;
  /** Order of slash dates (01/12/2026): day first unless the table or language says otherwise. */
  dayFirst: boolean;
}

const MONTHS: Array<[RegExp, number]> = [
  [/^(?:jan|jän)/, 1], [/^feb/, 2], [/^(?:mar|mär|mrz|maer)/, 3], [/^apr/, 4], [/^(?:may|mai)/, 5], [/^jun/, 6],
  [/^jul/, 7], [/^aug/, 8], [/^sep/, 9], [/^(?:oct|okt)/, 10], [/^nov/, 11], [/^(?:dec|dez)/, 12],
];
const MONTH_WORD = String.raw`(?:jan(?:uary|uar)?|jän(?:ner)?|feb(?:ruary|ruar)?|mar(?:ch)?|märz|maerz|mrz|apr(?:il)?|may|mai|jun(?:e|i)?|jul(?:y|i)?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|okt(?:ober)?|nov(?:ember)?|dec(?:ember)?|dez(?:ember)?)\.?`;

/** Decorations around a header date: weekday, time of day ("08:15", "0815", "0815h", "8h15", "/07:30"; never a year), brackets, a trailing colon. */
const WEEKDAY = /^(?:mo|di|mi|do|fr|sa|so|mon|tue|wed|thu|fri|sat|sun)\.?,?\s+/i;
const TIME = /(?:[\s,]+(?:\d{1,2}:\d{2}(?::\d{2})?\s*(?:h|uhr|am|pm)?|(?!(?:19|20)\d\d$)(?:[01]\d|2[0-3])[0-5]\d\s*h?(?:rs)?|\d{1,2}h\d{2})|[/-]\d{1,2}:\d{2}(?::\d{2})?\s*(?:h|uhr)?)$/i;

const ISO = /^(\d{4})([-/])(\d{1,2})\2(\d{1,2})$/;
const DOTTED = /^(\d{1,2})\.(\d{1,2})(?:\.(\d{4}|\d{2})?)?$/;
const SLASHED = /^(\d{1,2})[/-](\d{1,2})(?:[/-](\d{4}|\d{2}))?$/;
const MONTH_DAY = new RegExp(String.raw`^(${MONTH_WORD})[\s-]*(\d{1,2})(?:st|nd|rd|th)?(?:,?\s*(\d{4}))?$`, 'i');
const DAY_MONTH = new RegExp(String.raw`^(\d{1,2})(?:st|nd|rd|th)?\.?[\s-]*(${MONTH_WORD})(?:[\s,-]*(\d{4}|\d{2}))?$`, 'i');

const pad = (n: number): string => String(n).padStart(2, '0');

function monthOf(name: string): number {
  const n = name.toLowerCase();
  for (const [re, m] of MONTHS) if (re.test(n)) return m;
  return 0;
}

function valid(y: number, m: number, d: number): boolean {
  return m >= 1 && m <= 12 && d >= 1 && y >= 1900 && y <= 2100 && d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/** A year for a header without one: the document's, or the year before when that would lie over a month after it. */
function yearFor(m: number, d: number, year: string | undefined, doc: string | undefined): number | null {
  if (year) return year.length === 4 ? Number(year) : 2000 + Number(year);
  if (!doc) return null;
  const docYear = Number(doc.slice(0, 4));
  const limit = Date.parse(doc.slice(0, 10)) + 31 * 86400000;
  return Date.UTC(docYear, m - 1, d) > limit ? docYear - 1 : docYear;
}

function build(d: number, m: number, year: string | undefined, opts: HeaderDateOptions): string | null {
  const y = yearFor(m, d, year, opts.documentDate);
  return y !== null && valid(y, m, d) ? `${y}-${pad(m)}-${pad(d)}` : null;
}

/** Strips a weekday, time of day, brackets and colon around a header cell. */
export function headerDateText(cell: string): string {
  let t = cell.trim().replace(/^[([]\s*|\s*[)\]]$/g, '').replace(/:$/, '').trim();
  t = t.replace(WEEKDAY, '').replace(TIME, '').trim();
  return t;
}

/** The ISO date a header cell states when the whole cell is one date, else null. */
export function parseHeaderDate(cell: string, opts: HeaderDateOptions): string | null {
  const t = headerDateText(cell);
  if (t.length < 4 || t.length > 24) return null;
  let m = ISO.exec(t);
  if (m) return valid(Number(m[1]), Number(m[3]), Number(m[4])) ? `${m[1]}-${pad(Number(m[3]))}-${pad(Number(m[4]))}` : null;
  m = DOTTED.exec(t);
  // "12.8" and "10.1" are decimals: a day and month without year end with a dot or write the month with two digits
  if (m && m[3] === undefined && !t.endsWith('.') && m[2].length < 2) return null;
  if (m) return build(Number(m[1]), Number(m[2]), m[3], opts);
  m = SLASHED.exec(t);
  if (m) {
    const [a, b] = [Number(m[1]), Number(m[2])];
    // an impossible order is read the other way (13/01 is day first in any note)
    const dayFirst = a > 12 ? true : b > 12 ? false : opts.dayFirst;
    return dayFirst ? build(a, b, m[3], opts) : build(b, a, m[3], opts);
  }
  m = MONTH_DAY.exec(t);
  if (m) return build(Number(m[2]), monthOf(m[1]), m[3], opts);
  m = DAY_MONTH.exec(t);
  if (m) return build(Number(m[1]), monthOf(m[2]), m[3], opts);
  return null;
}

/** Slash-date order of a set of header cells: a first part over 12 means day first, a second part over 12 month first. */
export function slashOrder(cells: string[], fallbackDayFirst: boolean): boolean {
  for (const c of cells) {
    const m = SLASHED.exec(headerDateText(c));
    if (!m) continue;
    if (Number(m[1]) > 12) return true;
    if (Number(m[2]) > 12) return false;
  }
  return fallbackDayFirst;
}

/** Headers that name the document's own day. */
const TODAY = /^(?:today|heute|aktuell|current|now|jetzt)$/i;

/**
 * A header cell that states a date with a short label: "C1 (03.11.)", "Zyklus 2: 24.11.", "Today"/"heute" (the document
 * date). The label may be at most a few characters, so a sentence with a date is never a header.
 */
export function parseLabelledHeaderDate(cell: string, opts: HeaderDateOptions): string | null {
  const whole = parseHeaderDate(cell, opts);
  if (whole) return whole;
  const t = cell.trim();
  if (TODAY.test(t)) return opts.documentDate && /^\d{4}-\d{2}-\d{2}/.test(opts.documentDate) ? opts.documentDate.slice(0, 10) : null;
  if (t.length > 32) return null;
  const bracket = /^([^()]{0,14}?)\s*\(([^()]{4,24})\)$/.exec(t);
  if (bracket) return parseHeaderDate(bracket[2], opts);
  const labelled = /^(\S{1,10}(?:\s\S{1,3})?)[\s:]+(\d[\d./-]{3,9})$/.exec(t);
  return labelled ? parseHeaderDate(labelled[2], opts) : null;
}
