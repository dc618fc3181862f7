/**
 * Validation of large request bodies off the event loop: the raw bytes move (zero-copy) to a worker
 * thread that parses, checks and validates them and sends back only the verdict, so a 40 MB $validate
 * never blocks /healthz. With `threads: 0` the same work runs inline (same code, same answers).
 */
import path from 'node:path';
import type { Issue } from '../core/fhir-error';
import { parseJsonBody } from '../core/json-body';
import { type BodyLimits, checkBundleLimits, entryCountExceeds, tooManyEntries } from '../core/resource-limits';
import { WorkerPool, heapLimits } from '../core/worker-pool';
import type { ResourceValidator } from './index';
import { unwrapValidateBody } from './validate-request';

/** The verdict on a $validate body: what was asked (type, id, mode, profile) and the issues, if validated. */
export interface BodyVerdict {
  resourceType?: string;
  id?: string;
  mode?: string;
  profile?: string;
  /** Undefined when the body carried no resource (the stored one is validated instead) or mode is delete. */
  issues?: Issue[];
}

export interface BodyTask {
  bytes: Uint8Array;
  maxDepth: number;
  /** Set for a Bundle posted to the base: checked here, in the worker, so one over a limit is never cloned back to the event loop. */
  limits?: BodyLimits;
}

/** A large write body, parsed and checked off the event loop: the value and, for a resource, its issues. */
export interface PreparedBody {
  body: unknown;
  /** Issues of validating `body` as a resource; undefined when it is not one (or a batch/transaction Bundle, checked per entry). */
  issues?: Issue[];
}

/** Pure: parse and check the JSON, validate it when it is a resource that is stored as it is. */
export function prepareBody(validator: Pick<ResourceValidator, 'validate'>, task: BodyTask): PreparedBody {
  if (task.limits) {
    const over = entryCountExceeds(task.bytes, task.limits.maxBundleEntries);
    if (over !== undefined) throw tooManyEntries(over, task.limits.maxBundleEntries, true);
  }
  const body = parseJsonBody(task.bytes, task.maxDepth);
  if (task.limits) checkBundleLimits(body, task.limits);
  if (!body || typeof body !== 'object' || Array.isArray(body)) return { body };
  const { resourceType, type } = body as { resourceType?: unknown; type?: unknown };
  // batch and transaction entries are validated one by one where they are processed
  if (typeof resourceType !== 'string' || (resourceType === 'Bundle' && (type === 'batch' || type === 'transaction'))) return { body };
  return { body, issues: validator.validate(body) };
}

/** What travels to a worker: which job, and the body. */
export type WorkerTask = BodyTask & { job: 'judge' | 'prepare' };

export function runWorkerTask(validator: Pick<ResourceValidator, 'validate'>, task: WorkerTask): BodyVerdict | PreparedBody {
  return task.job === 'prepare' ? prepareBody(validator, task) : judgeBody(validator, task);
}

/** Pure: parse, unwrap and validate (runs in the worker, or inline). */
export function judgeBody(validator: Pick<ResourceValidator, 'validate'>, task: BodyTask): BodyVerdict {
  const req = unwrapValidateBody(parseJsonBody(task.bytes, task.maxDepth));
  const r = req.resource as { resourceType?: string; id?: unknown } | undefined;
  const verdict: BodyVerdict = { resourceType: r?.resourceType, id: typeof r?.id === 'string' ? r.id : undefined, mode: req.mode, profile: req.profile };
  if (!r || req.mode === 'delete') return verdict;
  return { ...verdict, issues: validator.validate(req.resource, req.profile ? { profiles: [req.profile] } : undefined) };
}

export interface BodyJudge {
  judge(task: BodyTask): Promise<BodyVerdict>;
  /** Parses and validates a large create/update/Bundle body; the parsed value comes back by structured clone. */
  prepare(task: BodyTask): Promise<PreparedBody>;
  close(): Promise<void>;
}

/** A worker that parsed a body this large is replaced afterwards: its grown heap (hundreds of MB for a 30 MB Bundle) is given back at once. */
const RECYCLE_BYTES = 8 * 1024 * 1024;

/**
 * The bytes to transfer to the worker: the body itself when it owns its whole ArrayBuffer (a large
 * request body does; moving it saves a copy of up to MAX_BODY per request in flight), else a private
 * copy — a view into Node's shared Buffer pool must not be detached. The caller's view is unusable after the transfer.
 */
export function ownedBytes(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const buffer = bytes.buffer;
  const whole = buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === buffer.byteLength && bytes.byteLength > 4096;
  return whole ? new Uint8Array(buffer) : new Uint8Array(bytes);
}

/** `heapMb`: each worker's old-generation limit; a body that needs more is refused with 413 and the worker replaced. */
export function createBodyJudge(validator: Pick<ResourceValidator, 'validate'>, threads: number, heapMb?: number): BodyJudge {
  if (threads <= 0) return { judge: async (task) => judgeBody(validator, task), prepare: async (task) => prepareBody(validator, task), close: async () => undefined };
  const entry = path.join(__dirname, `validation-worker${path.extname(__filename)}`);
  const pool = new WorkerPool(entry, { size: threads, resourceLimits: heapLimits(heapMb) });
  const run = <T>(job: WorkerTask['job'], task: BodyTask): Promise<T> => {
    const bytes = ownedBytes(task.bytes);
    const message: WorkerTask = { job, bytes, maxDepth: task.maxDepth, ...(task.limits ? { limits: task.limits } : {}) };
    return pool.run<T>(message, [bytes.buffer], bytes.length > RECYCLE_BYTES);
  };
  return {
    judge: (task) => run<BodyVerdict>('judge', task),
    prepare: (task) => run<PreparedBody>('prepare', task),
    close: () => pool.close(),
  };
}
