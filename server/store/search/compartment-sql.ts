/**
 * Compartment search (`/Patient/123/Observation`, `/Encounter/9/*`): the resources that refer to the
 * compartment's resource through one of the parameters its CompartmentDefinition lists for their
 * type, plus the compartment resource itself where the definition says `{def}` (FHIR compartments §).
 */
import type { SearchQuery } from '../../search/types';
import type { SearchRegistry } from '../../search/registry';
import type { SqlBuilder } from './sql-builder';

/** The compartment's own resource, in definitions that list its type with `{def}`. */
const SELF = '{def}';

/**
 * `r.rid IN (…)`: the reference rows pointing at the compartment resource (read from the target-id
 * index), filtered to the listed (type, parameter) pairs. One semi-join rather than one EXISTS per
 * type, so that `/Patient/123/*` costs what the patient's own rows cost. '' when no compartment.
 */
export function compartmentSql(b: SqlBuilder, query: SearchQuery, registry: SearchRegistry): string {
  const comp = query.compartment;
  if (!comp) return '';
  const types = query.resourceTypes.length ? query.resourceTypes : registry.compartmentTypes(comp.resourceType);
  const pairs: string[] = [];
  let self = false;
  for (const t of types) {
    for (const p of registry.compartmentParams(comp.resourceType, t)) {
      if (p === SELF) self = self || t === comp.resourceType;
      else pairs.push(`${t} ${p}`);
    }
  }
  const sources: string[] = [];
  if (pairs.length) {
    sources.push(
      `SELECT k.rid FROM idx_reference k WHERE k.target_id = ${b.param(comp.id)} AND k.target_type = ${b.param(comp.resourceType)} ` +
        `AND k.res_type || ' ' || k.param = ANY(${b.param(pairs)}::text[])`,
    );
  }
  if (self) sources.push(`SELECT d.rid FROM resource d WHERE d.res_type = ${b.param(comp.resourceType)} AND d.id = ${b.param(comp.id)}`);
  return sources.length ? `r.rid IN (${sources.join(' UNION ALL ')})` : 'FALSE';
}
