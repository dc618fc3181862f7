/**
 * The one SQL fragment that confines a patient-context token to its patient's compartment. Every query the
 * store runs for such a context — search matches, counts, cursor pages, each _include/_revinclude round,
 * chain targets and _has sources, contained-resource searches, reads, vreads and history — ANDs it on each
 * resource row it may show or test, on `resource` and `resource_history` alike (both carry the version's
 * `patients`, migration 010), so totals, pages and includes never see a foreign row. Index-backed: the GIN
 * indexes on `patients` answer `@>`; when the query is of one type, the type-qualified keys of migration 011
 * (`Type/patientId`) do, so the index yields only that type's rows of the patient.
 */
import type { RowRestriction } from '../../core/access-context';
import type { SqlParam } from '../sql';

/** Anything that binds a value as a `$n` placeholder (SqlBuilder, the history reader's list). */
export interface ParamBinder { param(value: SqlParam): string }

/**
 * `alias`'s row is visible under the restriction; '' when there is none. `filter` is for rows already found
 * by their rid or reference (include rounds, chain targets, _has sources): the condition is then written so
 * that it cannot use the GIN index, else the planner may read all of the patient's rows to check a handful.
 */
export function restrictionSql(b: ParamBinder, alias: string, restriction: RowRestriction | undefined, use: 'index' | 'filter' = 'index', resType?: string): string {
  if (!restriction) return '';
  if (use === 'index' && resType !== undefined) {
    // The caller also constrains res_type to this type: an exempt type sees every row, else one posting list.
    if (restriction.exemptTypes.includes(resType)) return '';
    return `twinfhir_typed_patients(${alias}.res_type, ${alias}.patients) @> ARRAY[${b.param(`${resType}/${restriction.patient}`)}]::text[]`;
  }
  const p = b.param(restriction.patient);
  const member = use === 'index' ? `${alias}.patients @> ARRAY[${p}]::text[]` : `${p} = ANY(${alias}.patients)`;
  if (!restriction.exemptTypes.length) return member;
  return `(${alias}.res_type = ANY(${b.param([...restriction.exemptTypes])}::text[]) OR ${member})`;
}

/** Is a version with these compartments visible (the same rule, in memory, for rows already in hand)? */
export function visibleUnder(restriction: RowRestriction | undefined, resourceType: string, patients: readonly string[] | null): boolean {
  if (!restriction || restriction.exemptTypes.includes(resourceType)) return true;
  return patients?.includes(restriction.patient) ?? false;
}
