/** Token predicates: system|code forms, :not, :text, :of-type (idx_token). */
import type { Criterion, TokenValue } from '../../search/types';
import { escapeLike } from '../../search/normalize';
import { TERMINOLOGY_MODIFIERS, codeSetKey, type CodeSet } from '../../search/terminology';
import { and, or } from './sql-builder';
import { indexExists, type PredicateContext } from './predicate-common';

/** A token row whose coding is in the set: per system, `system = $s AND code = ANY($codes)` (the value index serves it). */
function codeSetCondition(ctx: PredicateContext, a: string, set: CodeSet): string {
  const p = (x: string | string[]): string => ctx.b.param(x);
  const alts: string[] = [];
  for (const [system, codes] of set.codes) {
    if (codes.size) alts.push(`${a}.system = ${p(system)} AND ${a}.code = ANY(${p([...codes])}::text[])`);
  }
  for (const [system, excluded] of set.systems) {
    alts.push(excluded.size ? `${a}.system = ${p(system)} AND ${a}.code <> ALL(${p([...excluded])}::text[])` : `${a}.system = ${p(system)}`);
  }
  return or(alts);
}

/** :in / :not-in (stored ValueSets) and :above / :below (stored CodeSystem hierarchies). */
function terminologyPredicate(ctx: PredicateContext, c: Criterion, values: TokenValue[], modifier: string): string {
  const sets = values.map((v) => {
    const set = ctx.codeSets?.get(codeSetKey(modifier, v));
    if (!set) throw new Error(`code set for ':${modifier}' was not resolved`);
    return set;
  });
  return indexExists(ctx, 'idx_token', c.code, (a) => sets.map((s) => codeSetCondition(ctx, a, s)), modifier === 'not-in');
}

export function tokenCondition(ctx: PredicateContext, a: string, v: TokenValue): string {
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
  if (c.modifier && TERMINOLOGY_MODIFIERS.has(c.modifier)) return terminologyPredicate(ctx, c, values, c.modifier);
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
