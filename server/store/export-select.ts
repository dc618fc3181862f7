/**
 * The keyset-paged reads of an export, in SQL: one type in rid order, as of the job's transactionTime — a
 * resource changed or deleted after it is exported in the version current at that instant (from
 * resource_history), one created after it not at all — so an export is a consistent snapshot however long it
 * runs. `_typeFilter` queries (compiled by the search SQL, OR-ed), the Patient compartments of a cohort and
 * `_since` judge the current row's index; the caller's row restriction confines the current row and the
 * exported version alike. `includeAssociatedData` selects the Provenance whose target is an exported resource.
 */
import type { AccessContext } from '../core/access-context';
import type { SearchRegistry } from '../search/registry';
import type { TerminologyCache } from '../search/terminology-cache';
import type { ExportRow, ExportSelection } from './export-types';
import { readRestrictionOf } from './read-policy';
import { restrictionSql } from './search/row-restriction';
import { SqlBuilder, and, or } from './search/sql-builder';
import { whereSql } from './search/search-sql';
import type { CodeSet } from '../search/terminology';
import { resolveCodeSets } from './search/terminology-source';
import type { SqlExecutor } from './sql';

export interface ExportSelectDeps {
  registry: SearchRegistry;
  terminologyCache?: TerminologyCache;
}

/** The compartment self-reference marker in the CompartmentDefinition ('{def}': the Patient itself). */
const SELF = '{def}';

/** Resources of `type` in the Patient compartment of `patients` ('*': of any patient); '' for no restriction. */
function compartmentCondition(b: SqlBuilder, registry: SearchRegistry, type: string, patients: readonly string[] | '*'): string {
  const params = registry.compartmentParams('Patient', type);
  const refs = params.filter((p) => p !== SELF);
  // A patient is in its own compartment (compartmentdefinition-patient: "the Patient itself").
  const self = type === 'Patient' || params.includes(SELF);
  const any = patients === '*';
  if (any && self) return '';
  const parts: string[] = [];
  if (refs.length) {
    const ids = any ? '' : ` AND k.target_id = ANY(${b.param([...patients])}::text[])`;
    parts.push(`EXISTS (SELECT 1 FROM idx_reference k WHERE k.rid = r.rid AND k.param = ANY(${b.param(refs)}::text[]) AND k.target_type = 'Patient'${ids})`);
  }
  if (self && !any) parts.push(`r.id = ANY(${b.param([...patients])}::text[])`);
  return or(parts);
}

interface Ctx { b: SqlBuilder; registry: SearchRegistry; codeSets: Map<string, CodeSet>; until: string }

/** `r` (a current row) existed, not deleted, at the transactionTime. */
const existedAt = (c: Ctx): string =>
  `CASE WHEN r.last_updated <= ${c.until}::timestamptz THEN NOT r.deleted ELSE coalesce((SELECT NOT hv.deleted FROM resource_history hv
    WHERE hv.res_type = r.res_type AND hv.id = r.id AND hv.last_updated <= ${c.until}::timestamptz ORDER BY hv.version DESC LIMIT 1), false) END`;

/** What the selection itself asks of a row `r` of its type: filters, compartments, `_since` (on `updated`, the exported version's lastUpdated). */
function ownConditions(c: Ctx, s: ExportSelection, updated = 'r.last_updated'): string[] {
  const filters = s.filters.length ? [or(s.filters.map((f) => whereSql(c.b, { ...f, resourceTypes: [s.resourceType] }, c.registry, c.codeSets)))] : [];
  const since = s.since ? [`${updated} > ${c.b.param(s.since.toISOString())}::timestamptz`] : [];
  const compartment = s.patients ? [compartmentCondition(c.b, c.registry, s.resourceType, s.patients)] : [];
  return [...compartment, ...since, ...filters];
}

/**
 * Provenance `r` targets a resource one of `targets` exports (the inner `r` shadows the Provenance's);
 * 'latest': and no later Provenance (by lastUpdated, then rid) existing at the transactionTime targets it.
 */
function associatedCondition(c: Ctx, a: NonNullable<ExportSelection['associated']>, restriction: string): string {
  const targets = or(a.targets.map((t) => and([`r.res_type = ${c.b.param(t.resourceType)}`, ...ownConditions(c, t)])));
  const latest = a.mode === 'latest'
    ? ` AND NOT EXISTS (SELECT 1 FROM idx_reference k2 JOIN resource p2 ON p2.rid = k2.rid WHERE k2.target_id = pk.target_id AND k2.target_type = pk.target_type
        AND k2.param = 'target' AND k2.res_type = 'Provenance' AND NOT p2.deleted AND p2.last_updated <= ${c.until}::timestamptz AND (p2.last_updated, p2.rid) > (r.last_updated, r.rid))`
    : '';
  return `EXISTS (SELECT 1 FROM idx_reference pk WHERE pk.rid = r.rid AND pk.param = 'target'${latest}
    AND EXISTS (SELECT 1 FROM resource r WHERE r.res_type = pk.target_type AND r.id = pk.target_id AND ${and([existedAt(c), restriction, targets])}))`;
}

export async function selectExportRows(sql: SqlExecutor, d: ExportSelectDeps, ctx: AccessContext, s: ExportSelection, afterRid: string, limit: number): Promise<ExportRow[]> {
  const all = [s, ...(s.associated?.targets ?? [])];
  const codeSets = await resolveCodeSets(sql, all.flatMap((x) => x.filters.flatMap((f) => f.criteria)), d.terminologyCache);
  const b = new SqlBuilder();
  const c: Ctx = { b, registry: d.registry, codeSets, until: b.param(s.until.toISOString()) };
  const restriction = readRestrictionOf(ctx);
  // The caller's row restriction: the same fragment every search ANDs on its rows, on the current row and the exported version.
  const restricted = [restrictionSql(b, 'r', restriction), restriction ? `(r.last_updated <= ${c.until}::timestamptz OR ${restrictionSql(b, 'h', restriction, 'filter')})` : ''];
  const own = and(ownConditions(c, s, `(CASE WHEN r.last_updated <= ${c.until}::timestamptz THEN r.last_updated ELSE h.last_updated END)`));
  const associated = s.associated ? associatedCondition(c, s.associated, restrictionSql(b, 'r', restriction, 'filter')) : undefined;
  const selected = associated === undefined ? own : s.associated?.only ? associated : or([own, associated]);
  const text = `SELECT r.rid::text AS rid, (CASE WHEN r.last_updated <= ${c.until}::timestamptz THEN r.content ELSE h.content END)::text AS json
    FROM resource r LEFT JOIN LATERAL (SELECT hh.res_type, hh.content, hh.deleted, hh.patients, hh.last_updated FROM resource_history hh
      WHERE r.last_updated > ${c.until}::timestamptz AND hh.res_type = r.res_type AND hh.id = r.id AND hh.last_updated <= ${c.until}::timestamptz
      ORDER BY hh.version DESC LIMIT 1) h ON true
    WHERE ${and([`r.res_type = ${b.param(s.resourceType)}`, `r.rid > ${b.param(afterRid)}::bigint`,
      `CASE WHEN r.last_updated <= ${c.until}::timestamptz THEN NOT r.deleted ELSE h.deleted = false END`, ...restricted, selected])}
    ORDER BY r.rid LIMIT ${b.param(limit)}`;
  return (await sql.query<ExportRow>(text, b.params)).rows;
}
