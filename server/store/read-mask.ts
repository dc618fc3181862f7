/**
 * The read seam's element masking (core/foreign-mask.ts) for a patient-context token: applied by the Reader
 * to everything a read, vread, history page or search page (matches and includes) returns, so every caller
 * ($everything, Bundles, $document, conditional writes' reads) gets masked copies without doing anything.
 * References to Patients other than the token's are masked in memory; references to other resources are
 * masked when the target lies only in other patients' compartments, decided by one indexed query per answer.
 */
import type { Resource } from 'fhir/r4';
import type { RowRestriction } from '../core/access-context';
import { foreignTestOf, maskForeign, referenceTargets } from '../core/foreign-mask';
import type { SqlExecutor } from './sql';
import type { StoredResource } from './types';

/** Non-Patient reference targets of `resources` that are in some compartment but not the token's patient's. */
async function foreignOnlyTargets(sql: SqlExecutor, restriction: RowRestriction, resources: readonly Resource[]): Promise<Set<string>> {
  const targets = new Set<string>();
  for (const r of resources) referenceTargets(r, targets);
  const exempt = new Set(['Patient', ...restriction.exemptTypes]);
  const keys = [...targets].map((t) => t.split('/') as [string, string]).filter(([type]) => !exempt.has(type));
  if (!keys.length) return new Set();
  const { rows } = await sql.query<{ res_type: string; id: string }>(
    `SELECT r.res_type, r.id FROM unnest($1::text[], $2::text[]) AS u(t, i) JOIN resource r ON r.res_type = u.t AND r.id = u.i
     WHERE cardinality(r.patients) > 0 AND NOT ($3 = ANY(r.patients))`,
    [keys.map((k) => k[0]), keys.map((k) => k[1]), restriction.patient],
    'twinfhir_foreign_targets',
  );
  return new Set(rows.map((r) => `${r.res_type}/${r.id}`));
}

/** Masks a list of resources (a search page, its includes) with one look-up for all of them. */
export async function maskResources(sql: SqlExecutor, restriction: RowRestriction | undefined, resources: Resource[]): Promise<Resource[]> {
  if (!restriction || !resources.length) return resources;
  const foreign = foreignTestOf(restriction, await foreignOnlyTargets(sql, restriction, resources));
  return resources.map((r) => maskForeign(r, foreign));
}

/** Masks stored versions (read, vread, history entries); an unchanged one keeps its stored JSON text. */
export async function maskStored<T extends StoredResource>(sql: SqlExecutor, restriction: RowRestriction | undefined, stored: T[]): Promise<T[]> {
  if (!restriction) return stored;
  const withContent = stored.filter((s) => s.resource);
  if (!withContent.length) return stored;
  const foreign = foreignTestOf(restriction, await foreignOnlyTargets(sql, restriction, withContent.map((s) => s.resource as Resource)));
  return stored.map((s) => {
    const resource = s.resource;
    if (!resource) return s;
    const masked = maskForeign(resource, foreign);
    if (masked === resource) return s;
    const { json: _stale, resource: _original, ...rest } = s;
    return { ...rest, resource: masked } as T;
  });
}
