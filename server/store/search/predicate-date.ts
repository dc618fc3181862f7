/**
 * Date predicates on [low, high] ranges (FHIR search §3.1.1.4): eq = the search range contains the
 * value's range; gt/ge/lt/le = the value's range reaches beyond the search range (or eq); sa/eb =
 * entirely after/before; ap = overlaps the widened range.
 */
import type { Criterion, DateValue } from '../../search/types';
import { indexExists, type PredicateContext } from './predicate-common';

/** The condition for one value, given SQL expressions for the stored low and high bounds. */
export function dateCondition(ctx: PredicateContext, low: string, high: string, v: DateValue): string {
  // Placeholders are created only where used: an unreferenced $n has no type and fails to prepare.
  const ql = (): string => `${ctx.b.param(v.low)}::timestamptz`;
  const qh = (): string => `${ctx.b.param(v.high)}::timestamptz`;
  const eq = (): string => `${low} >= ${ql()} AND ${high} <= ${qh()}`;
  switch (v.prefix) {
    case 'eq': return eq();
    case 'ne': return `NOT (${eq()})`;
    case 'gt': return `${high} > ${qh()}`;
    case 'lt': return `${low} < ${ql()}`;
    case 'ge': return `${high} > ${qh()} OR (${eq()})`;
    case 'le': return `${low} < ${ql()} OR (${eq()})`;
    case 'sa': return `${low} > ${qh()}`;
    case 'eb': return `${high} < ${ql()}`;
    case 'ap': return `${low} <= ${qh()} AND ${high} >= ${ql()}`;
  }
}

export function datePredicate(ctx: PredicateContext, c: Criterion, values: DateValue[]): string {
  return indexExists(ctx, 'idx_date', c.code, (a) => values.map((v) => dateCondition(ctx, `${a}.low`, `${a}.high`, v)));
}
