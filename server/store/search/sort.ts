/** _sort: per-key SQL expressions (nulls last) and the keyset condition that resumes after a cursor. */
import type { SearchQuery } from '../../search/types';
import type { SearchRegistry } from '../../search/registry';
import { badRequest } from '../../core/fhir-error';
import type { SqlBuilder } from './sql-builder';
import type { CursorPosition } from './cursor';

export interface SortColumn { expr: string; descending: boolean; cast: string }

interface SortSource { table: string; asc: string; desc: string; cast: string }

// Per parameter type: the index table, the column aggregated for ascending (min) and descending (max) sorts.
const SORT_SOURCES: Record<string, SortSource> = {
  date: { table: 'idx_date', asc: 's.low', desc: 's.high', cast: 'timestamptz' },
  string: { table: 'idx_string', asc: 's.norm', desc: 's.norm', cast: 'text' },
  token: { table: 'idx_token', asc: 's.code', desc: 's.code', cast: 'text' },
  number: { table: 'idx_number', asc: 's.value', desc: 's.value', cast: 'numeric' },
  quantity: { table: 'idx_quantity', asc: 's.value', desc: 's.value', cast: 'numeric' },
  uri: { table: 'idx_uri', asc: 's.value', desc: 's.value', cast: 'text' },
  reference: {
    table: 'idx_reference',
    asc: "coalesce(s.target_type || '/' || s.target_id, s.url)",
    desc: "coalesce(s.target_type || '/' || s.target_id, s.url)",
    cast: 'text',
  },
};

/** One expression per sort key, evaluated on resource alias `r`. */
export function sortColumns(b: SqlBuilder, query: SearchQuery, registry: SearchRegistry): SortColumn[] {
  return query.sort.map((k) => {
    if (k.param === '_id') return { expr: 'r.id', descending: k.descending, cast: 'text' };
    if (k.param === '_lastUpdated') return { expr: 'r.last_updated', descending: k.descending, cast: 'timestamptz' };
    const type = query.resourceTypes.length ? query.resourceTypes[0] : 'Resource';
    const def = registry.get(type, k.param);
    const src = def ? SORT_SOURCES[def.type] : undefined;
    if (!src) throw badRequest(`Cannot sort by '${k.param}'`, ['_sort']);
    const agg = k.descending ? `max(${src.desc})` : `min(${src.asc})`;
    const expr = `(SELECT ${agg} FROM ${src.table} s WHERE s.rid = r.rid AND s.param = ${b.param(k.param)})`;
    return { expr, descending: k.descending, cast: src.cast };
  });
}

/**
 * ORDER BY over the wrapped query `q` (k0, k1… then rid): nulls always last, rid ascending as
 * tiebreak. `reverse` gives the exact reverse order (backward paging reads it, then flips the page).
 */
export function orderBy(cols: SortColumn[], reverse = false): string {
  const dir = (desc: boolean): string => (desc !== reverse ? 'DESC' : 'ASC');
  const nulls = reverse ? 'NULLS FIRST' : 'NULLS LAST';
  return [...cols.map((c, i) => `q.k${i} ${dir(c.descending)} ${nulls}`), `q.rid ${dir(false)}`].join(', ');
}

/**
 * Rows strictly after `pos` in the ORDER BY above (lexicographic, null-aware), or strictly before
 * it when `pos.backward` (the previous page).
 */
export function keysetCondition(b: SqlBuilder, cols: SortColumn[], pos: CursorPosition): string {
  const before = pos.backward === true;
  const disjuncts: string[] = [];
  const equal: string[] = [];
  for (let i = 0; i < cols.length; i++) {
    const col = `q.k${i}`;
    const v = pos.keys[i];
    if (v !== null) {
      const p = `${b.param(v)}::${cols[i].cast}`;
      // Nulls come last in both directions: any non-null position is followed by the nulls.
      const op = cols[i].descending !== before ? '<' : '>';
      disjuncts.push([...equal, before ? `${col} ${op} ${p}` : `(${col} ${op} ${p} OR ${col} IS NULL)`].join(' AND '));
      equal.push(`${col} = ${p}`);
    } else {
      // Before a null position come all the non-null values; nothing but nulls follows it.
      if (before) disjuncts.push([...equal, `${col} IS NOT NULL`].join(' AND '));
      equal.push(`${col} IS NULL`);
    }
  }
  disjuncts.push([...equal, `q.rid ${before ? '<' : '>'} ${b.param(pos.rid)}::bigint`].join(' AND '));
  return disjuncts.map((d) => `(${d})`).join(' OR ');
}
