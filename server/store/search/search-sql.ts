/**
 * Runs a parsed SearchQuery: criteria as EXISTS subqueries on the index tables, keyset paging with a
 * signed cursor, optional accurate total, then _include/_revinclude (FHIR search §3.1.1).
 */
import type { Resource } from 'fhir/r4';
import type { SearchQuery, SearchResult } from '../../search/types';
import type { SearchRegistry } from '../../search/registry';
import type { SqlExecutor } from '../sql';
import { SqlBuilder, and, or } from './sql-builder';
import { criterionSql } from './predicate';
import { decodeCursor, encodeCursor } from './cursor';
import { keysetCondition, orderBy, sortColumns } from './sort';
import { fetchIncludes, type FoundRow } from './include';

export interface SearchOptions {
  /** Secret for the HMAC that signs paging cursors. */
  cursorSecret: string;
  /** Cap on included resources per page (default 1,000). */
  maxIncludes?: number;
  /** Rounds of :iterate after the first include round (default 3). */
  maxIncludeDepth?: number;
}

function compartmentSql(b: SqlBuilder, query: SearchQuery, registry: SearchRegistry): string {
  const comp = query.compartment;
  if (!comp) return '';
  const types = query.resourceTypes.length ? query.resourceTypes : registry.resourceTypes();
  const perType = types
    .map((t) => [t, registry.compartmentParams(comp.resourceType, t)] as const)
    .filter(([, params]) => params.length > 0)
    .map(([t, params]) =>
      `r.res_type = ${b.param(t)} AND EXISTS (SELECT 1 FROM idx_reference k WHERE k.rid = r.rid AND k.param = ANY(${b.param([...params])}::text[]) ` +
      `AND k.target_type = ${b.param(comp.resourceType)} AND k.target_id = ${b.param(comp.id)})`,
    );
  return or(perType);
}

/** The WHERE clause selecting live matches of `query` on resource alias `r`. */
export function whereSql(b: SqlBuilder, query: SearchQuery, registry: SearchRegistry): string {
  const types = query.resourceTypes;
  const parts = ['r.deleted = false'];
  if (types.length === 1) parts.push(`r.res_type = ${b.param(types[0])}`);
  else if (types.length > 1) parts.push(`r.res_type = ANY(${b.param(types)}::text[])`);
  const ctx = { b, registry, res: 'r', ...(types.length === 1 ? { resType: types[0] } : {}) };
  for (const c of query.criteria) parts.push(criterionSql(ctx, c));
  parts.push(compartmentSql(b, query, registry));
  return and(parts);
}

/** Number of live resources matching the query's criteria (ignores paging). */
export async function countMatches(sql: SqlExecutor, query: SearchQuery, registry: SearchRegistry): Promise<number> {
  const b = new SqlBuilder();
  const text = `SELECT count(*)::text AS n FROM resource r WHERE ${whereSql(b, query, registry)}`;
  const res = await sql.query<{ n: string }>(text, b.params);
  return Number(res.rows[0]?.n ?? 0);
}

interface PageRow extends FoundRow { [key: `k${number}`]: string | null }

async function fetchPage(sql: SqlExecutor, query: SearchQuery, registry: SearchRegistry, secret: string): Promise<{ rows: PageRow[]; next?: string }> {
  const b = new SqlBuilder();
  const cols = sortColumns(b, query, registry);
  const where = whereSql(b, query, registry);
  const keyset = query.cursor ? keysetCondition(b, cols, decodeCursor(secret, query, query.cursor)) : 'TRUE';
  const inner = [`r.rid`, `r.content`, ...cols.map((c, i) => `${c.expr} AS k${i}`)].join(', ');
  const outer = [`q.rid::text AS rid`, `q.content`, ...cols.map((_, i) => `q.k${i}::text AS k${i}`)].join(', ');
  const text =
    `SELECT ${outer} FROM (SELECT ${inner} FROM resource r WHERE ${where}) q ` +
    `WHERE ${keyset} ORDER BY ${orderBy(cols)} LIMIT ${b.param(query.count + 1)}`;
  const rows = (await sql.query<PageRow>(text, b.params)).rows;
  if (rows.length <= query.count) return { rows };
  const page = rows.slice(0, query.count);
  const last = page[page.length - 1];
  const next = encodeCursor(secret, query, { keys: cols.map((_, i) => last[`k${i}`] ?? null), rid: last.rid });
  return { rows: page, next };
}

/** Executes a search: one page of matches (content as stored), includes, and the total when asked. */
export async function executeSearch(sql: SqlExecutor, query: SearchQuery, registry: SearchRegistry, opts: SearchOptions): Promise<SearchResult> {
  const { rows, next } = query.count > 0 ? await fetchPage(sql, query, registry, opts.cursorSecret) : { rows: [] as PageRow[], next: undefined };
  const matches: Resource[] = rows.map((r) => r.content);
  const includes = await fetchIncludes(sql, query, rows, { maxIncludes: opts.maxIncludes ?? 1000, maxDepth: opts.maxIncludeDepth ?? 3 });
  const result: SearchResult = { matches, includes };
  if (next) result.nextCursor = next;
  if (query.total === 'accurate' || (query.total === 'estimate' && (next || query.cursor))) {
    result.total = await countMatches(sql, query, registry);
  } else if (query.total === 'estimate') {
    // A first page without a next page holds every match: the count is free.
    result.total = matches.length;
  }
  return result;
}
