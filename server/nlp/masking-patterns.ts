/** Identifier-shaped spans in note text (phones, e-mails, record numbers, birth dates, salutations) for PHI masking. */

/** A half-open span [start, end) of the text. */
export interface TextSpan {
  start: number;
  end: number;
}

export interface DateParts {
  year: number;
  month: number;
  day: number;
}

export interface DateSpan extends TextSpan {
  /** Every reading of the date (day-first and month-first when both are valid). */
  readings: DateParts[];
}

const MONTH_NAMES = String.raw`(?:jan(?:uary|uar)?|jän(?:ner)?|feb(?:ruary|ruar)?|mar(?:ch)?|märz|maerz|mrz|apr(?:il)?|may|mai|jun[ei]?|jul[yi]?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|okt(?:ober)?|nov(?:ember)?|dec(?:ember)?|dez(?:ember)?)`;
const MONTH_PREFIX: Array<[string, number]> = [
  ['jan', 1], ['jän', 1], ['feb', 2], ['mar', 3], ['mär', 3], ['mrz', 3], ['mae', 3], ['apr', 4], ['may', 5], ['mai', 5], ['jun', 6],
  ['jul', 7], ['aug', 8], ['sep', 9], ['oct', 10], ['okt', 10], ['nov', 11], ['dec', 12], ['dez', 12],
];

const ISO_DATE = /\b(\d{4})-(\d{1,2})-(\d{1,2})\b/g;
const NUMERIC_DATE = /\b(\d{1,2})[./-](\d{1,2})[./-](\d{4}|\d{2})\b/g;
const DAY_MONTH_YEAR = new RegExp(String.raw`\b(\d{1,2})(?:st|nd|rd|th)?\.?[ \t-]*(${MONTH_NAMES})\.?,?[ \t-]*(\d{4})\b`, 'giu');
const MONTH_DAY_YEAR = new RegExp(String.raw`\b(${MONTH_NAMES})\.?[ \t]+(\d{1,2})(?:st|nd|rd|th)?,?[ \t]+(\d{4})\b`, 'giu');

