/**
 * One keyset page of matches: the ordered rids and sort keys first, the content of those rows after.
 * With a parameter as first sort key and one resource type, the page is read in two segments — the
 * resources that have that key (keyed-source.ts: walked in order from sort_key's index), then those
 * without it (nulls last) — so that a sorted page costs what it returns, not what the whole search
 * matches. `_containedType=contained` pages over contained resources instead.
 */
import type { Resource } from 'fhir/r4';
import type { SqlExecutor } from '../sql';
import { SqlBuilder, and } from './sql-builder';
import type { CursorPosition } from './cursor';
import { keysetCondition, leadingBound, orderBy, sortColumns, type SortColumn } from './sort';
import { keyedSource, matchesFirst, multiKeyWalk } from './keyed-source';
import type { PageRequest, PageRow, Segment } from './page-types';

export type { MatchWhere, PageRequest, PageRow, Segment } from './page-types';

/** The segments to read, in reading order (reverse order when paging backward). */
export function segmentsFor(cols: SortColumn[], resourceTypes: string[], pos?: CursorPosition, contained = false): Segment[] {
  if (contained) return ['contained'];
  // An index walk gives one type's order; several types (system search) are sorted per match.
  if (!cols[0]?.walk || resourceTypes.length !== 1) return ['all'];
  const inNulls = pos !== undefined && pos.keys[0] === null;
  if (pos?.backward === true) return inNulls ? ['unkeyed', 'keyed'] : ['keyed'];
  return inNulls ? ['unkeyed'] : ['keyed', 'unkeyed'];
}

/** The SQL of one segment: rid and keys in page order, at most `limit` rows. */
export function segmentSql(req: PageRequest, segment: Segment, limit: number): { text: string; params: SqlBuilder['params'] } {
  const b = new SqlBuilder();
  const cols = sortColumns(req.query, req.registry);
  const keyed = segment === 'keyed' || segment === 'walk' || segment === 'matches';
  const keys = cols.map((c, i) => (i === 0 && segment !== 'all' ? '' : c.expr(b)));
  let from = 'resource r';
  let conds = [req.where(b)];
  if (keyed) {
    const src = keyedSource(b, req, segment, cols, conds[0]);
    ({ from, conds } = src);
    keys[0] = src.key;
  } else if (segment === 'unkeyed') {
    // Read matches first: when (nearly) every resource has the key, a walk in rid order would
    // filter its way through all of them to find none.
    from = matchesFirst(conds[0]);
    conds = [];
    const walk = cols[0].walk as { param: string; column: string };
    conds.push(`NOT EXISTS (SELECT 1 FROM sort_key s WHERE s.rid = r.rid AND s.param = ${b.param(walk.param)} AND s.${walk.column} IS NOT NULL)`);
    keys[0] = `NULL::${cols[0].cast}`;
  }
  const inner = [`${keyed ? 's.rid' : 'r.rid'} AS rid`, ...keys.map((k, i) => `${k} AS k${i}`)].join(', ');
  const outer = [`q.rid::text AS rid`, ...cols.map((_, i) => `q.k${i}::text AS k${i}`)].join(', ');
  const pos = req.pos;
  // A one-key walk applies the keyset inside its window; with more keys only the first key's bound is.
  const inWindow = segment === 'walk' && cols.length === 1;
  const keyset = pos && !inWindow ? and([keysetCondition(b, cols, pos), keyed ? leadingBound(b, cols, pos) : '']) : 'TRUE';
  const text =
    `SELECT ${outer} FROM (SELECT ${inner} FROM ${from} WHERE ${and(conds)}) q ` +
    `WHERE ${keyset} ORDER BY ${orderBy(cols, pos?.backward === true)} LIMIT ${b.param(limit)}`;
  return { text, params: b.params };
}

