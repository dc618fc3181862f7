/** SqlDriver over a node-postgres pool (DATABASE_URL). */
import { Pool, type PoolClient } from 'pg';
import { translated } from '../db-errors';
import type { SqlDriver, SqlExecutor, SqlParam, SqlResult } from '../sql';

export interface PgDriverOptions {
  connectionString: string;
  max: number;
  statementTimeoutMs: number;
}

function executor(client: Pool | PoolClient): SqlExecutor {
  return {
    query: <R>(text: string, params: SqlParam[] = [], name?: string): Promise<SqlResult<R>> => translated(async () => {
      const res = name ? await client.query({ name, text, values: params }) : await client.query(text, params as unknown[]);
      return { rows: res.rows as R[], rowCount: res.rowCount ?? 0 };
    }),
    exec: (script: string): Promise<void> => translated(async () => {
      await client.query(script);
    }),
  };
}

export function createPgDriver(opts: PgDriverOptions): SqlDriver {
  const pool = new Pool({
    connectionString: opts.connectionString,
    max: opts.max,
    // Bounded so a hostile query cannot hold a worker forever; 0 disables.
    statement_timeout: opts.statementTimeoutMs || undefined,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  const base = executor(pool);
  return {
    name: 'pg',
    query: base.query,
    exec: base.exec,
    async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      const client = await translated(() => pool.connect());
      let broken: Error | undefined;
      // A checked-out client has no pool listener: a backend killed between two statements
      // (failover, pg_terminate_backend) would otherwise be an unhandled 'error' event and
      // take the process down. Remember it; the next statement fails and the client is destroyed.
      const onLost = (err: Error): void => { broken = err; };
      client.on('error', onLost);
      try {
        await translated(() => client.query('BEGIN'));
        const result = await fn(executor(client));
        await translated(() => client.query('COMMIT'));
        return result;
      } catch (err) {
        try {
          await client.query('ROLLBACK');
        } catch (rollbackErr) {
          broken = rollbackErr as Error; // connection is gone: destroy it instead of returning it
        }
        throw err;
      } finally {
        client.removeListener('error', onLost);
        client.release(broken);
      }
    },
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    close: () => pool.end(),
  };
}
