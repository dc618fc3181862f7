/**
 * The sort_key table (migration 005): which index rows give a parameter's sort values, and the SQL
 * that derives a resource's keys (least value ascending, greatest descending) from its index rows.
 */
import type { SearchParamType } from '../../search/types';
import type { IndexKind } from './index-tables';

/** Which typed column pair of sort_key a parameter type uses, and the cast of its values. */
export interface SortKeyColumns { asc: string; desc: string; cast: string }

const TS: SortKeyColumns = { asc: 'asc_ts', desc: 'desc_ts', cast: 'timestamptz' };
const NUM: SortKeyColumns = { asc: 'asc_num', desc: 'desc_num', cast: 'numeric' };
const TEXT: SortKeyColumns = { asc: 'asc_text', desc: 'desc_text', cast: 'text' };

/** The sort_key columns of a sortable parameter type; undefined for composite and special. */
export function sortKeyColumns(type: SearchParamType): SortKeyColumns | undefined {
  switch (type) {
    case 'date': return TS;
    case 'number': case 'quantity': return NUM;
    case 'string': case 'token': case 'uri': case 'reference': return TEXT;
    default: return undefined;
  }
}

/**
 * Per index kind: the expressions (over the index table's columns) for the least and greatest sort
 * value of one row, and the column pair they feed. Same expressions as migration 005's backfill.
 */
const SOURCES: Record<IndexKind, { low: string; high: string; columns: SortKeyColumns }> = {
  date: { low: 'low', high: 'high', columns: TS },
  number: { low: 'value', high: 'value', columns: NUM },
  quantity: { low: 'value', high: 'value', columns: NUM },
  string: { low: 'norm', high: 'norm', columns: TEXT },
  token: { low: 'code', high: 'code', columns: TEXT },
  uri: { low: 'value', high: 'value', columns: TEXT },
  reference: { low: "coalesce(target_type || '/' || target_id, url)", high: "coalesce(target_type || '/' || target_id, url)", columns: TEXT },
};

/** `RETURNING …` for an index insert whose rows feed the sort keys (as columns sk_low, sk_high). */
export function sortKeyReturning(kind: IndexKind): string {
  const s = SOURCES[kind];
  return `RETURNING rid, res_type, param, grp, ${s.low} AS sk_low, ${s.high} AS sk_high`;
}

/**
 * INSERT INTO sort_key from the rows returned by the index-insert CTEs `ctes` (name → kind): one row
 * per (rid, param), composite component rows (grp set) left out, keys without any value skipped.
 */
export function sortKeyInsert(ctes: { name: string; kind: IndexKind }[]): string | undefined {
  if (ctes.length === 0) return undefined;
  const cols = [TS, NUM, TEXT];
  const branches = ctes.map(({ name, kind }) => {
    const own = SOURCES[kind].columns;
    const values = cols.flatMap((c) => (c === own ? ['sk_low', 'sk_high'] : [`NULL::${c.cast}`, `NULL::${c.cast}`]));
    return `SELECT rid, res_type, param, ${values.join(', ')} FROM ${name} WHERE grp IS NULL`;
  });
  const names = cols.flatMap((c) => [`lo_${c.asc}`, `hi_${c.desc}`]);
  const aggs = cols.flatMap((c) => [`min(u.lo_${c.asc})`, `max(u.hi_${c.desc})`]);
  const nonEmpty = cols.map((c) => `min(u.lo_${c.asc}) IS NOT NULL`).join(' OR ');
  return (
    `INSERT INTO sort_key (rid, res_type, param, ${cols.flatMap((c) => [c.asc, c.desc]).join(', ')}) ` +
    `SELECT u.rid, min(u.res_type), u.param, ${aggs.join(', ')} ` +
    `FROM (${branches.join(' UNION ALL ')}) AS u(rid, res_type, param, ${names.join(', ')}) ` +
    `GROUP BY u.rid, u.param HAVING ${nonEmpty}`
  );
}
