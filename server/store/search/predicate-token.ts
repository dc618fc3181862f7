/** Token predicates: system|code forms, :not, :text, :of-type (idx_token). */
import type { Criterion, TokenValue } from '../../search/types';
import { escapeLike } from '../../search/normalize';
import { and } from './sql-builder';
import { indexExists, type PredicateContext } from './predicate-common';

function tokenCondition(ctx: PredicateContext, a: string, v: TokenValue): string {
  const p = (x: string | null): string => ctx.b.param(x);
  if (v.text !== undefined) {
    // Starts-with on the normalised display, at the start of the text or of any word in it.
    return `${a}.display LIKE ${p(escapeLike(v.text) + '%')} OR ${a}.display LIKE ${p('% ' + escapeLike(v.text) + '%')}`;
  }
  const parts: string[] = [];
  if (v.code !== undefined) parts.push(`${a}.code = ${p(v.code)}`);
  if (v.system === null) parts.push(`${a}.system IS NULL`);
  else if (v.system !== undefined) parts.push(`${a}.system = ${p(v.system)}`);
  if (v.typeSystem !== undefined) parts.push(`${a}.type_system = ${p(v.typeSystem)}`);
  if (v.typeCode !== undefined) parts.push(`${a}.type_code = ${p(v.typeCode)}`);
  return and(parts);
}

/** Token criterion on idx_token; `:not` is "no value matches" (so resources without the element match too). */
export function tokenPredicate(ctx: PredicateContext, c: Criterion, values: TokenValue[]): string {
  return indexExists(ctx, 'idx_token', c.code, (a) => {
    // Plain codes (the common OR list) collapse into one = ANY($n).
    const plain = values.filter((v) => v.code !== undefined && v.system === undefined && v.text === undefined && v.typeCode === undefined);
    const rest = values.filter((v) => !plain.includes(v));
    const conds = rest.map((v) => tokenCondition(ctx, a, v));
    if (plain.length === 1) conds.unshift(`${a}.code = ${ctx.b.param(plain[0].code ?? null)}`);
    else if (plain.length > 1) conds.unshift(`${a}.code = ANY(${ctx.b.param(plain.map((v) => v.code ?? ''))}::text[])`);
    return conds;
  }, c.modifier === 'not');
}
