/**
 * SqlDriver over embedded PGlite, run in a worker thread of its own (pglite-thread.ts): PGlite
 * executes SQL as synchronous WebAssembly, so in-process a 20 MB insert or a runaway query froze the
 * whole server, /healthz included. Here the event loop only posts messages, and every statement has
 * a real budget: past `statementTimeoutMs` of execution its caller gets the same 503 `timeout` as
 * PostgreSQL's statement_timeout gives. WebAssembly cannot be interrupted, so PGlite finishes that
 * statement in its thread while later ones wait (each again within its own budget); a transaction
 * whose statement timed out is rolled back as soon as PGlite is free. If the thread dies, every
 * call fails with 503 "database unavailable" and /readyz turns red.
 */
import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import { FhirError } from '../../core/fhir-error';
import { startWorkerThread } from '../../core/worker-pool';
import { translateDbError } from '../db-errors';
import type { SqlDriver, SqlExecutor, SqlParam, SqlResult } from '../sql';
import type { ThreadReply, ThreadRequest } from './pglite-protocol';

interface Pending { resolve(v: unknown): void; reject(e: unknown): void; budgetMs: number; timer?: NodeJS.Timeout }
type Call = ThreadRequest extends infer R ? (R extends ThreadRequest ? Omit<R, 'id'> : never) : never;

const timedOut = (): FhirError => new FhirError(503, 'timeout', 'The query took longer than the statement timeout; narrow the request', undefined, { 'Retry-After': '1' });
const unavailable = (cause: Error): FhirError => Object.assign(new FhirError(503, 'transient', 'The database is unavailable; retry later', undefined, { 'Retry-After': '5' }), { cause });

/** The main thread's end of the worker: numbered calls, replies, statement budgets. */
class PgliteThread {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private dead?: Error;
  readonly ready: Promise<unknown>;

  constructor(private readonly worker: Worker) {
    worker.on('message', (m: ThreadReply) => this.onReply(m));
    worker.on('error', (err) => this.die(err));
    worker.on('exit', (code) => this.die(new Error(`the PGlite thread exited (${code})`)));
    this.ready = new Promise((resolve, reject) => this.pending.set(0, { resolve, reject, budgetMs: 0 }));
  }

  /** `budgetMs` > 0: the call fails with 503 once it has run that long (counted from its start, not its wait). */
  call<T>(req: Call, budgetMs = 0): Promise<T> {
    if (this.dead) return Promise.reject(unavailable(this.dead));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, budgetMs });
      this.worker.postMessage({ ...req, id });
    });
  }

  terminate(): Promise<number> {
    return this.worker.terminate();
  }

  private onReply(m: ThreadReply): void {
    const p = this.pending.get(m.id);
    if (!p) return; // its caller already gave up (budget spent)
    if ('started' in m) {
      if (p.budgetMs > 0) p.timer = setTimeout(() => { this.pending.delete(m.id); p.reject(timedOut()); }, p.budgetMs);
      return;
    }
    this.pending.delete(m.id);
    clearTimeout(p.timer);
    if (m.ok) p.resolve(m.result);
    else p.reject(translateDbError(Object.assign(new Error(m.error.message), m.error)));
  }

  private die(err: Error): void {
    if (this.dead) return;
    this.dead = err;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(unavailable(err));
    }
    this.pending.clear();
  }
}

function executor(thread: PgliteThread, budgetMs: number, tx?: number): SqlExecutor {
  return {
    query: <R>(text: string, params: SqlParam[] = []) => thread.call<SqlResult<R>>({ op: 'query', tx, text, params }, budgetMs),
    // Scripts are migrations (ours, not a client's): no budget, like the first deploy on PostgreSQL.
    exec: async (script: string) => { await thread.call({ op: 'exec', tx, script }); },
  };
}

/**
 * `template`: a data directory dumped by PGlite (dumpDataDir), loaded instead of running initdb,
 * which takes seconds; tests use one migrated template for every in-memory database.
 */
export async function createPgliteDriver(dataDir: string, statementTimeoutMs: number, template?: Blob): Promise<SqlDriver> {
  const entry = path.join(__dirname, `pglite-thread${path.extname(__filename)}`);
  const thread = new PgliteThread(startWorkerThread(entry, { dataDir, template: template ? await template.arrayBuffer() : undefined, templateType: template?.type }));
  try {
    await thread.ready;
  } catch (err) {
    await thread.terminate();
    throw err;
  }
  const budget = Math.max(0, Math.floor(statementTimeoutMs));
  const base = executor(thread, budget);
  let inFlight = 0;
  const counted = async <T>(f: () => Promise<T>): Promise<T> => {
    inFlight++;
    try {
      return await f();
    } finally {
      inFlight--;
    }
  };
  return {
    name: 'pglite',
    query: <R>(text: string, params?: SqlParam[]) => counted(() => base.query<R>(text, params)),
    exec: base.exec,
    transaction: <T>(fn: (tx: SqlExecutor) => Promise<T>) => counted(async () => {
      const tx = await thread.call<number>({ op: 'begin' });
      let result: T;
      try {
        result = await fn(executor(thread, budget, tx));
      } catch (err) {
        await thread.call({ op: 'end', tx, commit: false }).catch(() => undefined);
        throw err;
      }
      await thread.call({ op: 'end', tx, commit: true });
      return result;
    }),
    poolStats: () => ({ total: 1, idle: inFlight === 0 ? 1 : 0, waiting: Math.max(0, inFlight - 1) }),
    close: async () => {
      await thread.call({ op: 'close' }).catch(() => undefined);
      await thread.terminate();
    },
  };
}
