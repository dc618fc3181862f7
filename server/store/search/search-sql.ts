/**
 * Runs a parsed SearchQuery: criteria as EXISTS subqueries on the index tables, keyset paging
 * (forward and backward) with signed cursors, totals, then _include/_revinclude (FHIR search §3.1.1).
 */
import type { Resource } from 'fhir/r4';
import type { SearchQuery, SearchResult } from '../../search/types';
import type { SearchRegistry } from '../../search/registry';
import type { CodeSet } from '../../search/terminology';
import type { SqlExecutor } from '../sql';
import { SqlBuilder, and, or } from './sql-builder';
import { criterionSql } from './predicate';
import type { PredicateContext } from './predicate-common';
import { type CursorPosition, decodeCursor, encodeCursor } from './cursor';
import { keysetCondition, orderBy, sortColumns, type SortColumn } from './sort';
import { fetchIncludes, type FoundRow } from './include';
import { resolveCodeSets } from './terminology-source';
import { countMatches, estimateMatches, type WhereFn } from './total';

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
export function whereSql(b: SqlBuilder, query: SearchQuery, registry: SearchRegistry, codeSets?: Map<string, CodeSet>): string {
  const types = query.resourceTypes;
  const parts = ['r.deleted = false'];
  if (types.length === 1) parts.push(`r.res_type = ${b.param(types[0])}`);
  else if (types.length > 1) parts.push(`r.res_type = ANY(${b.param(types)}::text[])`);
  const ctx: PredicateContext = { b, registry, res: 'r', ...(types.length === 1 ? { resType: types[0] } : {}), ...(codeSets ? { codeSets } : {}) };
  for (const c of query.criteria) parts.push(criterionSql(ctx, c));
  parts.push(compartmentSql(b, query, registry));
  return and(parts);
}

interface PageRow extends FoundRow { [key: `k${number}`]: string | null }
interface Page { rows: PageRow[]; next?: string; prev?: string }

function positionOf(cols: SortColumn[], row: PageRow, backward: boolean): CursorPosition {
  return { keys: cols.map((_, i) => row[`k${i}`] ?? null), rid: row.rid, ...(backward ? { backward } : {}) };
}

/**
 * One page after the cursor (or before it, for a `previous` cursor), read in that direction with
 * one extra row to know whether a further page exists there.
 */
async function fetchPage(sql: SqlExecutor, query: SearchQuery, registry: SearchRegistry, codeSets: Map<string, CodeSet>, secret: string): Promise<Page> {
  const b = new SqlBuilder();
  const cols = sortColumns(b, query, registry);
  const where = whereSql(b, query, registry, codeSets);
  const pos = query.cursor ? decodeCursor(secret, query, query.cursor) : undefined;
  const backward = pos?.backward === true;
  const keyset = pos ? keysetCondition(b, cols, pos) : 'TRUE';
  const inner = [`r.rid`, `r.content`, ...cols.map((c, i) => `${c.expr} AS k${i}`)].join(', ');
  const outer = [`q.rid::text AS rid`, `q.content`, ...cols.map((_, i) => `q.k${i}::text AS k${i}`)].join(', ');
  const text =
    `SELECT ${outer} FROM (SELECT ${inner} FROM resource r WHERE ${where}) q ` +
    `WHERE ${keyset} ORDER BY ${orderBy(cols, backward)} LIMIT ${b.param(query.count + 1)}`;
  const all = (await sql.query<PageRow>(text, b.params)).rows;
  const more = all.length > query.count;
  const rows = all.slice(0, query.count);
  if (backward) rows.reverse();
  if (rows.length === 0) return { rows };
  const cursor = (row: PageRow, back: boolean): string => encodeCursor(secret, query, positionOf(cols, row, back));
  // Forward: a next page if more rows follow, a previous one unless this is the first page.
  // Backward: a next page always (we came from there), a previous one if more rows precede.
  const page: Page = { rows };
  if (backward ? true : more) page.next = cursor(rows[rows.length - 1], false);
  if (backward ? more : pos !== undefined) page.prev = cursor(rows[0], true);
  return page;
}

/** Executes a search: one page of matches (content as stored), includes, and the total when asked. */
export async function executeSearch(sql: SqlExecutor, query: SearchQuery, registry: SearchRegistry, opts: SearchOptions): Promise<SearchResult> {
  const codeSets = await resolveCodeSets(sql, query.criteria);
  const page: Page = query.count > 0 ? await fetchPage(sql, query, registry, codeSets, opts.cursorSecret) : { rows: [] };
  const matches: Resource[] = page.rows.map((r) => r.content);
  const includes = await fetchIncludes(sql, query, page.rows, { maxIncludes: opts.maxIncludes ?? 1000, maxDepth: opts.maxIncludeDepth ?? 3 });
  const result: SearchResult = { matches, includes };
  if (page.next) result.nextCursor = page.next;
  if (page.prev) result.prevCursor = page.prev;
  const where: WhereFn = (b) => whereSql(b, query, registry, codeSets);
  if (query.total === 'accurate') result.total = await countMatches(sql, where);
  else if (query.total === 'estimate') {
    // A first page without a next page holds every match: the count is free.
    const complete = query.count > 0 && !query.cursor && !page.next;
    result.total = complete ? matches.length : await estimateMatches(sql, where, matches.length);
  }
  return result;
}
