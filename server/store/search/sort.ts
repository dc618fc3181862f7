/** _sort: per-key SQL expressions (nulls last, from sort_key) and the keyset condition that resumes after a cursor. */
import type { SearchQuery } from '../../search/types';
import type { SearchRegistry } from '../../search/registry';
import { badRequest } from '../../core/fhir-error';
import type { SqlBuilder } from './sql-builder';
import type { CursorPosition } from './cursor';
import { sortKeyColumns } from './sort-keys';

/**
 * One sort key. `expr(b)` evaluates it on resource alias `r` (a one-row lookup in sort_key), binding
 * its parameter only when used; `walk` names the sort_key column holding it, so that a first key
 * can be read in order from its index.
 */
export interface SortColumn { expr: (b: SqlBuilder) => string; descending: boolean; cast: string; walk?: { param: string; column: string } }

/** One expression per sort key, evaluated on resource alias `r`. */
export function sortColumns(query: SearchQuery, registry: SearchRegistry): SortColumn[] {
  return query.sort.map((k) => {
    if (k.param === '_id') return { expr: () => 'r.id', descending: k.descending, cast: 'text' };
    if (k.param === '_lastUpdated') return { expr: () => 'r.last_updated', descending: k.descending, cast: 'timestamptz' };
    const type = query.resourceTypes.length ? query.resourceTypes[0] : 'Resource';
    const def = registry.get(type, k.param);
    const cols = def ? sortKeyColumns(def.type) : undefined;
    if (!cols) throw badRequest(`Cannot sort by '${k.param}'`, ['_sort']);
    const column = k.descending ? cols.desc : cols.asc;
    // One row per (rid, param); the aggregate only turns "no row" into null.
    const agg = k.descending ? 'max' : 'min';
    const expr = (b: SqlBuilder): string => `(SELECT ${agg}(s.${column}) FROM sort_key s WHERE s.rid = r.rid AND s.param = ${b.param(k.param)})`;
    return { expr, descending: k.descending, cast: cols.cast, walk: { param: k.param, column } };
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

/**
 * A bound on the first key implied by the keyset condition (every row after a non-null position
 * has a first key on the same side of it, or none), written as a plain comparison so that an
 * ordered index walk starts at the cursor instead of filtering its way there: deep pages cost
 * what the first page costs.
 */
export function leadingBound(b: SqlBuilder, cols: SortColumn[], pos: CursorPosition): string {
  const v = pos.keys[0];
  if (cols.length === 0 || v === null || v === undefined) return 'TRUE';
  const op = cols[0].descending !== (pos.backward === true) ? '<=' : '>=';
  return `q.k0 ${op} ${b.param(v)}::${cols[0].cast}`;
}