/** "DOB", "born", "geb.", "Geburtsdatum" … right before a date (or a bare year after "born"). */
const BIRTH_CUE = /(?:\bD\.?O\.?B\.?|\bdate of birth|\bbirth ?date|\bborn(?: on| in)?|\bgeb\.|\bgeboren(?: am)?|\bGeburtsdatum|\bGeb\.-Datum)[\s:,.-]*$/i;
const BORN_YEAR = /(?:\bborn(?: in)?|\bgeb\.|\bgeboren(?: im Jahr)?|\bJahrgang|\bYOB)[\s:]*((?:19|20)\d{2})\b/gi;

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
const LABELLED_PHONE = /\b(?:tel|phone|telefon|fax|mobil|mobile|handy|cell|ph)\.?(?:[ \t]*(?:no|nr|number|nummer)\.?)?[ \t]*[:#]?[ \t]*(\+?[\d(][\d \t()./-]{4,}\d)/gi;
const INTERNATIONAL_PHONE = /\+\d{1,3}[ \t./-]?\(?\d{1,4}\)?(?:[ \t./-]?\d{2,}){2,}/g;
const US_PHONE = /(?:\(\d{3}\)[ \t]?|\b\d{3}[ \t.-])\d{3}[.-]\d{4}\b/g;
const DE_PHONE = /\b0\d{2,5}[ \t]?[/-][ \t]?\d{4,}\b/g;
/** Record numbers after their label: "MRN: 12345678", "Fall-Nr. 2026/0042", "Pat.-ID A-99812". */
const LABELLED_ID = /(?:\bMRN|\bMR#|\bMR-Nr\.?|\bmedical record(?: number| no\.?)?|\bpatient(?:en)?[- ]?(?:id|nr\.?|nummer|number)|\bPID|\bPat\.?[- ]?(?:Nr|ID)\.?|\bFall(?:nummer|[- ]?Nr\.?)|\bcase (?:no\.?|number)|\bSSN|\bsocial security(?: number| no\.?)?|\bVersicherten(?:nummer|[- ]?Nr\.?)|\bKVNR|\bAufnahme(?:nummer|[- ]?Nr\.?)|\bID\s*[:#])[ \t]*[:#.]?[ \t]*((?=[A-Za-z0-9/.-]*\d)[A-Za-z0-9][A-Za-z0-9/.-]*[A-Za-z0-9])/gi;
const SSN = /\b\d{3}-\d{2}-\d{4}\b/g;
/** A bare integer of 7+ digits is a record number, never a lab value. */
const LONG_NUMBER = /(?<![\d.,])\d{7,}(?![\d]|[.,]\d)/g;
const LETTERS_DIGITS_ID = /\b[A-Z]{1,3}-?\d{6,}\b/g;
const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;
/** "Mrs. Jane Doe", "Frau Müller", "Patient: Jane Doe": the capitalised words after a salutation or a name label. */
const SALUTATION = /\b(?:Mr|Mrs|Ms|Miss|Mx|Frau|Herr|Hr|Fr)\.?[ \t]+((?:\p{Lu}[\p{L}'’-]+)(?:[ \t]+\p{Lu}[\p{L}'’-]+)?)/gu;
const NAME_LABEL = /(?:\b[Pp]atient(?:in)?|\b[Pp]atient name|\bName|\bPatientenname)[ \t]*:[ \t]*((?:\p{Lu}[\p{L}'’-]+,?)(?:[ \t]+\p{Lu}[\p{L}'’-]+){0,3})/gu;

function monthNumber(name: string): number {
  const n = name.toLowerCase();
  return MONTH_PREFIX.find(([p]) => n.startsWith(p))?.[1] ?? 0;
}

function fullYear(y: string): number {
  if (y.length === 4) return Number(y);
  const n = Number(y);
  // two-digit years of birth: 00–29 this century, the rest the last
  return n < 30 ? 2000 + n : 1900 + n;
}

function valid(p: DateParts): boolean {
  return p.month >= 1 && p.month <= 12 && p.day >= 1 && p.day <= 31 && p.year >= 1850 && p.year <= 2100;
}

/** Every date written in the text with its possible readings. */
export function findDateSpans(text: string): DateSpan[] {
  const out: DateSpan[] = [];
  const add = (m: RegExpMatchArray, readings: DateParts[]): void => {
    const ok = readings.filter(valid);
    if (ok.length) out.push({ start: m.index ?? 0, end: (m.index ?? 0) + m[0].length, readings: ok });
  };
  for (const m of text.matchAll(ISO_DATE)) add(m, [{ year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) }]);
  for (const m of text.matchAll(NUMERIC_DATE)) {
    const year = fullYear(m[3]);
    add(m, [{ year, month: Number(m[2]), day: Number(m[1]) }, { year, month: Number(m[1]), day: Number(m[2]) }]);
  }
  for (const m of text.matchAll(DAY_MONTH_YEAR)) add(m, [{ year: Number(m[3]), month: monthNumber(m[2]), day: Number(m[1]) }]);
  for (const m of text.matchAll(MONTH_DAY_YEAR)) add(m, [{ year: Number(m[3]), month: monthNumber(m[1]), day: Number(m[2]) }]);
  return out;
}

function spansOf(text: string, re: RegExp, group = 0): TextSpan[] {
  const out: TextSpan[] = [];
  for (const m of text.matchAll(re)) {
    const value = m[group];
    if (value === undefined) continue;
    const start = (m.index ?? 0) + m[0].lastIndexOf(value);
    out.push({ start, end: start + value.length });
  }
  return out;
}

/** Dates right after a birth cue, and years after "born". */
function birthDateSpans(text: string, dates: DateSpan[]): TextSpan[] {
  const cued = dates.filter((d) => BIRTH_CUE.test(text.slice(Math.max(0, d.start - 30), d.start)));
  return [...cued, ...spansOf(text, BORN_YEAR, 1)];
}

/** Phone numbers, e-mails, record numbers, birth dates and salutation names found by their shape alone. */
export function identifierPatternSpans(text: string, dates: DateSpan[] = findDateSpans(text)): TextSpan[] {
  return [
    ...spansOf(text, EMAIL),
    ...spansOf(text, LABELLED_PHONE, 1),
    ...spansOf(text, INTERNATIONAL_PHONE),
    ...spansOf(text, US_PHONE),
    ...spansOf(text, DE_PHONE),
    ...spansOf(text, LABELLED_ID, 1),
    ...spansOf(text, SSN),
    ...spansOf(text, LONG_NUMBER),
    ...spansOf(text, LETTERS_DIGITS_ID),
    ...spansOf(text, UUID),
    ...spansOf(text, SALUTATION, 1),
    ...spansOf(text, NAME_LABEL, 1),
    ...birthDateSpans(text, dates),
  ];
}

/** Digit runs that may be a phone number written in any style, with their digits. */
export function phoneLikeSpans(text: string): Array<TextSpan & { digits: string }> {
  const out: Array<TextSpan & { digits: string }> = [];
  for (const m of text.matchAll(/\+?[\d(][\d \t()./-]{5,}\d/g)) {
    const start = m.index ?? 0;
    out.push({ start, end: start + m[0].length, digits: m[0].replace(/\D/g, '') });
  }
  return out;
}
