/**
 * Search under a patient-context token matches only what the token is shown (issue 11: no existence oracle
 * on masked elements). The read seam masks other patients' references, identifiers and nested resources in
 * every answer (core/foreign-mask.ts); a search predicate that looked at those elements would still tell her
 * that a hidden element holds a value. So, in the SQL of the match (totals and pages stay right):
 * - a reference index row counts only when the reference it came from is shown to her: not to another Patient,
 *   not an identifier (of a Patient or of an unknown type) other than her Patient's own, not to a resource in
 *   other patients' compartments only (the same three rules as the mask, judged on the row's own columns);
 * - _content and _text match the full text only when the resource masks nothing for her (idx_text.owner and
 *   targets, computed at index time, search/text-ownership.ts), else _content matches the words every masked
 *   copy keeps (shared_content) and _text (a masked copy has no narrative) nothing.
 */
import type { RowRestriction } from '../../core/access-context';
import type { ParamBinder } from './row-restriction';
import { EVERYONE } from '../../search/text-ownership';

const PATIENT_TYPES = `('Patient', 'http://hl7.org/fhir/StructureDefinition/Patient')`;

/** One of her Patient's identifiers has this value and system (any system when it is NULL): the mask's own-identifier rule. */
function ownIdentifierSql(b: ParamBinder, patient: string, system: string, value: string): string {
  // Aliases of their own: `system` and `value` are expressions on the caller's aliases.
  return `EXISTS (SELECT 1 FROM resource own_p, jsonb_array_elements(CASE WHEN jsonb_typeof(own_p.content->'identifier') = 'array' THEN own_p.content->'identifier' ELSE '[]'::jsonb END) AS own_i(v)
    WHERE own_p.res_type = 'Patient' AND own_p.id = ${b.param(patient)} AND NOT own_p.deleted AND own_i.v->>'value' = ${value}
    AND (${system} IS NULL OR own_i.v->>'system' = ${system}))`;
}

/** An idx_reference row (alias `a`) whose reference the token is shown; '' without a restriction. */
export function shownReferenceRowSql(b: ParamBinder, a: string, restriction: RowRestriction | undefined): string {
  if (!restriction) return '';
  const conds: string[] = [];
  const exempt = restriction.exemptTypes;
  if (!exempt.includes('Patient')) {
    conds.push(`NOT (${a}.target_type = 'Patient' AND ${a}.target_id IS NOT NULL AND ${a}.target_id <> ${b.param(restriction.patient)})`);
    conds.push(`(${a}.ident_value IS NULL OR (${a}.target_type IS NOT NULL AND ${a}.target_type NOT IN ${PATIENT_TYPES}) OR ${ownIdentifierSql(b, restriction.patient, `${a}.ident_system`, `${a}.ident_value`)})`);
  }
  conds.push(`NOT EXISTS (SELECT 1 FROM resource t WHERE t.res_type = ${a}.target_type AND t.id = ${a}.target_id AND ${foreignOnlySql(b, 't', restriction)})`);
  return conds.join(' AND ');
}

/**
 * The resource row `t` (a reference's target) is masked for the token: not a Patient (those are judged by id),
 * of a type no broad scope exempts, in some compartment but not hers — read-mask.ts foreignOnlyTargets, by
 * the target's current version as there.
 */
function foreignOnlySql(b: ParamBinder, t: string, restriction: RowRestriction): string {
  return `${t}.res_type <> 'Patient' AND NOT (${t}.res_type = ANY(${b.param([...restriction.exemptTypes])}::text[]))
    AND cardinality(${t}.patients) > 0 AND NOT (${b.param(restriction.patient)} = ANY(${t}.patients))`;
}

/**
 * The full-text condition for `_content` / `_text` on idx_text alias `a`, `query` being the tsquery SQL:
 * the full text where the resource masks nothing for her, else the masked copy's (`shared_content`; no narrative).
 * Rows indexed before migration 017 and not yet back-filled (owner NULL) match no restricted search.
 */
export function shownTextSql(b: ParamBinder, a: string, column: 'content' | 'narrative', query: string, restriction: RowRestriction | undefined): string {
  if (!restriction) return `${a}.${column} @@ ${query}`;
  // A target in other patients' compartments only is masked, and the narrative with it: the whole text is not hers then.
  const maskedTarget = `EXISTS (SELECT 1 FROM unnest(${a}.targets) AS g(k) JOIN resource t ON t.res_type = split_part(g.k, '/', 1) AND t.id = split_part(g.k, '/', 2)
    WHERE ${foreignOnlySql(b, 't', restriction)})`;
  // Identifiers shown only to their holder: every one must be hers.
  const othersIdentifier = `EXISTS (SELECT 1 FROM unnest(${a}.idents) AS d(k) WHERE NOT ${ownIdentifierSql(b, restriction.patient, `(d.k::jsonb->>0)`, `(d.k::jsonb->>1)`)})`;
  const whole = `(${a}.owner IN (${b.param(EVERYONE)}, ${b.param(restriction.patient)}) AND ${a}.${column} @@ ${query} AND NOT ${maskedTarget} AND NOT ${othersIdentifier})`;
  return column === 'content' ? `(${whole} OR ${a}.shared_content @@ ${query})` : whole;
}

/**
 * A contained resource (its `#Type:_id` row, alias `c`) that her copy shows, for `_contained` searches: the
 * mask cuts a contained Patient unless it has identifiers and all are hers, and another contained resource
 * when it is in other patients' compartments and not hers (core/foreign-mask.ts). Judged on the contained
 * resource's own index rows (same rid and group); '' without a restriction.
 */
export function shownContainedSql(b: ParamBinder, c: string, type: string, compartmentParams: readonly string[], restriction: RowRestriction | undefined): string {
  if (!restriction || restriction.exemptTypes.includes(type)) return '';
  const same = (i: string, params: string): string => `${i}.rid = ${c}.rid AND ${i}.grp = ${c}.grp AND ${i}.param = ANY(${params}::text[])`;
  if (type === 'Patient') {
    const ident = b.param(['#Patient:identifier']);
    return `EXISTS (SELECT 1 FROM idx_token ct WHERE ${same('ct', ident)}) AND NOT EXISTS (SELECT 1 FROM idx_token ct WHERE ${same('ct', ident)}
      AND NOT ${ownIdentifierSql(b, restriction.patient, 'ct.system', 'ct.code')})`;
  }
  if (!compartmentParams.length) return '';
  const params = b.param(compartmentParams.map((p) => `#${type}:${p}`));
  const patientRow = (extra: string): string => `EXISTS (SELECT 1 FROM idx_reference ct WHERE ${same('ct', params)} AND ct.target_type = 'Patient'${extra})`;
  return `NOT (${patientRow('')} AND NOT ${patientRow(` AND ct.target_id = ${b.param(restriction.patient)}`)})`;
}
