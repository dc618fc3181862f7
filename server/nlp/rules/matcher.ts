/** Longest-match dictionary lookup over tokens: walks the folded trie across soft separators, per layer. */
import type { Language } from '../finding';
import type { Token } from '../text/normalize';
import type { Dictionary, Entry, Layer } from './dictionary';
import { slotOf, step, type CompiledTrie } from './trie';

export interface Match {
  layer: Layer;
  /** All entries of this layer whose term covers exactly this span. */
  entries: Entry[];
  /** Token indices, both inclusive. */
  startTok: number;
  endTok: number;
  /** Offsets into the original text. */
  start: number;
  end: number;
}

/** German inflection endings accepted after a term (Ovarialkarzinom|s, seröse|n). */
const DE_SUFFIXES = new Set(['e', 'en', 'er', 'es', 'em', 'n', 's', 'ns']);
/**
 * Layers whose terms are distinctive enough to match in a note of either language (condition, analyte, histology;
 * compared directly, not looked up in a Set: this runs for every entry the walk passes).
 */
const crossLanguage = (layer: Layer): boolean => layer === 'condition' || layer === 'analyte' || layer === 'histology';
const MAX_TOKENS = 9;
const LAYER_INDEX: Record<Layer, number> = { condition: 0, analyte: 1, trigger: 2, histology: 3, laterality: 4, part: 5, gene: 6, result: 7 };

const alnum = (s: string): string => s.replace(/[^\p{L}\p{N}]/gu, '');

function languageOk(e: Entry, lang: Language): boolean {
  return e.lang === 'any' || e.lang === lang || crossLanguage(e.layer);
}

function suffixOk(e: Entry, rest: string): boolean {
  if (e.caseSensitive) return false;
  if (e.lang === 'de') return DE_SUFFIXES.has(rest);
  // English plurals of longer terms (deposit|s, neuropathie|s)
  return rest === 's' && e.surface.length >= 4 && e.layer !== 'trigger';
}

/** Letters and digits of each case-sensitive surface ("PE", "CA-125"): terms of the dictionary, so a bounded set. */
const SURFACE_ALNUM = new Map<string, string>();

function surfaceAlnum(surface: string): string {
  let a = SURFACE_ALNUM.get(surface);
  if (a === undefined) { a = alnum(surface); SURFACE_ALNUM.set(surface, a); }
  return a;
}

/** A token written in ASCII letters and digits only (nearly all): its raw text is already what `alnum` would give. */
function plainAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57))) return false;
  }
  return true;
}

// case-sensitive terms (abbreviations: "PE", "ER") are common words' neighbours: this runs for many tokens of a note
function caseOk(e: Entry, tokens: Token[], from: number, to: number): boolean {
  if (!e.caseSensitive) return true;
  const one = tokens[from].raw;
  if (from === to && plainAscii(one)) return one === surfaceAlnum(e.surface);
  let raw = '';
  for (let i = from; i <= to; i++) raw += tokens[i].raw;
  return alnum(raw) === surfaceAlnum(e.surface);
}

/**
 * A trigger written as one word matches one token only: the trie walks across soft separators, so the
 * tokens of 'mg/m2' would otherwise spell the family trigger 'mgm' (maternal grandmother).
 */
function oneWordOk(e: Entry, from: number, to: number): boolean {
  return from === to || e.layer !== 'trigger' || /[^\p{L}\p{N}]/u.test(e.surface);
}

/**
 * Collects the candidate hits straight into matches, one per layer and token span, in the order each span was first
 * hit (a candidate object and array per hit were most of the matcher's garbage).
 */
class Matches {
  private readonly byKey = new Map<number, Match>();

  constructor(private readonly tokens: Token[]) {}

  add(entry: Entry, from: number, to: number): void {
    const key = (LAYER_INDEX[entry.layer] * 1048576 + from) * 1024 + (to - from);
    let m = this.byKey.get(key);
    if (!m) {
      m = { layer: entry.layer, entries: [], startTok: from, endTok: to, start: this.tokens[from].start, end: this.tokens[to].end };
      this.byKey.set(key, m);
    }
    if (!m.entries.includes(entry)) m.entries.push(entry);
  }

  all(): Match[] {
    return [...this.byKey.values()];
  }
}

interface Walk { trie: CompiledTrie<Entry>; tokens: Token[]; from: number; lang: Language; out: Matches }

