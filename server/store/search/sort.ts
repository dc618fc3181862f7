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

/** ORDER BY over the wrapped query `q` (k0, k1… then rid): nulls always last, rid ascending as tiebreak. */
export function orderBy(cols: SortColumn[]): string {
  return [...cols.map((c, i) => `q.k${i} ${c.descending ? 'DESC' : 'ASC'} NULLS LAST`), 'q.rid ASC'].join(', ');
}

/** Rows strictly after `pos` in the ORDER BY above (lexicographic, null-aware). */
export function keysetCondition(b: SqlBuilder, cols: SortColumn[], pos: CursorPosition): string {
  const disjuncts: string[] = [];
  const equal: string[] = [];
  for (let i = 0; i < cols.length; i++) {
    const col = `q.k${i}`;
    const v = pos.keys[i];
    if (v !== null) {
      const p = `${b.param(v)}::${cols[i].cast}`;
      // Nulls come last in both directions: any non-null position is followed by the nulls.
      disjuncts.push([...equal, `(${col} ${cols[i].descending ? '<' : '>'} ${p} OR ${col} IS NULL)`].join(' AND '));
      equal.push(`${col} = ${p}`);
    } else equal.push(`${col} IS NULL`);
  }
  disjuncts.push([...equal, `q.rid > ${b.param(pos.rid)}::bigint`].join(' AND '));
  return disjuncts.map((d) => `(${d})`).join(' OR ');
}
