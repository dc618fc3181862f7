/** Locale-aware number parsing: decimal commas, thousands separators (1,612 vs 1.612 by language), ranges, comparators. */
import type { Comparator, Language } from '../finding';

export interface ParsedNumber {
  value: number;
  /** Upper bound when the text is a range ("1,5-1,8"). */
  high?: number;
  comparator?: Comparator;
  /** Offsets of the whole expression (comparator included) in the text. */
  start: number;
  end: number;
  /** Offset where the digits begin. */
  numberStart: number;
  text: string;
}

// Swiss printouts group thousands with an apostrophe ("1'284")
const NUMBER = String.raw`\d{1,3}(?:['’]\d{3})+(?:[.,]\d+)?|\d{1,3}(?:[.,]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?`;
const AT = new RegExp(String.raw`(?<cmp>[<>≤≥]=?)?[ \t]*(?<num>${NUMBER})(?:[ \t]*(?:-|–)[ \t]*(?<high>${NUMBER})(?![\d/.:-]))?`, 'y');

const COMPARATORS: Record<string, Comparator> = { '<': '<', '<=': '<=', '≤': '<=', '>': '>', '>=': '>=', '≥': '>=' };

/** A number with thousands groups as each language writes it (built once: this is asked for every number of a note). */
const GROUPED = {
  de: /^[1-9]\d{0,2}(?:\.\d{3})+(?:,\d+)?$/,
  en: /^[1-9]\d{0,2}(?:,\d{3})+(?:\.\d+)?$/,
};

/** Reads "1,612" / "1.612" / "9,8" / "0.74" as the note's language writes numbers. */
export function parseLocaleNumber(s: string, lang: Language): number {
  if (/['’]/.test(s)) return Number(s.replace(/['’]/g, '').replace(',', '.'));
  const thousands = lang === 'de' ? '.' : ',';
  const decimal = lang === 'de' ? ',' : '.';
  if (GROUPED[lang === 'de' ? 'de' : 'en'].test(s)) return Number(s.split(thousands).join('').replace(decimal, '.'));
  // the other separator with other than three digits after it is a decimal mark in either language
  return Number(s.replace(',', '.'));
}

/** Parses a number (optionally a comparator before it and a range after it) starting exactly at `pos`. */
export function parseNumberAt(text: string, pos: number, lang: Language): ParsedNumber | null {
  AT.lastIndex = pos;
  const m = AT.exec(text);
  if (!m || !m.groups) return null;
  const num = m.groups.num;
  // a digit or letter glued to the front means we are inside another token (C3, 2x)
  if (pos > 0 && /[\p{L}\d]/u.test(text[pos - 1]) && !m.groups.cmp) return null;
  const value = parseLocaleNumber(num, lang);
  if (!Number.isFinite(value)) return null;
  const high = m.groups.high !== undefined ? parseLocaleNumber(m.groups.high, lang) : undefined;
  // "30+" reads as "30 or more"; German printouts write "96+" for a value above the range (a flag)
  const plus = lang !== 'de' && !m.groups.cmp && text[pos + m[0].length] === '+' && !/\d/.test(text[pos + m[0].length + 1] ?? '');
  const cmp = m.groups.cmp ? COMPARATORS[m.groups.cmp] : plus ? '>=' : undefined;
  return {
    value, start: pos, end: pos + m[0].length, numberStart: pos + m[0].indexOf(num), text: m[0],
    ...(high !== undefined && Number.isFinite(high) ? { high } : {}),
    ...(cmp ? { comparator: cmp } : {}),
  };
}
