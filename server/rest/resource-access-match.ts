/**
 * Does a resource satisfy a SMART v2 query restriction (`category=laboratory`)? Answered from the
 * resource's own search index values, so it agrees with what search would find. (Patient compartments
 * are enforced by the store: search/patient-compartment.ts, store/search/row-restriction.ts.)
 */
import type { Resource } from 'fhir/r4';
import type { SearchRegistry } from '../search/registry';
import type { IndexValues } from '../search/types';

function tokenMatches(values: IndexValues, param: string, value: string): boolean {
  const bar = value.indexOf('|');
  const system = bar < 0 ? undefined : value.slice(0, bar);
  const code = bar < 0 ? value : value.slice(bar + 1);
  return values.token.some((t) => t.param === param
    && (code === '' || t.code === code)
    && (system === undefined || (system === '' ? t.system === null : t.system === system)));
}

/** One name=value pair, for the parameter types a restriction sensibly uses; others never match (deny). */
function pairMatches(registry: SearchRegistry, resource: Resource, values: IndexValues, name: string, value: string): boolean {
  const def = registry.get(resource.resourceType, name);
  if (!def || value === '') return false;
  switch (def.type) {
    case 'token': return tokenMatches(values, name, value);
    case 'string': return values.string.some((s) => s.param === name && s.norm.startsWith(value.toLowerCase()));
    case 'uri': return values.uri.some((u) => u.param === name && u.value === value);
    case 'reference': {
      const [t, id] = value.includes('/') ? value.split('/', 2) : [undefined, value];
      return values.reference.some((r) => r.param === name && r.targetId === id && (t === undefined || r.targetType === t));
    }
    default: return false;
  }
}

/** True when the resource satisfies at least one restriction (all of its pairs). */
export function matchesRestrictions(registry: SearchRegistry, resource: Resource, restrictions: [string, string][][], values?: IndexValues): boolean {
  const v = values ?? registry.extract(resource);
  return restrictions.some((pairs) => pairs.every(([n, val]) => pairMatches(registry, resource, v, n, val)));
}

/** True when a search's own parameters already impose one of the restrictions (every pair present verbatim). */
export function searchImposesRestriction(query: readonly [string, string][], restrictions: [string, string][][]): boolean {
  return restrictions.some((pairs) => pairs.every(([n, v]) => query.some(([qn, qv]) => qn === n && qv.split(',').every((x) => x === v))));
}
