/** The is-a hierarchy of a CodeSystem's concepts: nesting (concept.concept) and `parent`/`child` properties. */
import type { CodeSystemConcept } from 'fhir/r4';

export interface Hierarchy {
  parents: Map<string, Set<string>>;
  children: Map<string, Set<string>>;
}

function link(h: Hierarchy, parent: string, child: string): void {
  (h.children.get(parent) ?? h.children.set(parent, new Set()).get(parent))?.add(child);
  (h.parents.get(child) ?? h.parents.set(child, new Set()).get(child))?.add(parent);
}

export function hierarchyOf(concepts: CodeSystemConcept[]): Hierarchy {
  const h: Hierarchy = { parents: new Map(), children: new Map() };
  const walk = (list: CodeSystemConcept[], parent?: string): void => {
    for (const c of list) {
      if (!c.code) continue;
      if (parent) link(h, parent, c.code);
      for (const p of c.property ?? []) {
        if (p.code === 'parent' && p.valueCode) link(h, p.valueCode, c.code);
        if (p.code === 'child' && p.valueCode) link(h, c.code, p.valueCode);
      }
      if (c.concept) walk(c.concept, c.code);
    }
  };
  walk(concepts);
  return h;
}

/** Every code reachable from `start` along `edges` (cycles are safe); the start codes too when `self`. */
export function closure(edges: Map<string, Set<string>>, start: string[], self: boolean): Set<string> {
  const out = new Set<string>(self ? start : []);
  const queue = [...start];
  const seen = new Set(start);
  while (queue.length) {
    const code = queue.shift() as string;
    for (const next of edges.get(code) ?? []) {
      if (seen.has(next)) continue;
      seen.add(next);
      out.add(next);
      queue.push(next);
    }
  }
  return out;
}
