/**
 * AND-ed repeats of one parameter (`name=a&name=b&…`) as one scan of its index rows instead of one
 * EXISTS per repeat: a hundred semi-joins make PostgreSQL's planner (and executor) do work that
 * grows much faster than the request, whereas one GROUP BY rid HAVING bool_or(v1) AND bool_or(v2)…
 * reads the parameter's rows once.
 */
import type { Criterion } from '../../search/types';
import { and, or } from './sql-builder';
import type { PredicateContext } from './predicate-common';
import { TABLE_BY_TYPE } from './predicate-composite';

type CriterionSql = (ctx: PredicateContext, c: Criterion) => string;

/** Modifiers whose SQL is not one positive condition on the parameter's own index rows. */
const OWN_SQL_MODIFIERS = new Set(['missing', 'not', 'in', 'not-in', 'above', 'below', 'text']);
const COLUMN_CODES = new Set(['_id', '_lastUpdated', '_content', '_text']);

/** The index table whose rows alone answer `c`, or undefined when it needs SQL of its own. */
function sharedTable(c: Criterion): string | undefined {
  const type = c.definition?.type;
  if (!type || type === 'composite' || type === 'special' || c.chain || c.has || COLUMN_CODES.has(c.code)) return undefined;
  if (c.modifier && OWN_SQL_MODIFIERS.has(c.modifier)) return undefined;
  return TABLE_BY_TYPE[type];
}

function groupSql(ctx: PredicateContext, table: string, group: Criterion[], criterionSql: CriterionSql): string {
  const a = ctx.b.alias('g');
  const conds = group.map((c) => criterionSql({ ...ctx, shared: { alias: a, table } }, c));
  const where = and([
    ctx.resType ? `${a}.res_type = ${ctx.b.param(ctx.resType)}` : '',
    `${a}.param = ${ctx.b.param(group[0].code)}`,
    or(conds),
  ]);
  return `${ctx.res}.rid IN (SELECT ${a}.rid FROM ${table} ${a} WHERE ${where} GROUP BY ${a}.rid HAVING ${conds.map((c) => `bool_or(${c})`).join(' AND ')})`;
}

/**
 * The SQL conditions of `criteria` (AND-ed by the caller): repeats of one parameter with the same
 * modifier share a scan; everything else goes through criterionSql as before.
 */
export function criteriaSql(ctx: PredicateContext, criteria: Criterion[], criterionSql: CriterionSql): string[] {
  if (ctx.contained) return criteria.map((c) => criterionSql(ctx, c));
  const groups = new Map<string, { table: string; list: Criterion[] }>();
  const out: (string | { key: string })[] = [];
  for (const c of criteria) {
    const table = sharedTable(c);
    if (!table) {
      out.push(criterionSql(ctx, c));
      continue;
    }
    const key = `${c.code}:${c.modifier ?? ''}`;
    const g = groups.get(key);
    if (g) g.list.push(c);
    else {
      groups.set(key, { table, list: [c] });
      out.push({ key });
    }
  }
  return out.map((o) => {
    if (typeof o === 'string') return o;
    const g = groups.get(o.key) as { table: string; list: Criterion[] };
    return g.list.length === 1 ? criterionSql(ctx, g.list[0]) : groupSql(ctx, g.table, g.list, criterionSql);
  });
}
