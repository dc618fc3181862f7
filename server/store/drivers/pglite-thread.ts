/**
 * Worker thread entry of the PGlite driver (pglite-driver.ts): owns the embedded database, so its
 * WebAssembly query execution never blocks the server's event loop. One statement or transaction
 * at a time, in arrival order (PGlite has one connection); each statement reports when it starts, so
 * the main thread's statement budget counts execution, not queueing.
 */
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { mkdirSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parentPort, workerData } from 'node:worker_threads';
import type { ThreadReply, ThreadRequest } from './pglite-protocol';

interface Opening { dataDir: string; template?: ArrayBuffer; templateType?: string }
interface OpenTx { tx: Transaction; decide(commit: boolean): void }

/** Thrown inside the transaction callback so PGlite rolls back; not an error to report. */
class Rollback extends Error {}

/**
 * PGlite's defaults plus a smaller memory footprint: its WebAssembly heap never shrinks, and with
 * PostgreSQL's defaults (128 MB shared buffers, WAL up to 1 GB kept in the in-memory file system) an
 * idle embedded server held ~700 MB. The OS page cache (or MEMFS) still holds the data files.
 */
const START_PARAMS = [
  '--single', '-F', '-O', '-j', '-c', 'search_path=public', '-c', 'exit_on_error=false', '-c', 'log_checkpoints=false',
  '-c', 'max_worker_processes=0', '-c', 'max_parallel_workers=0', '-c', 'max_parallel_workers_per_gather=0', '-c', 'io_method=sync',
  '-c', 'max_parallel_maintenance_workers=0',
  '-c', 'shared_buffers=16MB', '-c', 'wal_buffers=1MB', '-c', 'min_wal_size=32MB', '-c', 'max_wal_size=64MB',
];

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/**
 * A full collection once the thread has been quiet for IDLE_GC_MS: initdb's WebAssembly instance and
 * the copies of large rows are garbage, but an idle isolate would keep their pages for good.
 */
const IDLE_GC_MS = 2000;
let idleTimer: NodeJS.Timeout | undefined;
function collectWhenIdle(): void {
  if (idleTimer) clearTimeout(idleTimer);
  idleTimer = setTimeout(gc, IDLE_GC_MS);
  idleTimer.unref();
}

async function open({ dataDir, template, templateType }: Opening): Promise<PGlite> {
  const memory = dataDir === ':memory:' || dataDir === '';
  if (!memory) mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create({ startParams: START_PARAMS, ...(memory ? {} : { dataDir }), ...(template ? { loadDataDir: new Blob([template], { type: templateType }) } : {}) });
  collectWhenIdle();
  return db;
}

function serve(port: NonNullable<typeof parentPort>, opening: Opening): void {
  const db = open(opening);
  const txs = new Map<number, OpenTx>();
  let nextTx = 1;
  // Statements outside transactions and whole transactions run one after another, in arrival order.
  let tail: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(f: () => Promise<T>): Promise<T> => {
    const run = tail.then(f);
    tail = run.catch(() => undefined);
    return run;
  };
  const reply = (m: ThreadReply): void => { collectWhenIdle(); port.postMessage(m); };
  const fail = (id: number, err: unknown): void => {
    const e = err as { message?: string; code?: string; constraint?: string; detail?: string };
    reply({ id, ok: false, error: { message: e?.message ?? String(err), code: e?.code, constraint: e?.constraint, detail: e?.detail } });
  };

  const statement = async (m: Extract<ThreadRequest, { op: 'query' | 'exec' }>): Promise<unknown> => {
    const target = m.tx ? txs.get(m.tx)?.tx : await db;
    if (!target) throw new Error('the transaction is already over');
    reply({ id: m.id, started: true });
    if (m.op === 'exec') return void (await target.exec(m.script));
    const res = await target.query(m.text, m.params);
    return { rows: res.rows, rowCount: res.affectedRows ?? res.rows.length };
  };

  const begin = (id: number): void => {
    const txId = nextTx++;
    let began = false;
    void exclusive(async () => (await db).transaction(async (tx) => {
      let decide: (commit: boolean) => void = () => undefined;
      const decided = new Promise<boolean>((r) => { decide = r; });
      txs.set(txId, { tx, decide });
      began = true;
      reply({ id, ok: true, result: txId });
      if (!(await decided)) throw new Rollback('rollback');
    })).then(
      () => settle(txId, undefined),
      (err: unknown) => (began ? settle(txId, err instanceof Rollback ? undefined : err) : fail(id, err)),
    );
  };
  // The reply to 'end' waits for COMMIT/ROLLBACK to finish; `ends` holds who is waiting.
  const ends = new Map<number, number>();
  const settle = (txId: number, err: unknown): void => {
    txs.delete(txId);
    const endId = ends.get(txId);
    ends.delete(txId);
    if (endId === undefined) return;
    if (err) fail(endId, err);
    else reply({ id: endId, ok: true, result: undefined });
  };

  port.on('message', (m: ThreadRequest) => {
    if (m.op === 'begin') return begin(m.id);
    if (m.op === 'end') {
      const open = txs.get(m.tx);
      if (!open) return fail(m.id, new Error('the transaction is already over'));
      ends.set(m.tx, m.id);
      return open.decide(m.commit);
    }
    const work = m.op === 'close' ? exclusive(async () => (await db).close()) : m.tx ? statement(m) : exclusive(() => statement(m));
    work.then((result) => reply({ id: m.id, ok: true, result }), (err: unknown) => fail(m.id, err));
  });
  db.then(() => reply({ id: 0, ok: true, result: 'ready' }), (err: unknown) => fail(0, err));
}

if (parentPort) serve(parentPort, (workerData as { data: Opening }).data);
