/**
 * How a sorted page reads the resources that have its first sort key (sort_key, migration 005):
 * `walk` reads the key's index in order, a window at a time, filtering each entry as it goes;
 * `matches` reads the matches first and then their keys; `keyed` leaves the choice to the planner.
 */
import type { PageRequest, Segment } from './page-types';
import { type SqlBuilder, and } from './sql-builder';
import { keysetCondition, leadingBound, orderBy, type SortColumn } from './sort';

/**
 * Sort-index entries one walk reads at most. Past it the filter is selective enough (< 1 match
 * in WALK_WINDOW / page size) that reading the matches first is the cheaper way.
 */
export const WALK_WINDOW = 2000;

/** Least and greatest values of the key types whose groups of equal values are small (for multi-key walks). */
const EXTREMES: Record<string, [string, string]> = {
  timestamptz: ["'-infinity'::timestamptz", "'infinity'::timestamptz"],
  numeric: ["'-Infinity'::numeric", "'Infinity'::numeric"],
};

/**
 * Whether several sort keys can walk the first key's index: windows then end on whole groups of
 * equal first keys, which stays cheap for dates and numbers but not for a code like a status.
 */
export function multiKeyWalk(cols: SortColumn[]): boolean {
  return cols[0]?.walk !== undefined && EXTREMES[cols[0].cast] !== undefined;
}

/**
 * The matches as a fenced subquery aliased `r` (OFFSET 0 keeps the planner from flattening it
 * into a walk of some ordered index that filters its way through every resource of the type):
 * its cost is bounded by the number of matches. Exposes what sort keys read from `r`.
 */
export function matchesFirst(where: string): string {
  return `(SELECT r.rid, r.id, r.last_updated FROM resource r WHERE ${where} OFFSET 0) r`;
}

/**
 * The window of a walk: sort_key entries after the cursor in reading order. One key: the next
 * WALK_WINDOW entries (the keyset applied here). Several keys: every entry up to the first key of
 * the WALK_WINDOW-th, so that a group of equal first keys is never cut (later keys order it).
 */
function walkWindow(b: SqlBuilder, req: PageRequest, cols: SortColumn[], base: string): string {
  const pos = req.pos;
  const back = pos?.backward === true;
  const order = orderBy([cols[0]], back);
  const size = b.param(req.walkWindow ?? WALK_WINDOW);
  if (cols.length === 1) {
    const keyset = pos ? and([keysetCondition(b, cols, pos), leadingBound(b, cols, pos)]) : 'TRUE';
    return `SELECT q.rid, q.k0 FROM (${base}) q WHERE ${keyset} ORDER BY ${order} LIMIT ${size}`;
  }
  const bound = pos ? leadingBound(b, cols, pos) : 'TRUE';
  const descending = cols[0].descending !== back;
  const [least, greatest] = EXTREMES[cols[0].cast];
  // The edge is a plain comparison with a one-row subquery (an InitPlan): the index walk stops there.
  const edge = `(SELECT q.k0 FROM (${base}) q WHERE ${bound} ORDER BY ${order} OFFSET ${size}::int - 1 LIMIT 1)`;
  const within = `q.k0 ${descending ? '>=' : '<='} coalesce(${edge}, ${descending ? least : greatest})`;
  return `SELECT q.rid, q.k0 FROM (${base}) q WHERE ${and([bound, within])} ORDER BY ${order}`;
}

/** FROM, conditions and first-key expression of a segment that reads sort_key (walk, matches, keyed). */
export function keyedSource(b: SqlBuilder, req: PageRequest, segment: Segment, cols: SortColumn[], where: string): { from: string; conds: string[]; key: string } {
  const walk = cols[0].walk as { param: string; column: string };
  const s = (alias: string): string[] => [`${alias}.param = ${b.param(walk.param)}`, `${alias}.${walk.column} IS NOT NULL`];
  if (segment === 'matches') {
    return { from: `${matchesFirst(where)} JOIN sort_key s ON s.rid = r.rid`, conds: s('s'), key: `s.${walk.column}` };
  }
  const type = `s.res_type = ${b.param(req.query.resourceTypes[0])}`;
  if (segment === 'keyed') return { from: 'sort_key s JOIN resource r ON r.rid = s.rid', conds: [type, ...s('s'), where], key: `s.${walk.column}` };
  // walk: the order comes from the index. The filter runs per walked entry in a LATERAL subquery
  // (OFFSET 0 keeps the planner from turning it into a hash semi-join that reads every match), so
  // the outer LIMIT stops the walk as soon as the page is full.
  const base = `SELECT s.rid, s.${walk.column} AS k0 FROM sort_key s WHERE ${and([type, ...s('s')])}`;
  const filter = `SELECT r.rid, r.id, r.last_updated FROM resource r WHERE r.rid = s.rid AND ${where} OFFSET 0`;
  return { from: `(${walkWindow(b, req, cols, base)}) s JOIN LATERAL (${filter}) r ON TRUE`, conds: [], key: 's.k0' };
}
