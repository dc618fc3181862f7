/**
 * Number and quantity predicates. The stored value is compared with the search value's precision
 * range (`100` → [99.5, 100.5)); quantities compare in canonical UCUM units when the search unit converts.
 */
import type { Criterion, NumberValue, QuantityValue, SearchPrefix } from '../../search/types';
import { and } from './sql-builder';
import { indexExists, type PredicateContext } from './predicate-common';

interface Bounds { value: string; low: string; high: string }

function compare(ctx: PredicateContext, col: string, prefix: SearchPrefix, q: Bounds): string {
  const p = (x: string): string => `${ctx.b.param(x)}::numeric`;
  switch (prefix) {
    case 'eq': return `${col} >= ${p(q.low)} AND ${col} < ${p(q.high)}`;
    case 'ne': return `NOT (${col} >= ${p(q.low)} AND ${col} < ${p(q.high)})`;
    case 'gt': return `${col} > ${p(q.value)}`;
    case 'lt': return `${col} < ${p(q.value)}`;
    case 'ge': return `${col} >= ${p(q.value)}`;
    case 'le': return `${col} <= ${p(q.value)}`;
    case 'sa': return `${col} >= ${p(q.high)}`;
    case 'eb': return `${col} < ${p(q.low)}`;
    case 'ap': return `${col} >= ${p(q.low)} AND ${col} <= ${p(q.high)}`;
  }
}

export const numberCondition = (ctx: PredicateContext, a: string, v: NumberValue): string => compare(ctx, `${a}.value`, v.prefix, v);

export function numberPredicate(ctx: PredicateContext, c: Criterion, values: NumberValue[]): string {
  return indexExists(ctx, 'idx_number', c.code, (a) => values.map((v) => numberCondition(ctx, a, v)));
}

export function quantityCondition(ctx: PredicateContext, a: string, v: QuantityValue): string {
  if (v.canonical) {
    return and([`${a}.canon_code = ${ctx.b.param(v.canonical.code)}`, compare(ctx, `${a}.canon_value`, v.prefix, v.canonical)]);
  }
  const parts: string[] = [];
  if (v.system) parts.push(`${a}.system = ${ctx.b.param(v.system)}`);
  if (v.code && v.system) parts.push(`${a}.code = ${ctx.b.param(v.code)}`);
  // Without a system the unit may be written as a code or as a human-readable unit.
  else if (v.code) parts.push(`(${a}.code = ${ctx.b.param(v.code)} OR ${a}.unit = ${ctx.b.param(v.code)})`);
  parts.push(compare(ctx, `${a}.value`, v.prefix, v));
  return and(parts);
}

export function quantityPredicate(ctx: PredicateContext, c: Criterion, values: QuantityValue[]): string {
  return indexExists(ctx, 'idx_quantity', c.code, (a) => values.map((v) => quantityCondition(ctx, a, v)));
}
