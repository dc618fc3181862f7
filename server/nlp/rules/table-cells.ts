/** One lab-table cell read as a value: flags (H, L, *, +, ↑) stripped, not-done markers rejected, the unit written in the cell. */
import type { Comparator, Language } from '../finding';
import { parseNumberAt } from '../text/numbers';
import type { UnitConverter } from './units';

export interface CellValue {
  value: number;
  comparator?: Comparator;
  flag?: string;
  /** UCUM of a unit written in the cell, and the unit as written. */
  ucum?: string;
  unitText?: string;
  /** Offsets of the number (comparator included) inside the note. */
  numberStart: number;
  numberEnd: number;
}

/** "--", "n.a.", "n.d.", "see comment", "folgt": the test was not done or has no numeric result. */
const NOT_DONE = /^(?:[-–—.*/]+|n\.?\s?[adbv]\.?|k\.?\s?a\.?|entf(?:ällt|\.)?|s\.?\s*(?:komm(?:entar)?|text|bem(?:erkung)?|unten|befund)\.?|siehe\b.*|see\b.*|pending|ausstehend|folgt|storniert|hämoly.*|haemoly.*|hemoly.*|geronnen|clotted|qns|nicht\s+(?:bestimmt|durchgeführt|messbar)|not\s+(?:done|performed|measured))$/i;
/** Flags around a value: H, L, HH, LL, *, +, -, ↑, ↓, !, in brackets or not ("11,4 -": below the range in German printouts). */
const FLAG = /^(?:\(?\s*(?:HH|LL|H|L|hh|ll|h|l|\+{1,3}|-{1,2}|\*{1,3}|!{1,2}|↑{1,2}|↓{1,2}|pos|neg)\s*\)?)$/;
const LEAD_FLAG = /^(?:[↑↓*!+]{1,3}|\(?[HL]\)?(?=\s))\s*/;

export interface DecimalStyle {
  /** 'de': comma decimals, point thousands; 'en': the reverse. */
  language: Language;
}

/** The table's decimal mark from its own cells: "12,5" says comma, "0.85" says point; else the note's language. */
export function decimalStyle(cells: string[], fallback: Language): DecimalStyle {
  let comma = false;
  let point = false;
  for (const c of cells) {
    if (/\d,\d{1,2}(?!\d)/.test(c) || /\d,\d{4,}/.test(c)) comma = true;
    if (/\d\.\d{1,2}(?![\d.])/.test(c) || /\d\.\d{4,}/.test(c)) point = true;
  }
  if (comma && !point) return { language: 'de' };
  if (point && !comma) return { language: 'en' };
  return { language: fallback };
}

function splitFlag(rest: string): { flag?: string; rest: string } {
  const t = rest.trim();
  if (!t) return { rest: '' };
  if (FLAG.test(t)) return { flag: t.replace(/[()\s]/g, ''), rest: '' };
  // "H g/dl", "g/dl H", "*"
  const parts = t.split(/\s+/);
  if (FLAG.test(parts[0])) return { flag: parts[0].replace(/[()]/g, ''), rest: parts.slice(1).join(' ') };
  const last = parts[parts.length - 1];
  if (parts.length > 1 && FLAG.test(last)) return { flag: last.replace(/[()]/g, ''), rest: parts.slice(0, -1).join(' ') };
  // a flag glued to the value or unit: "12,5H", "450+", "9,8L", "0,9-"
  const glued = /^(.*?)(HH|LL|H|L|\*{1,3}|\+{1,3}|-{1,2}|↑{1,2}|↓{1,2}|!)$/.exec(t);
  if (glued && (glued[1] === '' || /[\s\d)]$/.test(glued[1]) || /^[A-Za-zµμ/%]+$/.test(glued[1]))) {
    return { flag: glued[2], rest: glued[1].trim() };
  }
  return { rest: t };
}

/** The value of one cell, or null when the cell is empty, not done, a range or not a number with a known unit. */
export function readCell(text: string, cellStart: number, cellEnd: number, style: DecimalStyle, units: UnitConverter): CellValue | null {
  const raw = text.slice(cellStart, cellEnd);
  if (!raw.trim() || NOT_DONE.test(raw.trim())) return null;
  const lead = LEAD_FLAG.exec(raw);
  // parsed inside the cell only: "0,9-" then "1,9" in the next column is a flagged value, not the range 0,9-1,9
  const local = parseNumberAt(raw, lead ? lead[0].length : 0, style.language);
  if (!local || local.high !== undefined) return null;
  const n = { ...local, start: cellStart + local.start, end: cellStart + local.end, numberStart: cellStart + local.numberStart };
  const { flag, rest } = splitFlag(text.slice(n.end, cellEnd));
  let ucum: string | undefined;
  if (rest) {
    ucum = units.lookup(rest) ?? undefined;
    if (!ucum) {
      const parsed = units.parseAt(rest, 0);
      if (!parsed || rest.slice(parsed.end).trim() !== '') return null;
      ucum = parsed.ucum;
    }
  }
  const leadFlag = lead ? lead[0].trim().replace(/[()]/g, '') : undefined;
  const f = flag ?? leadFlag;
  return {
    value: n.value, ...(n.comparator ? { comparator: n.comparator } : {}), ...(f ? { flag: f } : {}),
    ...(ucum ? { ucum, unitText: rest } : {}), numberStart: n.start, numberEnd: n.end,
  };
}
