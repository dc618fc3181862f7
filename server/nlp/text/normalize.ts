/** Text normalisation for matching (case, umlauts/ß, hyphens, line breaks) with an offset map to the original. */

export interface NormalizedText {
  /** Folded text: lower case, ä→ae ö→oe ü→ue ß→ss, diacritics stripped, dashes unified, whitespace runs → one space. */
  text: string;
  /** map[i] = offset in the original text of normalised character i (map.length === text.length + 1). */
  map: Int32Array;
}

export interface Token {
  /** Folded form (only [a-z0-9]). */
  norm: string;
  /** Original surface (case kept) — for case-sensitive abbreviations. */
  raw: string;
  /** Offsets into the ORIGINAL text. */
  start: number;
  end: number;
  /** What separates this token from the previous one. */
  sep: 'none' | 'soft' | 'hard';
  /** The separator text in the original (e.g. ', ' or ' - '). */
  sepText: string;
  isNumber: boolean;
}

const SPECIAL: Record<string, string> = {
  ä: 'ae', ö: 'oe', ü: 'ue', Ä: 'ae', Ö: 'oe', Ü: 'ue', ß: 'ss', ẞ: 'ss',
  µ: 'u', μ: 'u', '²': '2', '³': '3', '×': 'x', æ: 'ae', œ: 'oe', ø: 'o',
  '‐': '-', '‑': '-', '‒': '-', '–': '-', '—': '-', '−': '-', '\u00ad': '',
  '’': "'", '‘': "'", '“': '"', '”': '"', '„': '"',
};

const foldCache = new Map<string, string>();

/** Folds one character (may return 0–2 characters). */
export function foldChar(c: string): string {
  const special = SPECIAL[c];
  if (special !== undefined) return special;
  if (c.charCodeAt(0) < 128) return c.toLowerCase();
  let f = foldCache.get(c);
  if (f === undefined) {
    // strip combining marks: é → e, ç → c
    f = c.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
    foldCache.set(c, f);
  }
  return f;
}

/** Folds a whole string (no offset map): used for dictionary terms. */
export function foldString(s: string): string {
  let out = '';
  for (const c of s) out += foldChar(c);
  return out;
}

/** Dictionary key of a term: folded, only letters and digits. */
export function squash(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // ASCII fast path (most labels and words): keep letters (lower-cased) and digits, drop the rest
    if (c < 128) {
      if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57)) out += s[i];
      else if (c >= 65 && c <= 90) out += String.fromCharCode(c + 32);
      continue;
    }
    const cp = s.codePointAt(i) ?? c;
    const ch = String.fromCodePoint(cp);
    if (cp > 0xffff) i++;
    for (const f of foldChar(ch)) if (/[a-z0-9]/.test(f)) out += f;
  }
  return out;
}

const UTF16 = new TextDecoder('utf-16le');

const isWs = (c: string): boolean => c === ' ' || c === '\n' || c === '\t' || c === '\r' || c === '\f' || c === '\u00a0';

/** True at a hyphen that splits a word across a line break ("Peritoneal-\nkarzinose"). */
function isLineBreakHyphen(text: string, i: number): number {
  if (text[i] !== '-' || i === 0 || !/\p{L}/u.test(text[i - 1])) return 0;
  let j = i + 1;
  while (j < text.length && (text[j] === ' ' || text[j] === '\t' || text[j] === '\r')) j++;
  if (text[j] !== '\n') return 0;
  j++;
  while (j < text.length && isWs(text[j])) j++;
  return j < text.length && /\p{Ll}/u.test(text[j]) ? j - i : 0;
}

/**
 * Work buffers of normalizeText, reused from note to note (grown when a note is longer): two fresh typed arrays of
 * twice the note's length per note were garbage the moment the folded text and its map were copied out.
 */
let scratch = { codes: new Uint16Array(0), map: new Int32Array(0) };
/** Notes up to 64 K characters share the buffers (under 1 MB kept); a longer one gets its own. */
const SCRATCH_MAX = 2 * 65536 + 1;

function scratchFor(size: number): { codes: Uint16Array; map: Int32Array } {
  if (size > SCRATCH_MAX) return { codes: new Uint16Array(size), map: new Int32Array(size) };
  if (scratch.codes.length < size) scratch = { codes: new Uint16Array(size), map: new Int32Array(size) };
  return scratch;
}

/** Normalises a note for matching, keeping a map from every output character to the original offset. */
export function normalizeText(text: string): NormalizedText {
  const { codes, map } = scratchFor(text.length * 2 + 1);
  let n = 0;
  let i = 0;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    // fast path: ASCII letters, digits and punctuation other than whitespace and '-'
    if (code < 128 && code > 32 && code !== 45) {
      codes[n] = code >= 65 && code <= 90 ? code + 32 : code;
      map[n++] = i++;
      continue;
    }
    const c = text[i];
    const hyphenSkip = code === 45 ? isLineBreakHyphen(text, i) : 0;
    if (hyphenSkip) { i += hyphenSkip; continue; }
    if (isWs(c)) {
      if (n && codes[n - 1] !== 32) { codes[n] = 32; map[n++] = i; }
      i++;
      continue;
    }
    const f = foldChar(c);
    for (let k = 0; k < f.length; k++) { codes[n] = f.charCodeAt(k); map[n++] = i; }
    i++;
  }
  map[n] = text.length;
  return { text: UTF16.decode(codes.subarray(0, n)), map: map.slice(0, n + 1) };
}

/** Original [start, end) of a normalised range [nStart, nEnd). */
export function toOriginal(n: NormalizedText, nStart: number, nEnd: number): { start: number; end: number } {
  const start = n.map[nStart];
  const end = nEnd > nStart ? n.map[nEnd - 1] + 1 : start;
  return { start, end };
}

const SOFT_SEP = /^(?:[\s\-/'"]+|\.)$/;

function sepClass(sepText: string): Token['sep'] {
  if (sepText === '') return 'none';
  if (sepText === ' ') return 'soft'; // by far the most common separator
  return SOFT_SEP.test(sepText) ? 'soft' : 'hard';
}

/**
 * Tokens of the note: runs of letters/digits of the normalised text, split where letters meet digits
 * ("CA125" → ca|125), each with offsets into the original text.
 */
export function tokenize(text: string, norm: NormalizedText = normalizeText(text)): Token[] {
  const tokens: Token[] = [];
  const re = /[a-z]+|[0-9]+/g;
  let prevEnd = 0;
  for (let m = re.exec(norm.text); m; m = re.exec(norm.text)) {
    const { start, end } = toOriginal(norm, m.index, m.index + m[0].length);
    const sepText = tokens.length ? text.slice(prevEnd, start) : '';
    tokens.push({
      norm: m[0], raw: text.slice(start, end), start, end,
      sep: tokens.length ? sepClass(sepText) : 'hard', sepText, isNumber: m[0].charCodeAt(0) < 58,
    });
    prevEnd = end;
  }
  return tokens;
}
