/**
 * mappings/ seeds the catalogue; a hospital extends it through the API. At start the sync writes the seed
 * merged with what was added to the stored version — concepts, designations and properties of the concept
 * CodeSystem, elements and targets of the catalogue ConceptMaps — so a restart never drops an extension.
 * (Removing a seeded synonym is done in mappings/, not through the API: the seed comes back.) Pure.
 */
import type { CodeSystem, CodeSystemConcept, ConceptMap, ConceptMapGroup, Resource } from 'fhir/r4';
import type { CatalogueResource } from './catalogue-resources';

/** JSON with keys sorted, so equal content compares equal whatever the key order (jsonb reorders keys). */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

const key = canonical;

function union<T>(mine: T[] | undefined, theirs: T[] | undefined, id: (x: T) => string = key): T[] | undefined {
  const out = [...(mine ?? [])];
  const seen = new Set(out.map(id));
  for (const x of theirs ?? []) if (!seen.has(id(x))) { seen.add(id(x)); out.push(x); }
  return out.length ? out : undefined;
}

function mergeConcepts(generated: CodeSystemConcept[], stored: CodeSystemConcept[]): CodeSystemConcept[] {
  const byCode = new Map(stored.map((c) => [c.code, c]));
  const known = new Set(generated.map((c) => c.code));
  const merged = generated.map((g) => {
    const s = byCode.get(g.code);
    if (!s) return g;
    const designation = union(g.designation, s.designation);
    const property = union(g.property, s.property);
    const concept = g.concept || s.concept ? mergeConcepts(g.concept ?? [], s.concept ?? []) : undefined;
    return { ...g, ...(designation ? { designation } : {}), ...(property ? { property } : {}), ...(concept?.length ? { concept } : {}) };
  });
  return [...merged, ...stored.filter((c) => !known.has(c.code))];
}

const countOf = (list: CodeSystemConcept[] | undefined): number => (list ?? []).reduce((n, c) => n + 1 + countOf(c.concept), 0);

function mergeGroups(generated: ConceptMapGroup[], stored: ConceptMapGroup[]): ConceptMapGroup[] {
  const groupKey = (g: ConceptMapGroup): string => `${g.source ?? ''}|${g.target ?? ''}`;
  const storedBy = new Map(stored.map((g) => [groupKey(g), g]));
  const merged = generated.map((g) => {
    const s = storedBy.get(groupKey(g));
    if (!s) return g;
    const elements = new Map((s.element ?? []).map((e) => [e.code, e]));
    const known = new Set((g.element ?? []).map((e) => e.code));
    const element = [
      ...(g.element ?? []).map((e) => ({ ...e, ...(elements.get(e.code) ? { target: union(e.target, elements.get(e.code)?.target, (t) => t.code ?? key(t)) } : {}) })),
      ...(s.element ?? []).filter((e) => !known.has(e.code)),
    ];
    return { ...g, element };
  });
  const known = new Set(generated.map(groupKey));
  return [...merged, ...stored.filter((g) => !known.has(groupKey(g)))];
}

/** The generated resource with the stored version's additions kept (resources the API cannot extend pass unchanged). */
export function withStoredAdditions(generated: CatalogueResource, stored: Resource | undefined, extensible: ReadonlySet<string>): CatalogueResource {
  if (!stored || stored.resourceType !== generated.resourceType || !extensible.has(`${generated.resourceType}/${generated.id}`)) return generated;
  if (generated.resourceType === 'CodeSystem') {
    const concept = mergeConcepts(generated.concept ?? [], (stored as CodeSystem).concept ?? []);
    return { ...generated, concept, count: countOf(concept) };
  }
  if (generated.resourceType === 'ConceptMap') return { ...generated, group: mergeGroups(generated.group ?? [], (stored as ConceptMap).group ?? []) };
  return generated;
}
