/**
 * A small bounded pool of worker threads for CPU-heavy work (validating huge resources, PDF text) so
 * the event loop keeps answering /healthz. Workers start on first use and are replaced when they die;
 * at most `maxQueue` tasks wait, beyond that callers get a 503. A FhirError thrown in a worker comes
 * back as a FhirError. Entry files may be .ts (tests run from source): they are transpiled on load.
 */
import { type ResourceLimits, Worker } from 'node:worker_threads';
import { FhirError, type Issue } from './fhir-error';

export interface PoolOptions {
  size: number;
  maxQueue?: number;
  /** What every worker gets as workerData.data (structured-cloned). */
  data?: unknown;
  /** Bounds each worker's heap: its garbage is collected early instead of growing the process's RSS. */
  resourceLimits?: ResourceLimits;
}

/** What a worker posts back for task `id`. */
export type WorkerReply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: { status?: number; issues?: Issue[]; message: string } };

interface Task {
  id: number;
  message: unknown;
  transfer: ArrayBuffer[];
  /** Retire the worker once this task is done: its heap grew by a huge input and V8 would keep the pages. */
  recycle: boolean;
  resolve(v: unknown): void;
  reject(e: unknown): void;
}

interface Slot {
  worker: Worker;
  task?: Task;
}

/** Loads the entry; for .ts entries a require hook transpiles TypeScript with the typescript package. */
const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
if (workerData.typescript) {
  const ts = require(workerData.typescript);
  const fs = require('node:fs');
  require.extensions['.ts'] = (m, filename) => {
    const out = ts.transpileModule(fs.readFileSync(filename, 'utf8'), { fileName: filename, compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true } });
    m._compile(out.outputText, filename);
  };
}
require(workerData.entry);
`;

/** Starts the worker thread `entry` (.js, or .ts transpiled on load); `data` arrives as workerData.data. */
export function startWorkerThread(entry: string, data?: unknown, resourceLimits?: ResourceLimits): Worker {
  const typescript = entry.endsWith('.ts') ? require.resolve('typescript') : undefined;
  return new Worker(BOOTSTRAP, { eval: true, workerData: { entry, typescript, data }, ...(resourceLimits ? { resourceLimits } : {}) });
}

/**
 * What the task of a worker that died gets. Out of memory: the worker was doing that one task, so the
 * input is what costs too much (413, not worth retrying). Any other death: 503, the next try gets a
 * fresh worker. The original error travels as `cause` for the log.
 */
export function workerDeath(err: Error): FhirError {
  const fhirError = (err as { code?: unknown }).code === 'ERR_WORKER_OUT_OF_MEMORY'
    ? new FhirError(413, 'too-costly', 'Processing this request needs more memory than one request may use (CPU_THREAD_HEAP); send a smaller body')
    : new FhirError(503, 'transient', 'A worker thread stopped while processing this request; retry shortly', undefined, { 'Retry-After': '2' });
  fhirError.cause = err;
  return fhirError;
}

/** Limits for a pool's workers with an old generation of `heapMb` MB; the young generation stays small (it is per worker, on top). */
export function heapLimits(heapMb: number | undefined): ResourceLimits | undefined {
  return heapMb === undefined ? undefined : { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: Math.min(16, Math.max(4, Math.floor(heapMb / 16))) };
}

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private nextId = 1;
  private closed = false;

  constructor(private readonly entry: string, private readonly opts: PoolOptions) {}

  /** Runs one task; `transfer` buffers move to the worker (zero-copy) and are unusable here afterwards. */
  run<T>(message: unknown, transfer: ArrayBuffer[] = [], recycle = false): Promise<T> {
    if (this.closed) return Promise.reject(new FhirError(503, 'transient', 'Server is shutting down'));
    if (this.queue.length >= (this.opts.maxQueue ?? 64)) {
      return Promise.reject(new FhirError(503, 'transient', 'Too many heavy requests in progress; retry shortly', undefined, { 'Retry-After': '2' }));
    }
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, message, transfer, recycle, resolve: resolve, reject });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.queue.splice(0)) t.reject(new FhirError(503, 'transient', 'Server is shutting down'));
    await Promise.all(this.slots.splice(0).map((s) => s.worker.terminate()));
  }

  private dispatch(): void {
    while (this.queue.length) {
      let slot = this.slots.find((s) => !s.task);
      if (!slot && this.slots.length < this.opts.size) slot = this.spawn();
      if (!slot) return;
      const task = this.queue.shift() as Task;
      slot.task = task;
      slot.worker.postMessage({ id: task.id, message: task.message }, task.transfer);
    }
  }

  private spawn(): Slot {
    const worker = startWorkerThread(this.entry, this.opts.data, this.opts.resourceLimits);
    const slot: Slot = { worker };
    worker.unref(); // an idle pool never keeps the process alive
    worker.on('message', (reply: WorkerReply) => {
      const task = slot.task;
      if (!task || task.id !== reply.id) return;
      slot.task = undefined;
      if (task.recycle) this.retire(slot);
      if (reply.ok) task.resolve(reply.result);
      else task.reject(reply.error.status ? FhirError.withIssues(reply.error.status, reply.error.issues ?? []) : new Error(reply.error.message));
      this.dispatch();
    });
    worker.on('error', (err) => this.lost(slot, err));
    worker.on('exit', (code) => this.lost(slot, new Error(`worker thread exited (${code})`)));
    this.slots.push(slot);
    return slot;
  }

  /** Takes an idle worker out of the pool and stops it; the next task spawns a fresh one. */
  private retire(slot: Slot): void {
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots.splice(i, 1);
    void slot.worker.terminate();
  }

  /** A dead worker fails its task (413 or 503, see workerDeath) and leaves the pool; the next task spawns a new one. */
  private lost(slot: Slot, err: Error): void {
    const i = this.slots.indexOf(slot);
    if (i < 0) return;
    this.slots.splice(i, 1);
    slot.task?.reject(workerDeath(err));
    slot.task = undefined;
    if (!this.closed) this.dispatch();
  }
}

/** The worker side: answers each task with `handle`; FhirErrors travel back with their status and issues. */
export function serveWorkerTasks(port: { on(e: 'message', f: (m: { id: number; message: unknown }) => void): void; postMessage(m: WorkerReply): void }, handle: (message: unknown) => unknown): void {
  port.on('message', ({ id, message }) => {
    Promise.resolve()
      .then(() => handle(message))
      .then(
        (result) => port.postMessage({ id, ok: true, result }),
        (err: unknown) => port.postMessage({ id, ok: false, error: err instanceof FhirError ? { status: err.status, issues: err.issues, message: err.message } : { message: err instanceof Error ? err.message : String(err) } }),
      );
  });
}
