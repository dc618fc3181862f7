/** Translating a code through ConceptMaps (forward, or `reverse` from target to source) — the core of $translate. Pure. */
import type { Coding, ConceptMap } from 'fhir/r4';

export type Equivalence = NonNullable<NonNullable<NonNullable<ConceptMap['group']>[number]['element']>[number]['target']>[number]['equivalence'];

export interface TranslateMatch {
  equivalence: Equivalence;
  concept: Coding;
  /** The ConceptMap's canonical URL (or `ConceptMap/id`). */
  source: string;
  comment?: string;
}

export interface TranslateRequest {
  system?: string;
  code: string;
  /** Only matches into this system. */
  targetSystem?: string;
  /** The source/target ValueSet a map must declare, when given. */
  sourceScope?: string;
  targetScope?: string;
  reverse: boolean;
}

/** Seen from the target side, a narrower target means a wider source, and so on. */
const REVERSED: Partial<Record<Equivalence, Equivalence>> = { narrower: 'wider', wider: 'narrower', subsumes: 'specializes', specializes: 'subsumes' };

const scopeOf = (m: ConceptMap, side: 'source' | 'target'): string | undefined =>
  side === 'source' ? m.sourceUri ?? m.sourceCanonical : m.targetUri ?? m.targetCanonical;

function mapFits(m: ConceptMap, r: TranslateRequest): boolean {
  const [from, to] = r.reverse ? (['target', 'source'] as const) : (['source', 'target'] as const);
  if (r.sourceScope !== undefined && scopeOf(m, from) !== r.sourceScope) return false;
  return r.targetScope === undefined || scopeOf(m, to) === r.targetScope;
}

function forward(m: ConceptMap, r: TranslateRequest, name: string, out: TranslateMatch[]): void {
  for (const g of m.group ?? []) {
    if (r.system !== undefined && g.source !== undefined && g.source !== r.system) continue;
    if (r.targetSystem !== undefined && g.target !== r.targetSystem) continue;
    for (const e of g.element ?? []) {
      if (e.code !== r.code) continue;
      for (const t of e.target ?? []) {
        const concept: Coding = { ...(g.target ? { system: g.target } : {}), ...(g.targetVersion ? { version: g.targetVersion } : {}), ...(t.code ? { code: t.code } : {}), ...(t.display ? { display: t.display } : {}) };
        out.push({ equivalence: t.equivalence, concept, source: name, ...(t.comment ? { comment: t.comment } : {}) });
      }
    }
  }
}

function backward(m: ConceptMap, r: TranslateRequest, name: string, out: TranslateMatch[]): void {
  for (const g of m.group ?? []) {
    if (r.system !== undefined && g.target !== undefined && g.target !== r.system) continue;
    if (r.targetSystem !== undefined && g.source !== r.targetSystem) continue;
    for (const e of g.element ?? []) {
      for (const t of e.target ?? []) {
        if (t.code !== r.code) continue;
        const concept: Coding = { ...(g.source ? { system: g.source } : {}), ...(g.sourceVersion ? { version: g.sourceVersion } : {}), ...(e.code ? { code: e.code } : {}), ...(e.display ? { display: e.display } : {}) };
        out.push({ equivalence: REVERSED[t.equivalence] ?? t.equivalence, concept, source: name, ...(t.comment ? { comment: t.comment } : {}) });
      }
    }
  }
}

/** Every match of the code in the maps that fit the request. */
export function translate(maps: ConceptMap[], r: TranslateRequest): TranslateMatch[] {
  const out: TranslateMatch[] = [];
  for (const m of maps) {
    if (!mapFits(m, r)) continue;
    const name = m.url ?? (m.id ? `ConceptMap/${m.id}` : 'ConceptMap');
    (r.reverse ? backward : forward)(m, r, name, out);
  }
  return out;
}

/** $translate's `result`: some match that is not unmatched/disjoint. */
export const isPositive = (m: TranslateMatch): boolean => m.equivalence !== 'unmatched' && m.equivalence !== 'disjoint';