/**
 * Feeds token j into the trie from `node`. In German notes an inflection ending may also close an inner word of a
 * multi-word term ("febrilen Neutropenie" for "febrile Neutropenie"), so the walk may branch there.
 */
function walkToken(w: Walk, j: number, start: number): void {
  const { tokens, from, lang, out } = w;
  if (j >= tokens.length || j >= from + MAX_TOKENS || (j > from && tokens[j].sep === 'hard')) return;
  const { trie } = w;
  const { entries, hasNext } = trie;
  const word = tokens[j].norm;
  const last = word.length - 1;
  let node = start;
  for (let k = 0; k <= last; k++) {
    node = step(trie, node, slotOf(word.charCodeAt(k)));
    if (node === 0) return;
    // inflection endings are at most two letters: only then is the rest of the word worth a look
    if (k === last || last - k > 2) continue;
    const here = entries[node];
    if (here === undefined && (lang !== 'de' || hasNext[node] === 0)) continue;
    const rest = word.slice(k + 1);
    if (here) for (const e of here) if (languageOk(e, lang) && suffixOk(e, rest) && oneWordOk(e, from, j)) out.add(e, from, j);
    // only where a word of the term ends: "Hämoglobi|n" + the "n" of "n.a." is no inflected "Hämoglobin"
    if (lang === 'de' && w.trie.wordEnd[node] === 1 && DE_SUFFIXES.has(rest)) walkToken(w, j + 1, node);
  }
  const here = entries[node];
  if (here) for (const e of here) if (languageOk(e, lang) && caseOk(e, tokens, from, j) && oneWordOk(e, from, j)) out.add(e, from, j);
  if (hasNext[node] === 1) walkToken(w, j + 1, node);
}

/** Walks from every token that may start a term (one Walk reused: this runs once per token of every note). */
function collectAll(trie: CompiledTrie<Entry>, tokens: Token[], lang: Language, out: Matches): void {
  const w: Walk = { trie, tokens, from: 0, lang, out };
  for (let i = 0; i < tokens.length; i++) {
    // a term starts at the start of a word, never after a letter/digit split inside it (g|BRCA1)
    if (tokens[i].sep === 'none') continue;
    const first = tokens[i].norm;
    // most words start no term: skip them without entering the walk
    if (first && step(trie, 0, slotOf(first.charCodeAt(0))) === 0) continue;
    w.from = i;
    walkToken(w, i, 0);
  }
}

function collectHeads(dict: Dictionary, tokens: Token[], out: Matches): void {
  const shortest = dict.heads.reduce((m, h) => Math.min(m, h.head.length), Infinity);
  for (let i = 0; i < tokens.length; i++) {
    const w = tokens[i].norm;
    if (w.length < shortest + 3) continue;
    for (const { head, entry } of dict.heads) {
      if (w.length < head.length + 3) continue;
      const at = w.lastIndexOf(head);
      if (at < 3) continue;
      const rest = w.slice(at + head.length);
      if (rest === '' || DE_SUFFIXES.has(rest)) out.add(entry, i, i);
    }
  }
}

/** Keeps, per layer, the longest non-overlapping matches (ties: the earlier one). */
function resolve(matches: Match[], tokenCount: number): Match[] {
  const sorted = matches.sort((a, b) =>
    (b.endTok - b.startTok) - (a.endTok - a.startTok) || (b.end - b.start) - (a.end - a.start) || a.start - b.start);
  const taken = new Map<Layer, Uint8Array>();
  const kept: Match[] = [];
  for (const m of sorted) {
    let used = taken.get(m.layer);
    if (!used) {
      used = new Uint8Array(tokenCount);
      taken.set(m.layer, used);
    }
    let free = true;
    for (let t = m.startTok; t <= m.endTok && free; t++) free = used[t] === 0;
    if (!free) continue;
    used.fill(1, m.startTok, m.endTok + 1);
    kept.push(m);
  }
  return kept.sort((a, b) => a.start - b.start || LAYER_INDEX[a.layer] - LAYER_INDEX[b.layer]);
}

/** Every dictionary match in the note, longest-first per layer, sorted by position. */
export function findMatches(dict: Dictionary, tokens: Token[], lang: Language): Match[] {
  const cands = new Matches(tokens);
  collectAll(dict.trie, tokens, lang, cands);
  collectHeads(dict, tokens, cands);
  return resolve(cands.all(), tokens.length);
}
