/** The one SQL surface both drivers (pg, PGlite) implement. Only store/ imports this. */

export type SqlParam = string | number | boolean | null | Date | string[] | number[] | (string | null)[] | (number | null)[] | Buffer | object;

export interface SqlResult<R> {
  rows: R[];
  rowCount: number;
}

export interface SqlExecutor {
  /** `name` marks a hot statement to keep prepared on the connection (pg); drivers may ignore it. */
  query: <R = Record<string, unknown>>(text: string, params?: SqlParam[], name?: string) => Promise<SqlResult<R>>;
  /** Runs a multi-statement script without parameters (migrations). */
  exec: (script: string) => Promise<void>;
}

export interface SqlDriver extends SqlExecutor {
  readonly name: 'pg' | 'pglite';
  /** Runs fn in BEGIN … COMMIT on one connection; ROLLBACK if it throws. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** Pool statistics for /metrics. */
  poolStats(): { total: number; idle: number; waiting: number };
  close(): Promise<void>;
}
