/** Parses the result-control parameters: _count, _total, _sort, _include/_revinclude, _type. */
import type { IncludeSpec, SearchTotalMode, SortKey } from './types';
import type { SearchRegistry } from './registry';
import { badRequest } from '../core/fhir-error';

/** Sort keys answered by resource-table columns rather than index rows. */
export const COLUMN_SORTS = new Set(['_id', '_lastUpdated']);
const SORTABLE_TYPES = new Set(['date', 'string', 'token', 'number', 'quantity', 'uri', 'reference']);
/** Parameters with no index rows to sort on (full text, named queries). */
const UNSORTABLE = new Set(['_text', '_content', '_query']);

export function parseCount(raw: string, max: number): number {
  if (!/^\d+$/.test(raw)) throw badRequest(`Invalid _count '${raw}': expected a non-negative integer`, ['_count']);
  return Math.min(Number(raw), max);
}

export function parseTotal(raw: string): SearchTotalMode {
  if (raw === 'none' || raw === 'estimate' || raw === 'accurate') return raw;
  throw badRequest(`Invalid _total '${raw}': expected none, estimate or accurate`, ['_total']);
}

/** `_sort=-date,status`; every key must be sortable on every searched type. Unknown → callback. */
export function parseSort(registry: SearchRegistry, types: string[], raw: string, unknown: (code: string) => void): SortKey[] {
  const keys: SortKey[] = [];
  for (const part of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
    const descending = part.startsWith('-');
    const code = descending ? part.slice(1) : part;
    if (!COLUMN_SORTS.has(code)) {
      const defs = types.map((t) => registry.get(t, code));
      if (defs.some((d) => !d)) {
        unknown(code);
        continue;
      }
      if (UNSORTABLE.has(code) || defs.some((d) => d && !SORTABLE_TYPES.has(d.type))) throw badRequest(`Cannot sort by '${code}'`, ['_sort']);
    }
    keys.push({ param: code, descending });
  }
  return keys;
}

/** `_include=Observation:subject[:Patient]`, `Observation:*`, `*` (with :iterate / :recurse). */
export function parseInclude(registry: SearchRegistry, name: string, raw: string, iterate: boolean): IncludeSpec {
  if (raw === '*') return { sourceType: '*', param: '*', iterate, wildcard: true };
  const [sourceType, param, targetType, extra] = raw.split(':');
  if (extra !== undefined || !sourceType || !param) throw badRequest(`Invalid ${name} '${raw}': expected Type:param[:TargetType]`, [name]);
  if (!registry.isResourceType(sourceType)) throw badRequest(`Unknown resource type '${sourceType}' in ${name}`, [name]);
  if (targetType !== undefined && !registry.isResourceType(targetType)) throw badRequest(`Unknown resource type '${targetType}' in ${name}`, [name]);
  if (param === '*') return { sourceType, param, iterate, wildcard: true, ...(targetType ? { targetType } : {}) };
  const def = registry.get(sourceType, param);
  if (!def || def.type !== 'reference') throw badRequest(`'${param}' is not a reference parameter of ${sourceType} (${name})`, [name]);
  return { sourceType, param, iterate, wildcard: false, ...(targetType ? { targetType } : {}) };
}

/**
 * `_contained=false|true|both` and `_containedType=container|contained` (search.html#contained):
 * the mode (undefined for false) and whether the contained resources themselves are returned.
 */
export function parseContained(contained: string | undefined, containedType: string | undefined): { mode?: 'true' | 'both'; returnContained: boolean } {
  if (containedType !== undefined && containedType !== 'container' && containedType !== 'contained') {
    throw badRequest(`Invalid _containedType '${containedType}': expected container or contained`, ['_containedType']);
  }
  if (contained === undefined || contained === 'false') return { returnContained: false };
  if (contained !== 'true' && contained !== 'both') throw badRequest(`Invalid _contained '${contained}': expected false, true or both`, ['_contained']);
  return { mode: contained, returnContained: containedType === 'contained' };
}

/** `_type=Patient,Practitioner` for system search. */
export function parseTypes(registry: SearchRegistry, raw: string): string[] {
  const types = raw.split(',').map((s) => s.trim()).filter(Boolean);
  for (const t of types) if (!registry.isResourceType(t)) throw badRequest(`Unknown resource type '${t}' in _type`, ['_type']);
  return types;
}
