/**
 * Bundle.total: `accurate` counts; `estimate` counts too when PostgreSQL's planner says that is
 * cheap, and otherwise answers with the planner's row estimate (EXPLAIN), which costs no scan.
 */
import type { SqlExecutor } from '../sql';
import { SqlBuilder } from './sql-builder';

/** Above this planner cost (≈ pages read) an estimate is not worth an exact count. */
export const EXACT_COUNT_MAX_COST = 5000;

/** `where(b)` builds the WHERE clause on resource alias `r` into the given builder. */
export type WhereFn = (b: SqlBuilder) => string;

export async function countMatches(sql: SqlExecutor, where: WhereFn): Promise<number> {
  const b = new SqlBuilder();
  const text = `SELECT count(*)::text AS n FROM resource r WHERE ${where(b)}`;
  const res = await sql.query<{ n: string }>(text, b.params);
  return Number(res.rows[0]?.n ?? 0);
}

/** Rows of a query (`from(b)` builds its SQL), for matches that are not resource rows (contained resources). */
export async function countRows(sql: SqlExecutor, from: (b: SqlBuilder) => string): Promise<number> {
  const b = new SqlBuilder();
  const res = await sql.query<{ n: string }>(`SELECT count(*)::text AS n FROM (${from(b)}) q`, b.params);
  return Number(res.rows[0]?.n ?? 0);
}

interface PlanNode { 'Plan Rows'?: number; 'Total Cost'?: number }

/** The top plan node of `EXPLAIN (FORMAT JSON)`, whichever way the driver returns the JSON. */
function topPlan(rows: Record<string, unknown>[]): PlanNode | undefined {
  let raw = rows[0]?.['QUERY PLAN'];
  if (typeof raw === 'string') raw = JSON.parse(raw) as unknown;
  return Array.isArray(raw) ? (raw[0] as { Plan?: PlanNode } | undefined)?.Plan : undefined;
}

/** The planner's row estimate and cost for the matches of `where`. */
export async function planEstimate(sql: SqlExecutor, where: WhereFn): Promise<{ rows: number; cost: number } | undefined> {
  const b = new SqlBuilder();
  const { rows } = await sql.query<Record<string, unknown>>(`EXPLAIN (FORMAT JSON) SELECT 1 FROM resource r WHERE ${where(b)}`, b.params);
  const plan = topPlan(rows);
  if (!plan || typeof plan['Plan Rows'] !== 'number' || typeof plan['Total Cost'] !== 'number') return undefined;
  return { rows: Math.round(plan['Plan Rows']), cost: plan['Total Cost'] };
}

/** `_total=estimate`: exact when cheap, else the planner's estimate (never below `atLeast`, the matches already seen). */
export async function estimateMatches(sql: SqlExecutor, where: WhereFn, atLeast: number, maxExactCost = EXACT_COUNT_MAX_COST): Promise<number> {
  const plan = await planEstimate(sql, where);
  if (!plan || plan.cost <= maxExactCost) return countMatches(sql, where);
  return Math.max(plan.rows, atLeast);
}
