/**
 * Index rows of contained resources (R4 search.html "contained"): written with their container's
 * rows, each parameter renamed `#Type:code` and the rows of one contained resource sharing a group
 * number, so that `_contained=true` can match criteria within one contained resource. Composite
 * component rows are left out (composites are not searched inside contained resources).
 */
import type { Resource } from 'fhir/r4';
import type { IndexValues } from './types';

/** The parameter name under which a contained resource's `code` rows are stored. */
export const containedParam = (resourceType: string, code: string): string => `#${resourceType}:${code}`;

/** Contained resources beyond this many per container are not indexed (they stay in the content). */
export const MAX_CONTAINED = 100;

type RowKind = Exclude<keyof IndexValues, 'content' | 'narrative'>;
const KINDS: RowKind[] = ['token', 'string', 'reference', 'date', 'number', 'quantity', 'uri'];

/** The contained resources that get index rows: the first MAX_CONTAINED objects with a resourceType. */
export function containedResources(resource: Resource): Resource[] {
  const contained = (resource as { contained?: unknown }).contained;
  if (!Array.isArray(contained)) return [];
  return contained.slice(0, MAX_CONTAINED).filter((r: unknown): r is Resource => !!r && typeof r === 'object' && typeof (r as Resource).resourceType === 'string');
}

/**
 * Appends to `values` the rows of each contained resource of `resource` (extracted with `extract`,
 * the same plans as top-level resources), plus one `#Type:_id` token row naming it.
 */
export function appendContained(values: IndexValues, resource: Resource, extract: (r: Resource) => IndexValues): IndexValues {
  const contained = (resource as { contained?: unknown }).contained;
  if (!Array.isArray(contained)) return values;
  contained.slice(0, MAX_CONTAINED).forEach((item: unknown, group) => {
    const r = item as Resource | null;
    if (!r || typeof r !== 'object' || typeof r.resourceType !== 'string') return;
    const own = extract(r);
    for (const kind of KINDS) {
      const rows = own[kind] as { param: string; group?: number }[];
      const out = values[kind] as { param: string; group?: number }[];
      for (const row of rows) {
        if (row.group !== undefined || row.param.includes('$')) continue;
        out.push({ ...row, param: containedParam(r.resourceType, row.param), group });
      }
    }
    values.token.push({ param: containedParam(r.resourceType, '_id'), system: null, code: typeof r.id === 'string' ? r.id : null, group });
  });
  return values;
}
