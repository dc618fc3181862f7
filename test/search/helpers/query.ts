import type { SearchRegistry } from '../../../server/search/registry';
import { parseSearchParams } from '../../../server/search/parse';
import { executeSearch } from '../../../server/store/search/search-sql';
import type { SqlExecutor } from '../../../server/store/sql';

/** Splits a query string into decoded [name, value] pairs, keeping order and repeats (as the REST layer does). */
export function queryPairs(qs: string): [string, string][] {
  return qs.split('&').filter(Boolean).map((p) => {
    const i = p.indexOf('=');
    return [decodeURIComponent(p.slice(0, i)), decodeURIComponent(p.slice(i + 1))];
  });
}

/** Sorted ids of the resources a type-level query string matches, parsed and run like the server does. */
export async function matchingIds(sql: SqlExecutor, registry: SearchRegistry, type: string, qs: string, now?: Date): Promise<string[]> {
  const { query } = parseSearchParams(registry, [type], queryPairs(qs), now ? { now } : undefined);
  const res = await executeSearch(sql, query, registry, { cursorSecret: 'test-secret' });
  return res.matches.map((r) => r.id ?? '').sort();
}
