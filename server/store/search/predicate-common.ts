/** What every per-type predicate builder needs: the builder, the resource alias, and EXISTS over an index table. */
import type { SearchRegistry } from '../../search/registry';
import type { CodeSet } from '../../search/terminology';
import type { RowRestriction } from '../../core/access-context';
import type { SqlBuilder } from './sql-builder';
import { or } from './sql-builder';
import { containedParam } from '../../search/extract-contained';

export interface PredicateContext {
  b: SqlBuilder;
  registry: SearchRegistry;
  /** Alias of the resource row being filtered (r, r2…). */
  res: string;
  /** The row's resource type when it is known to be exactly one (lets the planner use the value indexes). */
  resType?: string;
  /** Code sets of :in / :not-in / :above / :below values, resolved before the SQL is built (by codeSetKey). */
  codeSets?: Map<string, CodeSet>;
  /**
   * Searching inside contained resources of this type: `res` is then the alias of a contained
   * resource's `#Type:_id` row (idx_token), and its rows are those of the same rid and group.
   */
  contained?: string;
  /**
   * Set while AND-ed repeats of one parameter are merged (predicate-group.ts): indexExists then
   * returns only its OR-ed condition on this alias of `table`, and the caller wraps them all in one scan.
   */
  shared?: { alias: string; table: string };
  /** The search's row restriction: also confines the other resources a criterion looks at (chain targets, _has sources). */
  restriction?: RowRestriction;
}

/**
 * `EXISTS (SELECT 1 FROM <table> a WHERE a.rid = res.rid AND a.param = $p AND (cond1 OR cond2…))`;
 * `conds` builds the OR-ed per-value conditions on the alias.
 */
export function indexExists(ctx: PredicateContext, table: string, param: string, conds: (a: string) => string[], negate = false): string {
  if (ctx.shared) {
    if (ctx.shared.table !== table || negate) throw new Error(`criterion on ${table} cannot share a scan of ${ctx.shared.table}`);
    return `(${or(conds(ctx.shared.alias))})`;
  }
  const a = ctx.b.alias('i');
  const where = [`${a}.rid = ${ctx.res}.rid`];
  if (ctx.contained) where.push(`${a}.grp = ${ctx.res}.grp`);
  else if (ctx.resType) where.push(`${a}.res_type = ${ctx.b.param(ctx.resType)}`);
  where.push(`${a}.param = ${ctx.b.param(ctx.contained ? containedParam(ctx.contained, param) : param)}`);
  const c = conds(a);
  if (c.length) where.push(`(${or(c)})`);
  return `${negate ? 'NOT ' : ''}EXISTS (SELECT 1 FROM ${table} ${a} WHERE ${where.join(' AND ')})`;
}
