/** Longest-match dictionary lookup over tokens: walks the folded trie across soft separators, per layer. */
import type { Language } from '../finding';
import type { Token } from '../text/normalize';
import { slotOf, TRIE_SLOTS, type CompiledTrie, type Dictionary, type Entry, type Layer } from './dictionary';

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
/** Layers whose terms are distinctive enough to match in a note of either language. */
const CROSS_LANGUAGE: ReadonlySet<Layer> = new Set<Layer>(['condition', 'analyte', 'histology']);
const MAX_TOKENS = 9;
const LAYER_INDEX: Record<Layer, number> = { condition: 0, analyte: 1, trigger: 2, histology: 3, laterality: 4, part: 5, gene: 6, result: 7 };

const alnum = (s: string): string => s.replace(/[^\p{L}\p{N}]/gu, '');

function languageOk(e: Entry, lang: Language): boolean {
  return e.lang === 'any' || e.lang === lang || CROSS_LANGUAGE.has(e.layer);
}

function suffixOk(e: Entry, rest: string): boolean {
  if (e.caseSensitive) return false;
  if (e.lang === 'de') return DE_SUFFIXES.has(rest);
  // English plurals of longer terms (deposit|s, neuropathie|s)
  return rest === 's' && e.surface.length >= 4 && e.layer !== 'trigger';
}

function caseOk(e: Entry, tokens: Token[], from: number, to: number): boolean {
  if (!e.caseSensitive) return true;
  let raw = '';
  for (let i = from; i <= to; i++) raw += tokens[i].raw;
  return alnum(raw) === alnum(e.surface);
}

interface Candidate { entry: Entry; from: number; to: number }

interface Walk { trie: CompiledTrie; tokens: Token[]; from: number; lang: Language; out: Candidate[] }

/**
 * Feeds token j into the trie from `node`. In German notes an inflection ending may also close an inner word of a
 * multi-word term ("febrilen Neutropenie" for "febrile Neutropenie"), so the walk may branch there.
 */
function walkToken(w: Walk, j: number, start: number): void {
  const { tokens, from, lang, out } = w;
  if (j >= tokens.length || j >= from + MAX_TOKENS || (j > from && tokens[j].sep === 'hard')) return;
  const { trans, entries, hasNext } = w.trie;
  const word = tokens[j].norm;
  const last = word.length - 1;
  let node = start;
  for (let k = 0; k <= last; k++) {
    node = trans[node * TRIE_SLOTS + slotOf(word.charCodeAt(k))];
    if (node === 0) return;
    // inflection endings are at most two letters: only then is the rest of the word worth a look
    if (k === last || last - k > 2) continue;
    const here = entries[node];
    if (here === undefined && (lang !== 'de' || hasNext[node] === 0)) continue;
    const rest = word.slice(k + 1);
    if (here) for (const e of here) if (languageOk(e, lang) && suffixOk(e, rest)) out.push({ entry: e, from, to: j });
    if (lang === 'de' && hasNext[node] === 1 && DE_SUFFIXES.has(rest)) walkToken(w, j + 1, node);
  }
  const here = entries[node];
  if (here) for (const e of here) if (languageOk(e, lang) && caseOk(e, tokens, from, j)) out.push({ entry: e, from, to: j });
  if (hasNext[node] === 1) walkToken(w, j + 1, node);
}

/** Walks from every token that may start a term (one Walk reused: this runs once per token of every note). */
function collectAll(trie: CompiledTrie, tokens: Token[], lang: Language, out: Candidate[]): void {
  const w: Walk = { trie, tokens, from: 0, lang, out };
  for (let i = 0; i < tokens.length; i++) {
    // a term starts at the start of a word, never after a letter/digit split inside it (g|BRCA1)
    if (tokens[i].sep === 'none') continue;
    const first = tokens[i].norm;
    // most words start no term: skip them without entering the walk
    if (first && trie.trans[slotOf(first.charCodeAt(0))] === 0) continue;
    w.from = i;
    walkToken(w, i, 0);
  }
}

function collectHeads(dict: Dictionary, tokens: Token[], out: Candidate[]): void {
  const shortest = dict.heads.reduce((m, h) => Math.min(m, h.head.length), Infinity);
  for (let i = 0; i < tokens.length; i++) {
    const w = tokens[i].norm;
    if (w.length < shortest + 3) continue;
    for (const { head, entry } of dict.heads) {
      if (w.length < head.length + 3) continue;
      const at = w.lastIndexOf(head);
      if (at < 3) continue;
      const rest = w.slice(at + head.length);
      if (rest === '' || DE_SUFFIXES.has(rest)) out.push({ entry, from: i, to: i });
    }
  }
}

function group(cands: Candidate[], tokens: Token[]): Match[] {
  const byKey = new Map<number, Match>();
  for (const c of cands) {
    const key = (LAYER_INDEX[c.entry.layer] * 1048576 + c.from) * 1024 + (c.to - c.from);
    let m = byKey.get(key);
    if (!m) {
      m = { layer: c.entry.layer, entries: [], startTok: c.from, endTok: c.to, start: tokens[c.from].start, end: tokens[c.to].end };
      byKey.set(key, m);
    }
    if (!m.entries.includes(c.entry)) m.entries.push(c.entry);
  }
  return [...byKey.values()];
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
  const cands: Candidate[] = [];
  collectAll(dict.trie, tokens, lang, cands);
  collectHeads(dict, tokens, cands);
  return resolve(group(cands, tokens), tokens.length);
}