/** Contained matches in (container rid, position) order; the cursor's one key is the position. */
function containedSql(req: PageRequest, rows: (b: SqlBuilder) => string, limit: number): { text: string; params: SqlBuilder['params'] } {
  const b = new SqlBuilder();
  const pos = req.pos;
  const back = pos?.backward === true;
  let keyset = 'TRUE';
  if (pos) {
    const [op, rid, k] = [back ? '<' : '>', b.param(pos.rid), b.param(pos.keys[0] ?? '-1')];
    keyset = `q.rid ${op} ${rid}::bigint OR (q.rid = ${rid}::bigint AND q.k0 ${op} ${k}::integer)`;
  }
  const dir = back ? 'DESC' : 'ASC';
  const text = `SELECT q.rid::text AS rid, q.k0::text AS k0 FROM (${rows(b)}) q WHERE ${keyset} ORDER BY q.rid ${dir}, q.k0 ${dir} LIMIT ${b.param(limit)}`;
  return { text, params: b.params };
}

type KeyRow = { rid: string } & Record<`k${number}`, string | null>;

/**
 * The contents of the given rows, in their order (rows deleted meanwhile are dropped); for
 * contained matches the contained resource at position k0 of its container (k0 = -1: the container).
 */
async function withContent(sql: SqlExecutor, rows: KeyRow[], width: number, contained: boolean): Promise<PageRow[]> {
  if (rows.length === 0) return [];
  const res = await sql.query<{ rid: string; content: Resource }>(
    'SELECT rid::text AS rid, content FROM resource WHERE rid = ANY($1::bigint[]) AND deleted = false',
    [[...new Set(rows.map((r) => r.rid))]],
  );
  const content = new Map(res.rows.map((r) => [r.rid, r.content]));
  const out: PageRow[] = [];
  for (const r of rows) {
    const c = content.get(r.rid);
    if (!c) continue;
    const keys = Array.from({ length: contained ? 1 : width }, (_, i) => r[`k${i}`] ?? null);
    const at = contained ? Number(r.k0) : -1;
    if (at < 0) {
      out.push({ rid: r.rid, content: c, keys });
      continue;
    }
    const inner = (c as { contained?: Resource[] }).contained?.[at];
    if (inner) out.push({ rid: r.rid, content: inner, keys, container: `${c.resourceType}/${c.id ?? ''}` });
  }
  return out;
}

/** Rows of the keyed segment: by a walk of the key's index, the rest (if any) matches first. */
async function readKeyed(sql: SqlExecutor, req: PageRequest, cols: SortColumn[], need: number): Promise<KeyRow[]> {
  const run = async (r: PageRequest, segment: Segment, limit: number): Promise<KeyRow[]> => {
    const { text, params } = segmentSql(r, segment, limit);
    return (await sql.query<KeyRow>(text, params)).rows;
  };
  // A compartment holds few resources: read them first rather than walk the whole type's index.
  if (req.query.compartment) return run(req, 'matches', need);
  // Several keys: windows of whole groups of equal first keys, where such groups are small (dates, numbers).
  if (cols.length > 1 && !multiKeyWalk(cols)) return run(req, 'keyed', need);
  const found = await run(req, 'walk', need);
  if (found.length >= need) return found;
  // Too few matches in the window (a selective search): the rest matches first, after the last row found.
  const last = found[found.length - 1];
  const after = last ? { keys: cols.map((_, i) => last[`k${i}`] ?? null), rid: last.rid, ...(req.pos?.backward ? { backward: true } : {}) } : req.pos;
  return [...found, ...(await run({ ...req, ...(after ? { pos: after } : {}) }, 'matches', need - found.length))];
}

/** Up to `req.limit` rows after (or, backward, before) the cursor, in reading order. */
export async function readPageRows(sql: SqlExecutor, req: PageRequest): Promise<PageRow[]> {
  const cols = sortColumns(req.query, req.registry);
  const rows: KeyRow[] = [];
  for (const segment of segmentsFor(cols, req.query.resourceTypes, req.pos, req.containedRows !== undefined)) {
    const need = req.limit - rows.length;
    if (need <= 0) break;
    if (segment === 'keyed') {
      rows.push(...(await readKeyed(sql, req, cols, need)));
      continue;
    }
    const { text, params } = req.containedRows ? containedSql(req, req.containedRows, need) : segmentSql(req, segment, need);
    rows.push(...(await sql.query<KeyRow>(text, params)).rows);
  }
  return withContent(sql, rows, cols.length, req.containedRows !== undefined);
}
