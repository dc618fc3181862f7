/**
 * The dictionary trie over folded terms and its compact form for matching. Only [a-z0-9] occur in a folded term, so a
 * child sits in one of 36 slots (see `slotOf`).
 */
/** E: what a term ending at the node stands for (the dictionary's entries). */
export interface TrieNode<E> {
  next?: Array<TrieNode<E> | undefined>;
  entries?: E[];
  /** A word of some term ends here and another word follows ("febrile" in "febrile Neutropenie"). */
  wordEnd?: boolean;
}

export const TRIE_SLOTS = 36;

/** Child slot of a folded character code: a–z → 0–25, 0–9 → 26–35, anything else → -1. */
export function slotOf(code: number): number {
  if (code >= 97 && code <= 122) return code - 97;
  if (code >= 48 && code <= 57) return code - 22;
  return -1;
}

/** Nodes with more children than this get a dense 36-slot row; the rest list their children. */
const DENSE_AFTER = 4;

/**
 * The trie compiled for matching: node ids in depth-first order (the root is node 0 and never a child, so 0 = none),
 * the entries ending at each node and whether any term goes on from it. A full 36-slot row per node made a 5 MB table
 * whose every step was a cache miss; five in six nodes have one child, so nodes list their children (slot, child) in
 * flat typed arrays and only the few wide nodes near the root keep a dense row. Depth-first ids put a chain of
 * one-child nodes next to each other in memory.
 */
export interface CompiledTrie<E> {
  /** Children of node n are edges first[n] .. first[n+1]-1: their slots in `label`, their ids in `child`. */
  first: Int32Array;
  label: Uint8Array;
  child: Int32Array;
  /** Row of node n in `dense` (36 child ids each), or -1 when it lists its children. */
  denseRow: Int32Array;
  dense: Int32Array;
  entries: Array<E[] | undefined>;
  hasNext: Uint8Array;
  /** 1 where a word of a multi-word term ends: only there may a German inflection ending close the word. */
  wordEnd: Uint8Array;
}

/** Child of `node` at `slot` (0 = none). */
export function step<E>(t: CompiledTrie<E>, node: number, slot: number): number {
  if (slot < 0) return 0;
  const row = t.denseRow[node];
  if (row >= 0) return t.dense[row * TRIE_SLOTS + slot];
  const end = t.first[node + 1];
  for (let e = t.first[node]; e < end; e++) if (t.label[e] === slot) return t.child[e];
  return 0;
}

function depthFirst<E>(root: TrieNode<E>): Array<TrieNode<E>> {
  const nodes: Array<TrieNode<E>> = [];
  const stack: Array<TrieNode<E>> = [root];
  while (stack.length) {
    const n = stack.pop() as TrieNode<E>;
    nodes.push(n);
    const next = n.next ?? [];
    for (let s = next.length - 1; s >= 0; s--) { const c = next[s]; if (c) stack.push(c); }
  }
  return nodes;
}

export function compileTrie<E>(root: TrieNode<E>): CompiledTrie<E> {
  const nodes = depthFirst(root);
  const id = new Map(nodes.map((n, i) => [n, i]));
  const kids = nodes.map((n) => (n.next ?? []).flatMap((c, slot) => (c ? [[slot, id.get(c) ?? 0] as const] : [])));
  const edges = kids.reduce((s, k) => s + k.length, 0);
  const t: CompiledTrie<E> = {
    first: new Int32Array(nodes.length + 1), label: new Uint8Array(edges), child: new Int32Array(edges),
    denseRow: new Int32Array(nodes.length).fill(-1), dense: new Int32Array(kids.filter((k) => k.length > DENSE_AFTER).length * TRIE_SLOTS),
    entries: nodes.map((n) => n.entries), hasNext: new Uint8Array(nodes.length), wordEnd: new Uint8Array(nodes.length),
  };
  let e = 0;
  let rows = 0;
  kids.forEach((k, i) => {
    t.first[i] = e;
    if (k.length) t.hasNext[i] = 1;
    if (nodes[i].wordEnd) t.wordEnd[i] = 1;
    if (k.length > DENSE_AFTER) t.denseRow[i] = rows++;
    for (const [slot, c] of k) {
      t.label[e] = slot;
      t.child[e++] = c;
      if (t.denseRow[i] >= 0) t.dense[t.denseRow[i] * TRIE_SLOTS + slot] = c;
    }
  });
  t.first[nodes.length] = e;
  return t;
}
