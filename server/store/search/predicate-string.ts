/** String predicates: starts-with (default), :exact, :contains on normalised text (idx_string). */
import type { Criterion, StringValue } from '../../search/types';
import { escapeLike } from '../../search/normalize';
import { indexExists, type PredicateContext } from './predicate-common';

/** One string value on alias `a`: starts-with (default), :exact or :contains. */
export function stringCondition(ctx: PredicateContext, a: string, v: StringValue, modifier?: string): string {
  const p = (x: string): string => ctx.b.param(x);
  // :exact also tests norm so the (res_type, param, norm) index narrows the scan.
  if (modifier === 'exact') return `${a}.norm = ${p(v.norm)} AND ${a}.exact = ${p(v.value)}`;
  if (modifier === 'contains') return `${a}.norm LIKE ${p('%' + escapeLike(v.norm) + '%')}`;
  return `${a}.norm LIKE ${p(escapeLike(v.norm) + '%')}`;
}

export function stringPredicate(ctx: PredicateContext, c: Criterion, values: StringValue[]): string {
  return indexExists(ctx, 'idx_string', c.code, (a) => values.map((v) => stringCondition(ctx, a, v, c.modifier)));
}
