/**
 * Composite predicates (FHIR search §3.1.1.5.11). Over sub-elements, every component's row must
 * come from the same element: the component tables are joined on (rid, grp), e.g.
 *   EXISTS (SELECT 1 FROM idx_token g1 JOIN idx_quantity g2 ON g2.rid = g1.rid AND g2.param = $ AND g2.grp = g1.grp
 *           WHERE g1.rid = r.rid AND g1.param = $ AND <token> AND <quantity>)
 * Resource-level composites (Observation code-value-*) AND the components' own predicates.
 */
import type { CompositeValue, Criterion, SearchValue } from '../../search/types';
import { and, or } from './sql-builder';
import type { PredicateContext } from './predicate-common';
import { dateCondition } from './predicate-date';
import { numberCondition, quantityCondition } from './predicate-number';
import { referenceCondition } from './predicate-reference';
import { stringCondition } from './predicate-string';
import { tokenCondition } from './predicate-token';
import { uriCondition } from './predicate-uri';

export const TABLE_BY_TYPE: Record<string, string> = {
  token: 'idx_token', string: 'idx_string', reference: 'idx_reference', date: 'idx_date',
  number: 'idx_number', quantity: 'idx_quantity', uri: 'idx_uri',
};

/** The condition of one component value on its alias. */
function valueCondition(ctx: PredicateContext, a: string, v: SearchValue): string {
  switch (v.kind) {
    case 'token': return tokenCondition(ctx, a, v);
    case 'string': return stringCondition(ctx, a, v);
    case 'date': return dateCondition(ctx, `${a}.low`, `${a}.high`, v);
    case 'number': return numberCondition(ctx, a, v);
    case 'quantity': return quantityCondition(ctx, a, v);
    case 'reference': return referenceCondition(ctx, a, v);
    case 'uri': return uriCondition(ctx, a, v);
    default: return 'FALSE';
  }
}

function groupedCondition(ctx: PredicateContext, v: CompositeValue): string {
  const aliases = v.components.map(() => ctx.b.alias('g'));
  const [first] = aliases;
  // res_type on every alias lets each side use its (res_type, param, value…) index.
  const type = (a: string): string => (ctx.resType ? ` AND ${a}.res_type = ${ctx.b.param(ctx.resType)}` : '');
  const joins = v.components.slice(1).map((c, i) => {
    const a = aliases[i + 1];
    return `JOIN ${TABLE_BY_TYPE[c.type]} ${a} ON ${a}.rid = ${first}.rid AND ${a}.param = ${ctx.b.param(c.code)} AND ${a}.grp = ${first}.grp${type(a)}`;
  });
  const where = [`${first}.rid = ${ctx.res}.rid`];
  if (ctx.resType) where.push(`${first}.res_type = ${ctx.b.param(ctx.resType)}`);
  where.push(`${first}.param = ${ctx.b.param(v.components[0].code)}`);
  v.components.forEach((c, i) => where.push(`(${valueCondition(ctx, aliases[i], c.value)})`));
  return `EXISTS (SELECT 1 FROM ${TABLE_BY_TYPE[v.components[0].type]} ${first} ${joins.join(' ')} WHERE ${where.join(' AND ')})`;
}

/** Values are OR-ed; `single` builds the SQL of a one-value criterion (resource-level components). */
export function compositePredicate(ctx: PredicateContext, list: CompositeValue[], single: (ctx: PredicateContext, c: Criterion) => string): string {
  return or(list.map((v) => {
    if (v.strategy === 'grouped') return groupedCondition(ctx, v);
    return and(v.components.map((comp) => single(ctx, {
      code: comp.code, definition: { url: '', code: comp.code, base: [], type: comp.type }, values: [], parsed: [comp.value],
    })));
  }));
}
