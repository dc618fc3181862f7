/** History reads (instance, type, system) newest first, paged by keyset over (last_updated, type, id, version). */
import { signCursor, verifyCursor } from './cursor';
import type { SqlExecutor, SqlParam } from './sql';
import { toStored } from './rows';
import type { HistoryPage, HistoryQuery } from './types';
import type { RowRestriction } from '../core/access-context';
import { restrictionSql } from './search/row-restriction';

type HistoryRow = { res_type: string; id: string; version: number; last_updated: Date; deleted: boolean; content: null; method: 'create' | 'update' | 'delete' };
type Position = [string, string, string, number];

/** History under a row restriction shows only versions that were in the compartment themselves (each history row's `patients`). */
export async function readHistory(sql: SqlExecutor, q: HistoryQuery, secret: string, restriction?: RowRestriction): Promise<HistoryPage> {
  const where: string[] = [];
  const params: SqlParam[] = [];
  const add = (clause: (n: string) => string, value: SqlParam): void => {
    params.push(value);
    where.push(clause(`$${params.length}`));
  };
  if (q.resourceType) add((n) => `res_type = ${n}`, q.resourceType);
  else if (q.excludeTypes?.length) add((n) => `res_type <> ALL(${n}::text[])`, q.excludeTypes);
  if (q.id) add((n) => `id = ${n}`, q.id);
  if (q.since) add((n) => `last_updated >= ${n}`, q.since);
  if (q.before) add((n) => `last_updated < ${n}`, q.before);
  const confine = restrictionSql({ param: (v) => (params.push(v), `$${params.length}`) }, 'resource_history', restriction, 'index', q.resourceType);
  if (confine) where.push(confine);
  const filter = [...where];
  const filterParams = params.length;
  if (q.cursor) {
    const [ts, type, id, version] = verifyCursor<Position>(q.cursor, secret, '_page');
    params.push(ts, type, id, version);
    const n = params.length;
    where.push(`(last_updated, res_type, id, version) < ($${n - 3}::timestamptz, $${n - 2}, $${n - 1}, $${n})`);
  }
  const whereSql = where.length ? `WHERE ${where.join(' AND ')}` : '';
  params.push(q.count + 1);
  const { rows } = await sql.query<HistoryRow>(
    `SELECT res_type, id, version, last_updated, deleted, method, content FROM resource_history ${whereSql}
     ORDER BY last_updated DESC, res_type DESC, id DESC, version DESC LIMIT $${params.length}`,
    params,
  );
  const page = rows.slice(0, q.count);
  const last = page[page.length - 1];
  const result: HistoryPage = { entries: page.map((r) => ({ ...toStored(r), method: r.method })) };
  if (rows.length > q.count && last) {
    result.nextCursor = signCursor([new Date(last.last_updated).toISOString(), last.res_type, last.id, Number(last.version)] satisfies Position, secret);
  }
  if (q.id && !q.cursor) {
    // Instance history is small: an exact total is cheap and clients show it.
    const countParams = params.slice(0, filterParams);
    const { rows: c } = await sql.query<{ n: string }>(`SELECT count(*)::text AS n FROM resource_history ${filter.length ? 'WHERE ' + filter.join(' AND ') : ''}`, countParams);
    result.total = Number(c[0]?.n ?? 0);
  }
  return result;
}
