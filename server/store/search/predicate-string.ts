/** String predicates: starts-with (default), :exact, :contains on normalised text (idx_string). */
import type { Criterion, StringValue } from '../../search/types';
import { escapeLike } from '../../search/normalize';
import { indexExists, type PredicateContext } from './predicate-common';

export function stringPredicate(ctx: PredicateContext, c: Criterion, values: StringValue[]): string {
  const p = (x: string): string => ctx.b.param(x);
  return indexExists(ctx, 'idx_string', c.code, (a) =>
    values.map((v) => {
      // :exact also tests norm so the (res_type, param, norm) index narrows the scan.
      if (c.modifier === 'exact') return `${a}.norm = ${p(v.norm)} AND ${a}.exact = ${p(v.value)}`;
      if (c.modifier === 'contains') return `${a}.norm LIKE ${p('%' + escapeLike(v.norm) + '%')}`;
      return `${a}.norm LIKE ${p(escapeLike(v.norm) + '%')}`;
    }),
  );
}
