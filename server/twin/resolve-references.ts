/** Finding the resources a resource refers to and reading them in batches through StoreReader (for $document and $everything). */
import type { Resource } from 'fhir/r4';
import type { AccessContext } from '../core/access-context';
import { parseSearchParams } from '../search/parse';
import type { SearchRegistry } from '../search/registry';
import type { StoreReader } from '../store/types';
import { referenceKey } from './fhir-values';

/** Every literal reference anywhere in `node`, as 'Type/id' (contained '#x' and urn: references skipped), in order of appearance. */
export function referencesIn(node: unknown, out: Set<string> = new Set()): Set<string> {
  if (Array.isArray(node)) {
    for (const x of node) referencesIn(x, out);
  } else if (node !== null && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    if (typeof o.reference === 'string') {
      const key = referenceKey({ reference: o.reference });
      if (key) out.add(key);
    }
    for (const [k, v] of Object.entries(o)) if (k !== 'contained' && typeof v === 'object') referencesIn(v, out);
  }
  return out;
}

/** _id values per search (the store's page cap). */
const BATCH = 1000;

/** The live resources behind `keys` ('Type/id'), read with one _id search per type and batch; unknown ones are skipped. */
export async function readReferenced(
  reader: StoreReader, registry: SearchRegistry, ctx: AccessContext, keys: Iterable<string>,
): Promise<Map<string, Resource>> {
  const byType = new Map<string, string[]>();
  for (const key of keys) {
    const [type, id] = key.split('/');
    if (!registry.isResourceType(type)) continue;
    const ids = byType.get(type);
    if (ids) ids.push(id);
    else byType.set(type, [id]);
  }
  const found = new Map<string, Resource>();
  for (const [type, ids] of byType) {
    for (let i = 0; i < ids.length; i += BATCH) {
      const chunk = ids.slice(i, i + BATCH);
      const { query } = parseSearchParams(registry, [type], [['_id', chunk.join(',')], ['_count', String(chunk.length)]]);
      const page = await reader.search(ctx, query);
      for (const r of page.matches) found.set(`${r.resourceType}/${r.id ?? ''}`, r);
    }
  }
  return found;
}
