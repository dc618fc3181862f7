/**
 * `_contained=true|both` (R4 search.html "contained"): criteria evaluated inside contained resources
 * of the searched type, whose index rows the writer stores under the container as `#Type:code`
 * rows sharing a group number (search/extract-contained); the containers are the results.
 */
import type { SearchQuery } from '../../search/types';
import type { SearchRegistry } from '../../search/registry';
import type { CodeSet } from '../../search/terminology';
import { containedParam } from '../../search/extract-contained';
import { type SqlBuilder, and } from './sql-builder';
import { criterionSql } from './predicate';
import { restrictionSql } from './row-restriction';
import { shownContainedSql } from './masked-rows';
import type { PredicateContext } from './predicate-common';

/** Conditions selecting the `#Type:_id` rows (alias `c`) of contained resources matching every criterion. */
function containedConds(b: SqlBuilder, c: string, query: SearchQuery, registry: SearchRegistry, codeSets?: Map<string, CodeSet>): string {
  const type = query.resourceTypes[0];
  const ctx: PredicateContext = { b, registry, res: c, contained: type, ...(codeSets ? { codeSets } : {}) };
  // The fixed LIKE lets the planner use the partial index of contained rows (migration 005).
  const conds = [`${c}.param = ${b.param(containedParam(type, '_id'))}`, `${c}.param LIKE '#%'`];
  for (const crit of query.criteria) conds.push(criterionSql(ctx, crit));
  // Under a patient-context token only contained resources her copy shows match (masked-rows.ts).
  conds.push(shownContainedSql(b, c, type, registry.compartmentParams('Patient', type), query.restriction));
  return and(conds);
}

/**
 * The WHERE clause of a `_contained` search returning containers, on resource alias `r`: containers
 * (of any type) holding a matching contained resource, and for `both` also the matching resources
 * of the type themselves (`topLevel`, the ordinary WHERE clause on `r`). One `IN` over a UNION
 * rather than an OR, so that each side is found through its own indexes.
 */
export function containedWhereSql(b: SqlBuilder, query: SearchQuery, registry: SearchRegistry, topLevel: (b: SqlBuilder) => string, codeSets?: Map<string, CodeSet>): string {
  const c = b.alias('c');
  const sources = [`SELECT ${c}.rid FROM idx_token ${c} WHERE ${containedConds(b, c, query, registry, codeSets)}`];
  if (query.contained === 'both') sources.push(`SELECT r.rid FROM resource r WHERE ${topLevel(b)}`);
  return and(['r.deleted = false', `r.rid IN (${sources.join(' UNION ALL ')})`]);
}

/**
 * `_containedType=contained`: the matching resources as rows (rid, k0) — the container's rid and
 * the contained resource's position in it (-1 for a top-level match of `both`), in that order.
 */
export function containedRowsSql(b: SqlBuilder, query: SearchQuery, registry: SearchRegistry, topLevel: (b: SqlBuilder) => string, codeSets?: Map<string, CodeSet>): string {
  const c = b.alias('c');
  const p = b.alias('p');
  const rows = [
    `SELECT ${c}.rid, ${c}.grp AS k0 FROM idx_token ${c} JOIN resource ${p} ON ${p}.rid = ${c}.rid AND ${and([`${p}.deleted = false`, restrictionSql(b, p, query.restriction)])} ` +
      `WHERE ${containedConds(b, c, query, registry, codeSets)}`,
  ];
  if (query.contained === 'both') rows.push(`SELECT r.rid, -1 AS k0 FROM resource r WHERE ${topLevel(b)}`);
  return rows.join(' UNION ALL ');
}
