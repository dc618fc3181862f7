/** Reference predicates: Type/id (optionally version-specific), id, absolute/canonical URL, :[type], :identifier (idx_reference). */
import type { Criterion, ReferenceValue } from '../../search/types';
import { and, or } from './sql-builder';
import { indexExists, type PredicateContext } from './predicate-common';
import { shownReferenceRowSql } from './masked-rows';

export function referenceCondition(ctx: PredicateContext, a: string, v: ReferenceValue): string {
  const p = (x: string): string => ctx.b.param(x);
  if (v.identifierValue !== undefined || v.identifierSystem !== undefined) {
    return and([
      v.identifierValue !== undefined ? `${a}.ident_value = ${p(v.identifierValue)}` : `${a}.ident_value IS NOT NULL`,
      v.identifierSystem !== undefined ? `${a}.ident_system = ${p(v.identifierSystem)}` : '',
    ]);
  }
  const alts: string[] = [];
  // A version-independent value matches references to any version (R4 search §reference); a
  // version-specific one only references to that version.
  if (v.id !== undefined) {
    alts.push(and([
      `${a}.target_id = ${p(v.id)}`,
      v.targetType ? `${a}.target_type = ${p(v.targetType)}` : '',
      v.version !== undefined ? `${a}.target_version = ${p(v.version)}` : '',
    ]));
  }
  if (v.url !== undefined) alts.push(`${a}.url = ${p(v.url)}`);
  return or(alts);
}

export function referencePredicate(ctx: PredicateContext, c: Criterion, values: ReferenceValue[]): string {
  // Under a patient-context token a row counts only when its reference is shown to her (masked-rows.ts).
  return indexExists(ctx, 'idx_reference', c.code, (a) => values.map((v) => and([referenceCondition(ctx, a, v), shownReferenceRowSql(ctx.b, a, ctx.restriction)])));
}
