/**
 * Runs a parsed SearchQuery: criteria as EXISTS subqueries on the index tables, keyset paging
 * (forward and backward) with signed cursors, totals, then _include/_revinclude (FHIR search §3.1.1).
 */
import type { Resource } from 'fhir/r4';
import type { SearchQuery, SearchResult } from '../../search/types';
import type { SearchRegistry } from '../../search/registry';
import type { CodeSet } from '../../search/terminology';
import type { SqlExecutor } from '../sql';
import { type SqlBuilder, and } from './sql-builder';
import { notSupported } from '../../core/fhir-error';
import { compartmentSql } from './compartment-sql';
import { restrictionSql } from './row-restriction';
import { containedRowsSql, containedWhereSql } from './contained-sql';
import { criterionSql } from './predicate';
import { criteriaSql } from './predicate-group';
import type { PredicateContext } from './predicate-common';
import { decodeCursor, encodeCursor } from './cursor';
import { fetchIncludes } from './include';
import { readPageRows, type PageRow } from './page-query';
import { resolveCodeSets } from './terminology-source';
import type { TerminologyCache } from '../../search/terminology-cache';
import { countMatches, countRows, estimateMatches, type WhereFn } from './total';

export interface SearchOptions {
  /** Secret for the HMAC that signs paging cursors. */
  cursorSecret: string;
  /** CodeSystem indexes shared across searches (token :in/:below…); a fresh one per search when unset. */
  terminologyCache?: TerminologyCache;
  /** Cap on included resources per page (default 1,000). */
  maxIncludes?: number;
  /** Rounds of :iterate after the first include round (default 3). */
  maxIncludeDepth?: number;
  /** Sort-index entries a sorted page walks before reading the matches first (default WALK_WINDOW). */
  sortWalkWindow?: number;
}

/** The WHERE clause selecting live matches of `query` on resource alias `r` (containers too, with _contained). */
export function whereSql(b: SqlBuilder, query: SearchQuery, registry: SearchRegistry, codeSets?: Map<string, CodeSet>): string {
  if (query.contained) {
    // A compartment lists its members by type: containers of every type are not in that list.
    if (query.compartment) throw notSupported('_contained is not supported in a compartment search');
    // The containers are the results: they are what the restriction confines (topLevel carries it for `both`).
    return and([containedWhereSql(b, query, registry, (tb) => topLevelWhere(tb, query, registry, codeSets), codeSets), restrictionSql(b, 'r', query.restriction)]);
  }
  return topLevelWhere(b, query, registry, codeSets);
}

/** `_containedType=contained`: the matching rows (rid, k0) of contained resources (and, for both, top-level ones). */
function containedRows(query: SearchQuery, registry: SearchRegistry, codeSets?: Map<string, CodeSet>): ((b: SqlBuilder) => string) | undefined {
  if (query.containedType !== 'contained') return undefined;
  return (b) => containedRowsSql(b, query, registry, (tb) => topLevelWhere(tb, query, registry, codeSets), codeSets);
}

/**
 * Subqueries the planner may join freely; the rest are per-row filters. PostgreSQL pulls every
 * EXISTS up into the join tree, and its join search over many of them costs seconds before the
 * first row (100 `_has` criteria: 17 s on an empty database). A scalar sub-select is never pulled
 * up, so planning stays linear; the first few criteria still let it pick a selective index.
 */
const FREE_JOINS = 4;

function fenced(conds: string[]): string[] {
  return conds.map((c, i) => (i < FREE_JOINS ? c : `(SELECT ${c})`));
}

