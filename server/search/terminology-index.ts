/**
 * An in-memory index of one CodeSystem version: concepts by code (nested ones flattened), their
 * properties and designations, and the is-a hierarchy (nesting and `parent`/`child` properties).
 * Built once per stored version and cached (terminology-cache.ts). Pure.
 */
import type { CodeSystem, CodeSystemConcept, CodeSystemConceptDesignation, CodeSystemConceptProperty } from 'fhir/r4';
import { closure, hierarchyOf, type Hierarchy } from './code-hierarchy';

export interface ConceptEntry {
  code: string;
  display?: string;
  definition?: string;
  designation: CodeSystemConceptDesignation[];
  /** The concept's own properties as written (parent/child included). */
  properties: CodeSystemConceptProperty[];
}

export interface CodeSystemIndex {
  url: string;
  version?: string;
  name?: string;
  /** `CodeSystem/id/versionId` of the stored version it was built from (cache key); undefined for unsaved input. */
  stamp?: string;
  caseSensitive: boolean;
  /** Every concept, in document order (depth first). */
  concepts: Map<string, ConceptEntry>;
  /** Lower-cased code → code, for case-insensitive systems. */
  folded?: Map<string, string>;
  hierarchy: Hierarchy;
  /** Definitions of the system's properties (for $lookup descriptions and value types). */
  propertyTypes: Map<string, { type: string; description?: string }>;
}

function flatten(list: CodeSystemConcept[], into: Map<string, ConceptEntry>): void {
  for (const c of list) {
    if (typeof c.code !== 'string' || c.code === '') continue;
    if (!into.has(c.code)) {
      into.set(c.code, {
        code: c.code,
        ...(typeof c.display === 'string' ? { display: c.display } : {}),
        ...(typeof c.definition === 'string' ? { definition: c.definition } : {}),
        designation: Array.isArray(c.designation) ? c.designation : [],
        properties: Array.isArray(c.property) ? c.property : [],
      });
    }
    if (Array.isArray(c.concept)) flatten(c.concept, into);
  }
}

/** Builds the index of a CodeSystem (a stored one passes its `stamp`). */
export function indexCodeSystem(cs: CodeSystem, stamp?: string): CodeSystemIndex {
  const concepts = new Map<string, ConceptEntry>();
  const list = Array.isArray(cs.concept) ? cs.concept : [];
  flatten(list, concepts);
  const caseSensitive = cs.caseSensitive !== false;
  const propertyTypes = new Map<string, { type: string; description?: string }>();
  for (const p of cs.property ?? []) if (typeof p.code === 'string') propertyTypes.set(p.code, { type: p.type, ...(p.description ? { description: p.description } : {}) });
  return {
    url: cs.url ?? '',
    ...(cs.version ? { version: cs.version } : {}),
    ...(cs.name ? { name: cs.name } : {}),
    ...(stamp ? { stamp } : {}),
    caseSensitive,
    concepts,
    ...(caseSensitive ? {} : { folded: new Map([...concepts.keys()].map((c) => [c.toLowerCase(), c])) }),
    hierarchy: hierarchyOf(list),
    propertyTypes,
  };
}

/** The concept with this code (case-insensitively when the system says so). */
export function findConcept(idx: CodeSystemIndex, code: string): ConceptEntry | undefined {
  const exact = idx.concepts.get(code);
  if (exact || !idx.folded) return exact;
  const real = idx.folded.get(code.toLowerCase());
  return real === undefined ? undefined : idx.concepts.get(real);
}

/** The code and everything below it (`self`) or only below it. */
export function descendants(idx: CodeSystemIndex, code: string, self: boolean): Set<string> {
  return closure(idx.hierarchy.children, [code], self);
}

export function ancestors(idx: CodeSystemIndex, code: string, self: boolean): Set<string> {
  return closure(idx.hierarchy.parents, [code], self);
}

export type Subsumption = 'equivalent' | 'subsumes' | 'subsumed-by' | 'not-subsumed';

/** How code A relates to code B in the system's is-a hierarchy (both must be in the index). */
export function subsumption(idx: CodeSystemIndex, a: string, b: string): Subsumption {
  if (a === b) return 'equivalent';
  const aAboveB = descendants(idx, a, false).has(b);
  const bAboveA = descendants(idx, b, false).has(a);
  if (aAboveB && bAboveA) return 'equivalent'; // a cycle: each is-a the other
  if (aAboveB) return 'subsumes';
  if (bAboveA) return 'subsumed-by';
  return 'not-subsumed';
}

/** A property value as the text a `=`/`in` filter compares with. */
export function propertyText(p: CodeSystemConceptProperty): string | undefined {
  if (p.valueCode !== undefined) return p.valueCode;
  if (p.valueString !== undefined) return p.valueString;
  if (p.valueCoding?.code !== undefined) return p.valueCoding.code;
  if (p.valueBoolean !== undefined) return String(p.valueBoolean);
  if (p.valueInteger !== undefined) return String(p.valueInteger);
  if (p.valueDecimal !== undefined) return String(p.valueDecimal);
  return p.valueDateTime;
}

/** Codes whose property `property` has one of `values` (`parent`/`child` answered from the hierarchy). */
export function codesWithProperty(idx: CodeSystemIndex, property: string, values: string[]): Set<string> {
  const wanted = new Set(values);
  const out = new Set<string>();
  if (property === 'parent' || property === 'child') {
    const edges = property === 'parent' ? idx.hierarchy.children : idx.hierarchy.parents;
    for (const v of wanted) for (const c of edges.get(v) ?? []) out.add(c);
    return out;
  }
  for (const entry of idx.concepts.values()) {
    if (property === 'display' ? wanted.has(entry.display ?? '') : entry.properties.some((p) => p.code === property && wanted.has(propertyText(p) ?? '\u0000'))) out.add(entry.code);
  }
  return out;
}

/** Rough weight of an index for the cache's size bound (about one unit per concept and edge). */
export function indexWeight(idx: CodeSystemIndex): number {
  let edges = 0;
  for (const s of idx.hierarchy.children.values()) edges += s.size;
  return 1 + idx.concepts.size + edges;
}
