/** Reads every match of a standard search through the store interface, page by page (keyset cursor). */
import type { Resource } from 'fhir/r4';
import type { AccessContext } from '../../core/access-context';
import { parseSearchParams } from '../../search/parse';
import type { SearchRegistry } from '../../search/registry';
import type { StoreReader } from '../../store/types';

const PAGE = 1000;

export async function searchAll<T extends Resource>(
  reader: StoreReader, ctx: AccessContext, registry: SearchRegistry, type: string, params: [string, string][],
): Promise<(T & { id: string })[]> {
  // strict: a typo in our own criteria must fail loudly, never widen the match
  const { query } = parseSearchParams(registry, [type], [...params, ['_count', String(PAGE)]], { strict: true, maxCount: PAGE });
  const out: (T & { id: string })[] = [];
  for (let cursor: string | undefined, first = true; first || cursor; first = false) {
    const page = await reader.search(ctx, { ...query, ...(cursor ? { cursor } : {}) });
    out.push(...(page.matches as (T & { id: string })[]));
    cursor = page.nextCursor;
  }
  return out;
}
