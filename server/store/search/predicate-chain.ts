/**
 * Chained parameters (subject:Patient.name=x, FHIR search "chaining"): the resource refers, through
 * the parameter, to a live resource matching the inner criterion — or, for a local reference
 * (`#p1`), to a contained resource of its own that matches it ("a chained condition will be
 * evaluated inside contained resources").
 */
import type { Criterion } from '../../search/types';
import { containedParam } from '../../search/extract-contained';
import type { PredicateContext } from './predicate-common';
import { restrictionSql } from './row-restriction';
import { and } from './sql-builder';

type CriterionSql = (ctx: PredicateContext, c: Criterion) => string;

/** The rids of resources whose `c.code` reference targets a stored resource of `types` matching the inner criterion. */
function storedTargets(ctx: PredicateContext, c: Criterion, types: string[], inner: CriterionSql): string {
  const x = ctx.b.alias('c');
  const r2 = ctx.b.alias('r');
  const crit = c.chain?.criterion as Criterion;
  const cond = inner({ ...ctx, res: r2, ...(types.length === 1 ? { resType: types[0] } : { resType: undefined }) }, crit);
  const where = [`${x}.param = ${ctx.b.param(c.code)}`, `${x}.target_type = ANY(${ctx.b.param(types)}::text[])`];
  if (ctx.resType) where.push(`${x}.res_type = ${ctx.b.param(ctx.resType)}`);
  return (
    `SELECT ${x}.rid FROM idx_reference ${x} JOIN resource ${r2} ON ${r2}.res_type = ${x}.target_type AND ${r2}.id = ${x}.target_id ` +
    `WHERE ${where.join(' AND ')} AND ${r2}.deleted = false AND ${and([restrictionSql(ctx.b, r2, ctx.restriction, 'filter'), `(${cond})`])}`
  );
}

/** The rids of resources whose `c.code` is a local reference to one of their contained `type` resources matching the inner criterion. */
function containedTargets(ctx: PredicateContext, c: Criterion, type: string, inner: CriterionSql): string {
  const y = ctx.b.alias('l');
  const k = ctx.b.alias('k');
  const cond = inner({ b: ctx.b, registry: ctx.registry, res: k, contained: type, ...(ctx.codeSets ? { codeSets: ctx.codeSets } : {}) }, c.chain?.criterion as Criterion);
  const where = [`${y}.param = ${ctx.b.param(c.code)}`, `${y}.url LIKE '#%'`];
  if (ctx.resType) where.push(`${y}.res_type = ${ctx.b.param(ctx.resType)}`);
  // The fixed LIKE '#%' on k lets the planner use the partial index of contained rows (migration 005).
  return (
    `SELECT ${y}.rid FROM idx_reference ${y} JOIN idx_token ${k} ON ${k}.rid = ${y}.rid AND ${k}.param = ${ctx.b.param(containedParam(type, '_id'))} ` +
    `AND ${k}.param LIKE '#%' AND ${y}.url = '#' || ${k}.code WHERE ${where.join(' AND ')} AND (${cond})`
  );
}

/**
 * `res.rid IN (stored targets UNION ALL contained targets)`: an IN over a union (not an OR of
 * EXISTS) stays a semi-join the planner can drive from the inner criterion's index. Contained
 * targets are searched when the inner criterion can be answered inside a contained resource.
 */
export function chainPredicate(ctx: PredicateContext, c: Criterion, inner: CriterionSql, containedOk: (c: Criterion) => boolean): string {
  const chain = c.chain;
  if (!chain) return 'FALSE';
  const types = chain.targetType ? [chain.targetType] : (chain.targetTypes ?? []);
  if (types.length === 0) return 'FALSE';
  const sources = [storedTargets(ctx, c, types, inner)];
  if (!ctx.contained && containedOk(chain.criterion)) for (const t of types) sources.push(containedTargets(ctx, c, t, inner));
  return `${ctx.res}.rid IN (${sources.join(' UNION ALL ')})`;
}
