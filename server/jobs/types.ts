/** What a background queue plugs into the one job runner: a queue name and a handler. */
import type { Job, JobSpec, StoreWriter } from '../store/types';
import type { BackoffOptions } from './backoff';

/** A claimed job while its lease is held (the runner renews it until the handler returns). */
export interface JobLease {
  readonly job: Job;
  readonly owner: string;
  /**
   * Completes the job inside `tx`, the transaction that writes its results; throws LeaseLostError if it was taken
   * over. `then`: a job queued in the same statement (e.g. the job's own next run).
   */
  complete(tx: StoreWriter, then?: JobSpec): Promise<void>;
  /** complete in a statement of its own, for a job with no results to write with it (no transaction around one statement). */
  completeAlone(then?: JobSpec): Promise<void>;
  /**
   * For a job completed by a statement of the handler's own, which writes its results too (completionSql): called
   * before that statement; the function returned takes what it read (when the queue next has something due).
   */
  completedBy(): (due: Date | null) => void;
  /** Fails the job for good now (the row is kept for inspection), e.g. for a malformed payload. */
  fail(reason: string): Promise<void>;
  /** Aborted when the runner shuts down: a long job stops between steps and calls release(). */
  readonly signal: AbortSignal;
  /** Gives the job back unfinished, to be claimed again at once (by this or another server). */
  release(): Promise<void>;
}

/** How a handler's error should be treated. */
export interface FailureKind {
  /** Retrying cannot help: give up at once. */
  permanent?: boolean;
  /** The least delay before the retry (e.g. a server's Retry-After). */
  retryAfterMs?: number;
  /** An anticipated failure (an engine briefly down): retried without an error log. */
  expected?: boolean;
}

export interface QueueHandler {
  readonly queue: string;
  /** Jobs of this queue run at once in this process. */
  readonly workers: number;
  readonly leaseMs: number;
  /** Longest idle sleep: catches jobs queued by other servers and retries that became due. */
  readonly pollMs: number;
  readonly backoff: BackoffOptions;
  /**
   * Runs one claimed job and returns its outcome (a metrics label). It must call `lease.complete(tx)` in
   * the transaction that writes its results (exactly once), or `lease.fail`. Throwing retries the job with
   * backoff, or gives up once its attempts are spent.
   */
  run(lease: JobLease): Promise<string>;
  classify?(err: unknown): FailureKind;
  /** Records a final failure where users see it (e.g. the Task); default: the job row is kept as failed. */
  giveUp?(lease: JobLease, reason: string): Promise<void>;
  /** Records a scheduled retry where users see it, before the job is given back. */
  retrying?(lease: JobLease, reason: string, retryAt: Date): Promise<void>;
  /** After every job, with its outcome and duration (metrics, tests). */
  onOutcome?(job: Job, outcome: string, ms: number): void;
}

export interface JobRunner {
  /** Looks for due jobs of `queue` now (or of every queue): a write that queued one just committed. */
  wake(queue?: string): void;
  /** Stops claiming and waits for the jobs in flight (their leases would otherwise have to expire). */
  close(): Promise<void>;
}
