/** One pass over a note that every rule module reads: tokens, sentences, dictionary matches, dates. */
import type { Language } from '../finding';
import { findAnchorDates } from '../text/anchor-dates';
import { findDates, type DateMention } from '../text/dates';
import { normalizeText, tokenize, type Token } from '../text/normalize';
import { segment, type SegmentOptions, type Sentence } from '../text/segments';
import type { Dictionary, Layer } from './dictionary';
import { findMatches, type Match } from './matcher';

export interface NoteAnalysis {
  text: string;
  language: Language;
  documentDate?: string;
  tokens: Token[];
  sentences: Sentence[];
  /** Sentence index of every token (-1 outside any sentence). */
  tokenSentence: Int32Array;
  matches: Record<Layer, Match[]>;
  dates: DateMention[];
  /** Folded text of sentence `s`, for cue/blocker checks (computed on first use: few sentences hold a guarded term). */
  sentenceFolded(s: number): string;
}

const LAYERS: Layer[] = ['condition', 'analyte', 'trigger', 'histology', 'laterality', 'part', 'gene', 'result'];

const DE_WORDS = new Set(['und', 'der', 'die', 'das', 'mit', 'bei', 'nach', 'kein', 'keine', 'für', 'auf', 'ist', 'vom', 'zur', 'des', 'eine', 'einer', 'wir', 'sich', 'nicht', 'im', 'am', 'von', 'zum', 'unter',
  // medical German that short notes often consist of
  'links', 'rechts', 'beidseits', 'bds', 'kreatinin', 'leukozyten', 'thrombozyten', 'gewicht', 'befund', 'diagnose', 'diagnosen', 'labor', 'verlauf', 'anamnese', 'procedere', 'empfehlung', 'beurteilung', 'ed', 'zn', 'va']);
const EN_WORDS = new Set(['and', 'the', 'with', 'of', 'no', 'for', 'on', 'was', 'is', 'to', 'at', 'she', 'her', 'he', 'his', 'not', 'from', 'by', 'patient', 'without', 'has', 'be',
  'left', 'right', 'bilateral', 'history', 'assessment', 'plan', 'labs', 'findings', 'impression', 'denies']);
const GERMAN_LETTERS = /[äöüßÄÖÜ]/g;
const GERMAN_WORD_END = /\p{L}(?:karzinom|karzinoms|karzinose|metastasen|erguss|ergüsse|thrombose|embolie|anämie|ung|ungen|heit|keit)\b/giu;
const GERMAN_DATE = /\b\d{1,2}\.\d{1,2}\.(?:\d{4}|\d{2})\b/g;
/** Decimal marks: "9,8" is German, "9.8" English (three digits after the mark may be a thousands group: not counted). */
const COMMA_DECIMAL = /\b\d+,\d{1,2}(?!\d)/g;
const POINT_DECIMAL = /\b\d+\.\d{1,2}(?![\d.])/g;

/** Guesses English or German from function words, umlauts, German word endings, dd.mm.yyyy dates and decimal marks. */
export function detectLanguage(text: string): Language {
  const sample = text.slice(0, 20000);
  let de = Math.min(5, (sample.match(GERMAN_LETTERS) ?? []).length) + (sample.match(GERMAN_WORD_END) ?? []).length
    + 2 * Math.min(3, (sample.match(GERMAN_DATE) ?? []).length);
  let en = Math.min(3, (sample.match(POINT_DECIMAL) ?? []).length);
  de += Math.min(3, (sample.match(COMMA_DECIMAL) ?? []).length);
  for (const w of sample.toLowerCase().match(/\p{L}+/gu) ?? []) {
    if (DE_WORDS.has(w)) de++;
    else if (EN_WORDS.has(w)) en++;
  }
  return de > en ? 'de' : 'en';
}

function sentenceOfTokens(tokens: Token[], sentences: Sentence[]): Int32Array {
  const out = new Int32Array(tokens.length).fill(-1);
  let s = 0;
  for (let i = 0; i < tokens.length; i++) {
    while (s < sentences.length && sentences[s].end <= tokens[i].start) s++;
    if (s < sentences.length && sentences[s].start <= tokens[i].start) out[i] = s;
  }
  return out;
}

/** Tokens of one sentence never match across a sentence boundary: mark the first token of each sentence hard. */
function hardenSentenceStarts(tokens: Token[], tokenSentence: Int32Array): void {
  for (let i = 1; i < tokens.length; i++) {
    if (tokenSentence[i] !== tokenSentence[i - 1]) tokens[i].sep = 'hard';
  }
}

/** Segmentation options per dictionary and language, built once (the header sets of both languages joined). */
const SEGMENT_OPTIONS = new WeakMap<Dictionary, Partial<Record<Language, SegmentOptions>>>();

function segmentOptions(dict: Dictionary, language: Language): SegmentOptions {
  let byLanguage = SEGMENT_OPTIONS.get(dict);
  if (!byLanguage) { byLanguage = {}; SEGMENT_OPTIONS.set(dict, byLanguage); }
  const both = (kind: 'family' | 'hypothetical' | 'question' | 'plan' | 'other' | 'consent'): Set<string> => new Set([...dict.sections.en[kind], ...dict.sections.de[kind]]);
  return byLanguage[language] ??= {
    language, abbreviations: dict.abbreviations[language],
    familyHeaders: both('family'), hypotheticalHeaders: both('hypothetical'), questionHeaders: both('question'), planHeaders: both('plan'), otherHeaders: both('other'), consentHeaders: both('consent'),
  };
}

export function analyze(text: string, dict: Dictionary, language: Language, documentDate?: string): NoteAnalysis {
  const norm = normalizeText(text);
  const tokens = tokenize(text, norm);
  const sentences = segment(text, segmentOptions(dict, language));
  const tokenSentence = sentenceOfTokens(tokens, sentences);
  hardenSentenceStarts(tokens, tokenSentence);
  const all = findMatches(dict, tokens, language);
  const matches = Object.fromEntries(LAYERS.map((l) => [l, [] as Match[]])) as unknown as Record<Layer, Match[]>;
  for (const m of all) matches[m.layer].push(m);
  const dates = findDates(text, { language, documentDate });
  const anchors = findAnchorDates(text, dates);
  const folded = new Map<number, string>();
  return {
    text, language, documentDate, tokens, sentences, tokenSentence, matches,
    dates: [...dates, ...anchors].sort((a, b) => a.start - b.start),
    sentenceFolded: (s: number): string => {
      let f = folded.get(s);
      if (f === undefined) { f = norm.text.length ? foldedSlice(norm.text, norm.map, sentences[s].start, sentences[s].end) : ''; folded.set(s, f); }
      return f;
    },
  };
}

function foldedSlice(normText: string, map: Int32Array, start: number, end: number): string {
  let lo = 0;
  let hi = map.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (map[mid] < start) lo = mid + 1;
    else hi = mid;
  }
  let e = lo;
  while (e < normText.length && map[e] < end) e++;
  return normText.slice(lo, e);
}

/** Sentence index of a token range (of its first token). */
export function sentenceOf(a: NoteAnalysis, tok: number): number {
  return a.tokenSentence[tok];
}