function topLevelWhere(b: SqlBuilder, query: SearchQuery, registry: SearchRegistry, codeSets?: Map<string, CodeSet>): string {
  const types = query.resourceTypes;
  const parts = ['r.deleted = false'];
  if (types.length === 1) parts.push(`r.res_type = ${b.param(types[0])}`);
  else if (types.length > 1) parts.push(`r.res_type = ANY(${b.param(types)}::text[])`);
  else if (query.excludeTypes?.length) parts.push(`r.res_type <> ALL(${b.param(query.excludeTypes)}::text[])`);
  const ctx: PredicateContext = {
    b, registry, res: 'r', ...(types.length === 1 ? { resType: types[0] } : {}), ...(codeSets ? { codeSets } : {}), ...(query.restriction ? { restriction: query.restriction } : {}),
  };
  // The type-qualified key is the access path when nothing else selects (a patient's page of one type); with
  // criteria the planner does better driving from their index and testing plain membership (bench/patient-scope).
  parts.push(restrictionSql(b, 'r', query.restriction, 'index', types.length === 1 && !query.criteria.length ? types[0] : undefined));
  parts.push(...fenced(criteriaSql(ctx, query.criteria, criterionSql)));
  parts.push(compartmentSql(b, query, registry));
  return and(parts);
}

interface Page { rows: PageRow[]; next?: string; prev?: string }

/**
 * One page after the cursor (or before it, for a `previous` cursor), read in that direction with
 * one extra row to know whether a further page exists there.
 */
async function fetchPage(sql: SqlExecutor, query: SearchQuery, registry: SearchRegistry, codeSets: Map<string, CodeSet>, opts: SearchOptions): Promise<Page> {
  const secret = opts.cursorSecret;
  const pos = query.cursor ? decodeCursor(secret, query, query.cursor) : undefined;
  const backward = pos?.backward === true;
  const where = (b: SqlBuilder): string => whereSql(b, query, registry, codeSets);
  const window = opts.sortWalkWindow !== undefined ? { walkWindow: opts.sortWalkWindow } : {};
  const contained = containedRows(query, registry, codeSets);
  const all = await readPageRows(sql, { query, registry, codeSets, where, limit: query.count + 1, ...window, ...(pos ? { pos } : {}), ...(contained ? { containedRows: contained } : {}) });
  const more = all.length > query.count;
  const rows = all.slice(0, query.count);
  if (backward) rows.reverse();
  if (rows.length === 0) return { rows };
  const cursor = (row: PageRow, back: boolean): string =>
    encodeCursor(secret, query, { keys: row.keys, rid: row.rid, ...(back ? { backward: back } : {}) });
  // Forward: a next page if more rows follow, a previous one unless this is the first page.
  // Backward: a next page always (we came from there), a previous one if more rows precede.
  const page: Page = { rows };
  if (backward ? true : more) page.next = cursor(rows[rows.length - 1], false);
  if (backward ? more : pos !== undefined) page.prev = cursor(rows[0], true);
  return page;
}

/** Executes a search: one page of matches (content as stored), includes, and the total when asked. */
export async function executeSearch(sql: SqlExecutor, query: SearchQuery, registry: SearchRegistry, opts: SearchOptions): Promise<SearchResult> {
  const codeSets = await resolveCodeSets(sql, query.criteria, opts.terminologyCache);
  const page: Page = query.count > 0 ? await fetchPage(sql, query, registry, codeSets, opts) : { rows: [] };
  const matches: Resource[] = page.rows.map((r) => r.content);
  const includes = await fetchIncludes(sql, query, page.rows, { maxIncludes: opts.maxIncludes ?? 1000, maxDepth: opts.maxIncludeDepth ?? 3 });
  const result: SearchResult = { matches, includes };
  if (page.rows.some((r) => r.container)) result.containers = page.rows.map((r) => r.container);
  if (page.next) result.nextCursor = page.next;
  if (page.prev) result.prevCursor = page.prev;
  const where: WhereFn = (b) => whereSql(b, query, registry, codeSets);
  const rows = containedRows(query, registry, codeSets);
  // Contained matches are counted as contained resources (exactly: they are few), not as containers.
  if (rows && query.total !== 'none') result.total = await countRows(sql, rows);
  else if (query.total === 'accurate') result.total = await countMatches(sql, where);
  else if (query.total === 'estimate') {
    // A first page without a next page holds every match: the count is free.
    const complete = query.count > 0 && !query.cursor && !page.next;
    result.total = complete ? matches.length : await estimateMatches(sql, where, matches.length);
  }
  return result;
}
