/** Uri predicates: exact, :below (prefix of the stored value), :above (stored value is a prefix) (idx_uri). */
import type { Criterion, UriValue } from '../../search/types';
import { escapeLike } from '../../search/normalize';
import { indexExists, type PredicateContext } from './predicate-common';

/** One uri value on alias `a`: exact, :below or :above. */
export function uriCondition(ctx: PredicateContext, a: string, v: UriValue, modifier?: string): string {
  if (modifier === 'below') return `${a}.value LIKE ${ctx.b.param(escapeLike(v.value) + '%')}`;
  if (modifier === 'above') return `starts_with(${ctx.b.param(v.value)}::text, ${a}.value)`;
  return `${a}.value = ${ctx.b.param(v.value)}`;
}

export function uriPredicate(ctx: PredicateContext, c: Criterion, values: UriValue[]): string {
  return indexExists(ctx, 'idx_uri', c.code, (a) => values.map((v) => uriCondition(ctx, a, v, c.modifier)));
}
