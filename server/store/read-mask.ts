/**
 * The read seam's element masking (core/foreign-mask.ts) for a patient-context token: applied by the Reader
 * to everything a read, vread, history page or search page (matches and includes) returns, so every caller
 * ($everything, Bundles, $document, conditional writes' reads) gets masked copies without doing anything.
 * References to Patients other than the token's are masked in memory; references to other resources are
 * masked when the target lies only in other patients' compartments, decided by one indexed query per answer.
 * That query judges each target by its current version (a deleted one by the version it was deleted in),
 * also for old versions (vread, history) that name it: the question is whether this token could reach the
 * target now, so a target moved to another patient since is masked and one moved to hers is shown.
 * References by identifier and nested Patients are judged against the token patient's own identifiers,
 * looked up (current version of her Patient) only when an answer has such an element. Nested resources (a
 * stored Bundle's entries, contained ones) are judged by their own Patient compartments, computed here from
 * the search registry exactly as the writer computes a stored version's `patients`.
 */
import type { Resource } from 'fhir/r4';
import type { RowRestriction } from '../core/access-context';
import { type ForeignRules, type MaskInputs, type OwnIdentifier, foreignRulesOf, maskForeign, maskInputs } from '../core/foreign-mask';
import { nestedCompartments } from '../search/patient-compartment';
import type { SearchRegistry } from '../search/registry';
import type { SqlExecutor } from './sql';
import type { StoredResource } from './types';

/** Non-Patient reference targets of `resources` that are in some compartment but not the token's patient's. */
async function foreignOnlyTargets(sql: SqlExecutor, restriction: RowRestriction, inputs: MaskInputs): Promise<Set<string>> {
  const exempt = new Set(['Patient', ...restriction.exemptTypes]);
  const keys = [...inputs.targets].map((t) => t.split('/') as [string, string]).filter(([type]) => !exempt.has(type));
  if (!keys.length) return new Set();
  const { rows } = await sql.query<{ res_type: string; id: string }>(
    `SELECT r.res_type, r.id FROM unnest($1::text[], $2::text[]) AS u(t, i) JOIN resource r ON r.res_type = u.t AND r.id = u.i
     WHERE cardinality(r.patients) > 0 AND NOT ($3 = ANY(r.patients))`,
    [keys.map((k) => k[0]), keys.map((k) => k[1]), restriction.patient],
    'twinfhir_foreign_targets',
  );
  return new Set(rows.map((r) => `${r.res_type}/${r.id}`));
}

/** The identifiers of the token's patient (none when her Patient is missing or deleted: then no identifier is hers). */
async function ownIdentifiers(sql: SqlExecutor, patient: string): Promise<OwnIdentifier[]> {
  const { rows } = await sql.query<{ identifier: string | null }>(
    `SELECT (content->'identifier')::text AS identifier FROM resource WHERE res_type = 'Patient' AND id = $1 AND NOT deleted`,
    [patient],
    'twinfhir_own_identifiers',
  );
  const parsed: unknown = rows[0]?.identifier ? JSON.parse(rows[0].identifier) : [];
  return Array.isArray(parsed) ? parsed.filter((i): i is OwnIdentifier => typeof i === 'object' && i !== null) : [];
}

/** The masking rules for one answer: one look-up of foreign-only targets, one of her identifiers if needed. */
async function rulesFor(sql: SqlExecutor, registry: SearchRegistry, restriction: RowRestriction, resources: readonly Resource[]): Promise<ForeignRules> {
  const inputs: MaskInputs = { targets: new Set(), identifiers: false };
  for (const r of resources) maskInputs(r, inputs);
  const own = inputs.identifiers && !restriction.exemptTypes.includes('Patient') ? await ownIdentifiers(sql, restriction.patient) : [];
  return foreignRulesOf(restriction, await foreignOnlyTargets(sql, restriction, inputs), own, nestedCompartments(registry));
}

/** Masks a list of resources (a search page, its includes) with one look-up for all of them. */
export async function maskResources(sql: SqlExecutor, registry: SearchRegistry, restriction: RowRestriction | undefined, resources: Resource[]): Promise<Resource[]> {
  if (!restriction || !resources.length) return resources;
  const rules = await rulesFor(sql, registry, restriction, resources);
  return resources.map((r) => maskForeign(r, rules));
}

/** Masks stored versions (read, vread, history entries); an unchanged one keeps its stored JSON text. */
export async function maskStored<T extends StoredResource>(sql: SqlExecutor, registry: SearchRegistry, restriction: RowRestriction | undefined, stored: T[]): Promise<T[]> {
  if (!restriction) return stored;
  const withContent = stored.filter((s) => s.resource);
  if (!withContent.length) return stored;
  const rules = await rulesFor(sql, registry, restriction, withContent.map((s) => s.resource as Resource));
  return stored.map((s) => {
    const resource = s.resource;
    if (!resource) return s;
    const masked = maskForeign(resource, rules);
    if (masked === resource) return s;
    const { json: _stale, resource: _original, ...rest } = s;
    return { ...rest, resource: masked } as T;
  });
}
