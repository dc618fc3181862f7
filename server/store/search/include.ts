/** _include / _revinclude (with :iterate to a bounded depth): resources referenced by, or referring to, the page. */
import type { Resource } from 'fhir/r4';
import type { IncludeSpec, SearchQuery } from '../../search/types';
import type { SqlExecutor } from '../sql';
import type { RowRestriction } from '../../core/access-context';
import { SqlBuilder, and, or } from './sql-builder';
import { restrictionSql } from './row-restriction';

export interface FoundRow { rid: string; content: Resource }
export interface IncludeOptions { maxIncludes: number; maxDepth: number }

function specCondition(b: SqlBuilder, x: string, spec: IncludeSpec): string {
  return and([
    spec.sourceType !== '*' ? `${x}.res_type = ${b.param(spec.sourceType)}` : '',
    // Wildcards follow the resource's own references, not those of its contained resources (`#Type:code` rows).
    !spec.wildcard ? `${x}.param = ${b.param(spec.param)}` : `${x}.param NOT LIKE '#%'`,
    spec.targetType ? `${x}.target_type = ${b.param(spec.targetType)}` : '',
  ]);
}

async function includeStep(sql: SqlExecutor, rids: string[], specs: IncludeSpec[], limit: number, restriction?: RowRestriction): Promise<FoundRow[]> {
  const b = new SqlBuilder();
  const text =
    `SELECT r2.rid::text AS rid, r2.content FROM idx_reference x ` +
    `JOIN resource r2 ON r2.res_type = x.target_type AND r2.id = x.target_id ` +
    `WHERE x.rid = ANY(${b.param(rids)}::bigint[]) AND ${and(['r2.deleted = false', restrictionSql(b, 'r2', restriction, 'filter'), `(${or(specs.map((s) => specCondition(b, 'x', s)))})`])} ` +
    `LIMIT ${b.param(limit)}`;
  return (await sql.query<FoundRow>(text, b.params)).rows;
}

async function revincludeStep(sql: SqlExecutor, rids: string[], specs: IncludeSpec[], limit: number, restriction?: RowRestriction): Promise<FoundRow[]> {
  const b = new SqlBuilder();
  const text =
    `SELECT r2.rid::text AS rid, r2.content FROM resource r0 ` +
    `JOIN idx_reference x ON x.target_type = r0.res_type AND x.target_id = r0.id ` +
    `JOIN resource r2 ON r2.rid = x.rid ` +
    `WHERE r0.rid = ANY(${b.param(rids)}::bigint[]) AND ${and(['r2.deleted = false', restrictionSql(b, 'r2', restriction, 'filter'), `(${or(specs.map((s) => specCondition(b, 'x', s)))})`])} ` +
    `LIMIT ${b.param(limit)}`;
  return (await sql.query<FoundRow>(text, b.params)).rows;
}

/**
 * Resources included for the page `matches`. The first round applies every spec to the matches;
 * later rounds (up to maxDepth) apply only :iterate specs to what the previous round added.
 */
export async function fetchIncludes(sql: SqlExecutor, query: SearchQuery, matches: FoundRow[], opts: IncludeOptions): Promise<Resource[]> {
  if (matches.length === 0 || (query.include.length === 0 && query.revinclude.length === 0)) return [];
  const seen = new Set(matches.map((m) => m.rid));
  const out: Resource[] = [];
  let frontier = matches.map((m) => m.rid);
  for (let depth = 0; depth <= opts.maxDepth && frontier.length > 0 && out.length < opts.maxIncludes; depth++) {
    const inc = query.include.filter((s) => depth === 0 || s.iterate);
    const rev = query.revinclude.filter((s) => depth === 0 || s.iterate);
    if (inc.length === 0 && rev.length === 0) break;
    const limit = opts.maxIncludes - out.length;
    const rows = [
      // Every round is confined: an :iterate step never passes through a row the context may not see.
      ...(inc.length ? await includeStep(sql, frontier, inc, limit, query.restriction) : []),
      ...(rev.length ? await revincludeStep(sql, frontier, rev, limit, query.restriction) : []),
    ];
    frontier = [];
    for (const row of rows) {
      if (seen.has(row.rid) || out.length >= opts.maxIncludes) continue;
      seen.add(row.rid);
      out.push(row.content);
      frontier.push(row.rid);
    }
  }
  return out;
}
