/** SqlDriver over embedded PGlite (one in-process Postgres; queries serialize on its own mutex). */
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { mkdirSync } from 'node:fs';
import { translated } from '../db-errors';
import type { SqlDriver, SqlExecutor, SqlParam, SqlResult } from '../sql';

function executor(db: PGlite | Transaction): SqlExecutor {
  return {
    query: <R>(text: string, params: SqlParam[] = []): Promise<SqlResult<R>> => translated(async () => {
      const res = await db.query<R>(text, params as unknown[]);
      return { rows: res.rows, rowCount: res.affectedRows ?? res.rows.length };
    }),
    exec: async (script: string): Promise<void> => {
      await db.exec(script);
    },
  };
}

/**
 * `template`: a data directory dumped by PGlite (dumpDataDir), loaded instead of running initdb,
 * which takes seconds; tests use one migrated template for every in-memory database.
 */
export async function createPgliteDriver(dataDir: string, statementTimeoutMs: number, template?: Blob): Promise<SqlDriver> {
  const memory = dataDir === ':memory:' || dataDir === '';
  if (!memory) mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create({ ...(memory ? {} : { dataDir }), ...(template ? { loadDataDir: template } : {}) });
  if (statementTimeoutMs > 0) await db.exec(`SET statement_timeout = ${Math.floor(statementTimeoutMs)}`);
  const base = executor(db);
  let inFlight = 0;
  return {
    name: 'pglite',
    query: async <R>(text: string, params?: SqlParam[]) => {
      inFlight++;
      try {
        return await base.query<R>(text, params);
      } finally {
        inFlight--;
      }
    },
    exec: base.exec,
    async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      inFlight++;
      try {
        return await db.transaction((tx) => fn(executor(tx)));
      } finally {
        inFlight--;
      }
    },
    poolStats: () => ({ total: 1, idle: inFlight === 0 ? 1 : 0, waiting: Math.max(0, inFlight - 1) }),
    close: () => db.close(),
  };
}
