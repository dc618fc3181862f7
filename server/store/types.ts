/**
 * store/ owns persistence: the ResourceStore contract (this file), its PostgreSQL implementation (schema,
 * migrations, versions, index writes, search SQL, transactions, the job table), the write hooks it runs for
 * every write and the read policy every read passes. The only folder that writes SQL.
 *
 * The ResourceStore contract. Services use the store only through these interfaces;
 * the PostgreSQL implementation (one SQL, two drivers) lives beside it.
 */
import type { ConceptMap, Resource, SearchParameter } from 'fhir/r4';
import type { AccessContext } from '../core/access-context';
import type { SearchQuery, SearchResult } from '../search/types';
import type { TerminologySource } from '../search/terminology';
import type { CodeSystemIndex } from '../search/terminology-index';
import type { BulkExportStore } from './export-types';

export * from './export-types';

export interface StoredResource {
  resourceType: string;
  id: string;
  versionId: number;
  lastUpdated: Date;
  deleted: boolean;
  /** The resource with meta.versionId/lastUpdated set; undefined for a delete marker. */
  readonly resource?: Resource;
  /** The same resource as stored JSON text, when the store read it as text (sent without re-serializing). */
  json?: string;
}

export interface HistoryQuery {
  resourceType?: string;
  /** Without resourceType: types left out of the system history (the audit trail). */
  excludeTypes?: string[];
  id?: string;
  since?: Date;
  /** Exclusive upper bound (`_at`/paging). */
  before?: Date;
  count: number;
  /** Opaque cursor from a previous page. */
  cursor?: string;
}

export interface HistoryPage {
  entries: (StoredResource & { method: 'create' | 'update' | 'delete' })[];
  total?: number;
  nextCursor?: string;
}

/**
 * Every read the store answers, as the read policy sees it before the query runs. `resourceTypes` are
 * the types the answer may contain: `'*'` when any type may appear (system history, a wildcard include).
 */
export interface ReadAccess {
  interaction: 'read' | 'vread' | 'history' | 'search' | 'include' | 'revinclude';
  resourceTypes: readonly string[] | '*';
}

/**
 * The one seam every read/vread/history/search (compartment searches, $everything and _include/_revinclude
 * rounds included) passes with its AccessContext, before any SQL runs: where SMART scopes and read audit
 * plug in. Deny by throwing a FhirError (403). The default allows everything. Which rows a permitted read
 * sees is the AccessContext's row restriction (a patient-context token's compartment), which the store
 * applies inside the SQL of that read (read-policy.ts readRestrictionOf, search/row-restriction.ts).
 */
export interface ReadPolicy {
  check(ctx: AccessContext, access: ReadAccess): void | Promise<void>;
}

/** Read paths: available outside and inside transactions; each passes the store's ReadPolicy. */
export interface StoreReader {
  read(ctx: AccessContext, resourceType: string, id: string): Promise<StoredResource | null>;
  vread(ctx: AccessContext, resourceType: string, id: string, versionId: number): Promise<StoredResource | null>;
  history(ctx: AccessContext, q: HistoryQuery): Promise<HistoryPage>;
  search(ctx: AccessContext, q: SearchQuery): Promise<SearchResult>;
  /** Stored terminology through this reader (inside a transaction: the transaction's); CodeSystem indexes cached per store. */
  terminology(): TerminologyReader;
}

/** Which stored ConceptMaps a $translate may use (all given conditions hold). */
export interface ConceptMapQuery {
  id?: string;
  url?: string;
  version?: string;
  /** A group's source system (its target system when `reverse`). */
  system?: string;
  reverse?: boolean;
}

/** Stored terminology for the engine: ValueSets and CodeSystem indexes (cached per stored version), ConceptMaps. */
export interface TerminologyReader extends TerminologySource {
  codeSystemById(id: string): Promise<CodeSystemIndex | undefined>;
  /** At most 50, newest first. */
  conceptMaps(q: ConceptMapQuery): Promise<ConceptMap[]>;
}

export interface WriteOptions {
  /** Optimistic lock: fail with 409/412 unless the current version equals this. */
  expectedVersion?: number;
  /** Set on the history row; default derived from the operation. */
  method?: 'create' | 'update' | 'delete';
}

export interface CreateManyOptions {
  /** Called before the write hooks of the i-th resource run, so the caller can attribute a hook's error (bundle entries). */
  beforeHooks?: (index: number) => void;
  /**
   * Leave resources whose id already exists (live or deleted) untouched instead of failing with 409: they
   * are returned as `undefined` at their index, for the caller to update ($import's upsert).
   */
  skipExisting?: boolean;
}

/**
 * Write paths: only inside a transaction, so index rows and resource change together. Every
 * create/createMany/update/delete runs the store's write hooks in the same transaction (see WriteHook).
 */
export interface StoreWriter extends StoreReader {
  /** Inserts a new resource (id already chosen by the caller). 409 if the id exists and is not deleted. */
  create(ctx: AccessContext, resource: Resource & { id: string }): Promise<StoredResource>;
  /** Inserts many new resources in one statement (bundles); 409 if any id exists. Same order as given. */
  createMany(ctx: AccessContext, resources: (Resource & { id: string })[], opts?: CreateManyOptions): Promise<StoredResource[]>;
  /** createMany with `skipExisting`: an existing id leaves `undefined` at its index. */
  createMany(ctx: AccessContext, resources: (Resource & { id: string })[], opts: CreateManyOptions & { skipExisting: true }): Promise<(StoredResource | undefined)[]>;
  /** Writes a new version (or the first one: update-as-create). */
  update(ctx: AccessContext, resource: Resource & { id: string }, opts?: WriteOptions): Promise<{ stored: StoredResource; created: boolean }>;
  /** Marks deleted; returns the delete marker, or null if nothing to delete. */
  delete(ctx: AccessContext, resourceType: string, id: string, opts?: WriteOptions): Promise<StoredResource | null>;
  /** Transaction-scoped advisory lock on an arbitrary key (e.g. conditional-create criteria). */
  lock(key: string): Promise<void>;
  /**
   * Runs `fn` once the transaction has committed (never if it rolls back), e.g. to apply a change
   * to in-memory state only when it is durable. Errors thrown by `fn` are ignored.
   */
  onCommit(fn: () => void): void;
  /**
   * Queues a background job in this transaction (it exists only if the transaction commits).
   * With `key`, at most one *waiting* job per (queue, key) exists: enqueuing again while one waits
   * keeps the waiting job (debounce), so a burst of changes yields one run.
   */
  enqueueJob(job: JobSpec): Promise<void>;
  /**
   * Finishes a claimed job inside the transaction that writes its results, so results and completion
   * commit together (exactly once). Throws LeaseLostError (core/, a 409) when `owner` no longer holds
   * the lease (it expired and another worker took the job): the caller's transaction then rolls back.
   * `then`: a job queued in the same statement (as enqueueJob: a waiting job of its key absorbs it). Returns when
   * the job's queue next has a job to claim, as this statement saw it (null: none waiting or running).
   */
  completeJob(id: string, owner: string, then?: JobSpec): Promise<Date | null>;
  /** Removes waiting (not running) jobs of a queue with this key, e.g. superseded extractions. */
  cancelWaitingJobs(queue: string, key: string): Promise<number>;
  /** Subscription events and delivery progress, written in this transaction. */
  readonly subscriptionLog: SubscriptionLogWriter;
}

/** The access context a Subscription's author had: its notifications contain only what this may read. */
export interface SubscriptionAccess {
  clientId: string;
  subject?: string;
  scopes: string[];
  patient?: string;
  authDisabled: boolean;
}

/** One event a Subscription's topic raised for one write. */
export interface SubscriptionEventSpec {
  topic: string;
  focusType: string;
  focusId: string;
  focusVersion: number;
  action: 'create' | 'update' | 'delete';
  occurredAt: Date;
}

export interface SubscriptionEvent extends SubscriptionEventSpec {
  subscriptionId: string;
  /** 1, 2, 3 … per subscription, without gaps. */
  eventNumber: number;
}

/** One changed resource version waiting in the subscription outbox. */
export type OutboxSpec = Omit<SubscriptionEventSpec, 'topic'>;

export interface OutboxEntry extends OutboxSpec {
  /** The row's id (bigint as text): consumed by id, never by range. */
  id: string;
  /** The version itself, from the immutable history (null if it is not there). */
  stored: StoredResource | null;
}

/** Delivery progress of one Subscription. */
export interface SubscriptionState {
  subscriptionId: string;
  /** Events raised so far (the newest event number). */
  lastEvent: number;
  /** Events delivered (rest-hook) so far: every event number up to this one was acknowledged by the endpoint. */
  deliveredUpTo: number;
  handshakeDone: boolean;
  /** Consecutive failed delivery attempts. */
  failures: number;
  lastSent?: Date;
  lastError?: string;
  access: SubscriptionAccess;
}

/**
 * How recordEvents queues rest-hook delivery, in its own statement: the subscriptions batched passes take
 * (handshake done, not failing: judged on the rows it locked) get the one `batch` job; the others their own
 * job. `consume`: the outbox rows these events came from, deleted in that statement too.
 */
export interface DeliveryRoute {
  perSubscription: readonly { subscriptionId: string; job: JobSpec }[];
  batch: JobSpec;
  consume: readonly string[];
  /**
   * The claimed job these events come from, completed in that statement too (see completeJob; LeaseLostError
   * when `owner` no longer holds it); `read` gets when its queue next has something to claim.
   */
  complete?: { jobId: string; owner: string; then?: JobSpec; read(due: Date | null): void };
}

/** Subscription bookkeeping inside a write's transaction. */
export interface SubscriptionLogWriter {
  /**
   * Creates or updates the state row of a Subscription (author's access; a re-activated one handshakes again).
   * `channel`: the live subscription's channel type ('rest-hook' lets batched passes take it), null for one that
   * is off; left as it was when undefined.
   */
  register(subscriptionId: string, access: SubscriptionAccess | undefined, handshakeAgain: boolean, channel?: string | null): Promise<void>;
  /** Marks the set of subscriptions changed, for every server's cached list. */
  bumpCatalogue(): Promise<void>;
  /** Takes the transaction-scoped advisory lock `key` and returns the catalogue version (one round trip). */
  lockWithCatalogueVersion(key: string): Promise<string>;
  /** Puts one changed resource version in the subscription outbox (migration 016), for the fan-out to match. */
  addToOutbox(entry: OutboxSpec): Promise<void>;
  /** The oldest outbox rows (at most `limit`), each with its stored version (null if it is gone). */
  takeOutbox(limit: number): Promise<OutboxEntry[]>;
  /**
   * Appends events in the given order, each numbered previous + 1 on its subscription's state row (locked
   * first), then enqueues `jobs` (coalesced with waiting jobs of the same key, after the counters are locked);
   * returns how many events each subscription got (a subscription without a state row gets none).
   */
  recordEvents(
    events: readonly (SubscriptionEventSpec & { subscriptionId: string })[], jobs: readonly JobSpec[], route?: DeliveryRoute,
  ): Promise<Map<string, number>>;
  /** Deletes consumed outbox rows (in the transaction that recorded their events). */
  consumeOutbox(ids: readonly string[]): Promise<void>;
  /** Makes the fan-out job due by its runAt (now when unset): inserts it, or moves a waiting one's run_at forward. */
  requestFanout(job: JobSpec): Promise<void>;
  /**
   * Records that the deliverer `owner` got everything up to `upTo` (and the handshake) acknowledged, giving up
   * the lease when `letGo`; `more` tells whether newer events are waiting. Throws LeaseLostError when another
   * deliverer holds the subscription now.
   */
  delivered(subscriptionId: string, owner: string, upTo: number, handshake: boolean, letGo?: boolean): Promise<{ more: boolean }>;
  /**
   * Gives up the delivery lease if everything raised so far is delivered; false when newer events are waiting.
   * `force` gives it up regardless (the caller queues the job that continues).
   */
  release(subscriptionId: string, owner: string, force?: boolean): Promise<boolean>;
}

/** A delivery lease just taken, with the events waiting after the delivered ones (none before the handshake). */
export interface ClaimedDelivery { state: SubscriptionState; events: SubscriptionEvent[] }
export interface FinishedDelivery {
  /** Newer events are waiting (the continuation job was queued). */
  more: boolean;
}

export interface ClaimedDeliveries {
  claimed: ClaimedDelivery[];
  /** When the earliest lease of another deliverer on a subscription with waiting events ends (none: undefined). */
  heldUntil?: Date;
}

/**
 * What a batched pass did with one claimed subscription: `upTo` acknowledged (with `after` queued, e.g. its
 * heartbeat), or failed with `error` (`after` queued: its own retry job), or `park`ed (gone, off, invalid: no
 * longer taken by passes); in every case its lease is let go.
 */
export interface DeliveryOutcome {
  subscriptionId: string;
  upTo?: number;
  error?: string;
  park?: boolean;
  after?: JobSpec;
}

/**
 * A batched pass's own job, completed by its last finish (one round trip less per pass; LeaseLostError when
 * `owner` no longer holds it): `then` is queued with it, and when an outcome recorded has events waiting still
 * (`more`), a pass job due at once instead, for the events the pass ends without. `read` gets when the queue
 * next has something to claim.
 */
export interface PassCompletion { jobId: string; owner: string; then: JobSpec; thenWanted: boolean; read(due: Date | null): void }

export interface FinishedDeliveryOutcome {
  subscriptionId: string;
  /** Consecutive failures after this outcome. */
  failures: number;
  /** Newer events are waiting. */
  more: boolean;
}

/** Subscription bookkeeping outside transactions (delivery, $status, $events). */
export interface SubscriptionLog {
  /** A value that changes whenever any server writes a Subscription. */
  catalogueVersion(): Promise<string>;
  /** SubscriptionLogWriter.requestFanout as a statement of its own (a request needs no transaction around it). */
  requestFanout(job: JobSpec): Promise<void>;
  state(subscriptionId: string): Promise<SubscriptionState | null>;
  /** The authors' access of those of these subscriptions that have a state row, in one statement (catalogue loads). */
  accessOf(subscriptionIds: readonly string[]): Promise<Map<string, SubscriptionAccess>>;
  /** Events with since < number ≤ until, oldest first, at most `limit`. */
  events(subscriptionId: string, since: number, until: number, limit: number): Promise<SubscriptionEvent[]>;
  /** Takes (or renews) the delivery lease: one deliverer per subscription at a time; null when another holds it. */
  claimDelivery(subscriptionId: string, owner: string, leaseMs: number): Promise<SubscriptionState | null>;
  /** claimDelivery and, in the same statement, up to `limit` undelivered events (oldest first) once the handshake is done. */
  claimDeliveryBatch(subscriptionId: string, owner: string, leaseMs: number, limit: number): Promise<ClaimedDelivery | null>;
  /**
   * In one statement: everything up to `upTo` acknowledged, the delivery lease let go, the delivery job (held by
   * `job.owner`) completed, `continuation` queued when newer events are waiting and `after` queued regardless.
   * Throws LeaseLostError, changing nothing, when either lease is held by someone else now.
   */
  finishDelivery(f: {
    subscriptionId: string; owner: string; upTo: number; job: { id: string; owner: string }; continuation: JobSpec; after?: JobSpec;
  }): Promise<FinishedDelivery>;
  /**
   * A batched pass's claim, one statement: the delivery leases of up to `limit` rest-hook subscriptions with
   * undelivered events (handshake done, not failing, free, not in `exclude`), each with up to `perSubscription`
   * of its waiting events; and when the next of those held by another deliverer is free again.
   */
  claimDeliveries(owner: string, leaseMs: number, limit: number, perSubscription: number, exclude: readonly string[]): Promise<ClaimedDeliveries>;
  /** A batched pass's outcomes, one statement; outcomes of subscriptions `owner` no longer holds change nothing. */
  finishDeliveries(owner: string, outcomes: readonly DeliveryOutcome[], complete?: PassCompletion): Promise<FinishedDeliveryOutcome[]>;
  /** Records a failed attempt by the lease holder; returns the consecutive failures. */
  deliveryFailed(subscriptionId: string, owner: string, error: string): Promise<number>;
  /**
   * Deletes at most `limit` events no longer owed (delivered, websocket, or of an off subscription) older than
   * `olderThan`, and any event of a deleted Subscription (store/subscription-retention.ts); returns how many.
   */
  pruneEvents(olderThan: Date, limit: number): Promise<number>;
  /** The smallest event number still held for the subscription (older ones were pruned); null when none is. */
  oldestEvent(subscriptionId: string): Promise<number | null>;
}

/** A committed-or-not change, seen by write hooks inside the writing transaction. */
export interface ResourceChange {
  kind: 'create' | 'update' | 'delete';
  resourceType: string;
  id: string;
  stored: StoredResource;
}

/**
 * Run by the store itself, in registration order, inside the transaction of EVERY write — REST, bundles,
 * NLP results, review decisions, twins, Tasks, jobs' writes — so derived work (extraction Tasks, the twin
 * outbox, audit, subscriptions) commits or rolls back with the resource. No caller runs hooks.
 *
 * Hooks see every write, including writes made by hooks (an extraction Task written by the extraction hook
 * passes every hook too). A hook therefore filters what it reacts to and must not react to its own writes
 * (by resource type, or by the AccessContext.origin its own service writes with); nesting deeper than MAX_HOOK_DEPTH is refused as a bug.
 */
export type WriteHook = (tx: StoreWriter, ctx: AccessContext, change: ResourceChange) => Promise<void>;

/** Hook-in-hook nesting the store allows before it fails the transaction (a hook feeding itself). */
export const MAX_HOOK_DEPTH = 8;

export interface JobSpec {
  queue: string;
  /** Debounce / supersede key (e.g. a patient id or a document id). */
  key?: string;
  payload: Record<string, unknown>;
  /** Not before this time (debounce delay); default now. */
  runAt?: Date;
  /** Attempts before the job fails for good (default 5). */
  maxAttempts?: number;
}

export interface Job {
  id: string;
  queue: string;
  key?: string;
  payload: Record<string, unknown>;
  /** Attempts started so far, including the current one. */
  attempts: number;
  maxAttempts: number;
  createdAt: Date;
  leaseOwner: string;
  leaseUntil: Date;
}

/** Durable background jobs in PostgreSQL: claimed with FOR UPDATE SKIP LOCKED under a lease. */
export interface JobQueue {
  /** Claims up to `limit` due jobs of `queue` whose lease is free or expired; each claim counts an attempt. */
  claim(queue: string, owner: string, leaseMs: number, limit: number): Promise<Job[]>;
  /** claim, and when it found nothing, nextDue in the same statement (an idle runner's poll is one round trip). */
  claimOrNextDue(queue: string, owner: string, leaseMs: number, limit: number): Promise<{ jobs: Job[]; nextDue: Date | null }>;
  /** completeJob in a statement of its own, for a job whose results were written already (or that has none). */
  complete(id: string, owner: string, then?: JobSpec): Promise<Date | null>;
  /** Extends a held lease; false when it was lost. */
  extendLease(id: string, owner: string, leaseMs: number): Promise<boolean>;
  /** Gives a claimed job back to run again at `retryAt` (transient failure). */
  retry(id: string, owner: string, retryAt: Date, error: string): Promise<void>;
  /** Fails a claimed job for good (kept for inspection with its error). */
  fail(id: string, owner: string, error: string): Promise<void>;
  /** Jobs waiting or running per queue (for /metrics and autoscaling on queue depth). */
  depth(): Promise<Record<string, { waiting: number; running: number; failed: number }>>;
  /** Earliest time a waiting job of `queue` becomes due (null when none): lets idle workers sleep precisely. */
  nextDue(queue: string): Promise<Date | null>;
}

/** The job runner's queue of $reindex jobs (one runner job per reindex_job row). */
export const REINDEX_QUEUE = 'reindex';
/**
 * Claims a reindex runner job may take (shutdowns and failed batches each cost one); the reindex job's own
 * limit on consecutive failed batches (reindexBatchFailed) normally ends a hopeless job long before.
 */
export const REINDEX_JOB_ATTEMPTS = 100;

/** A $reindex job, persisted so that any server may process its batches and a restart resumes it. */
export interface ReindexJob {
  id: string;
  /** The type re-indexed; undefined for every type (system level). */
  resourceType?: string;
  status: 'queued' | 'running' | 'completed' | 'failed';
  /** rid of the last resource processed (the resume point). */
  cursor: string;
  processed: number;
  /** Resources in scope when the job was created. */
  total: number;
  error?: string;
  createdAt: Date;
  updatedAt: Date;
  completedAt?: Date;
}

/** Search-index maintenance: the stored SearchParameters and $reindex jobs. */
export interface SearchIndexAdmin {
  /** Every live SearchParameter resource (the registry learns them at start). */
  listSearchParameters(): Promise<(SearchParameter & { id: string })[]>;
  /** A value that changes whenever any server creates, updates or deletes a SearchParameter. */
  searchParameterVersion(): Promise<string>;
  createReindexJob(id: string, resourceType?: string): Promise<ReindexJob>;
  getReindexJob(id: string): Promise<ReindexJob | null>;
  /** Ids of queued or running jobs, oldest first. */
  openReindexJobs(): Promise<string[]>;
  /**
   * Re-indexes the job's next batch in one transaction that holds the job row (FOR UPDATE SKIP
   * LOCKED). Returns the job after the batch, or null when another server holds it or it is over.
   */
  reindexBatch(id: string, batchSize: number): Promise<ReindexJob | null>;
  /** Records a failed batch; the job fails after `maxAttempts` consecutive failures. */
  reindexBatchFailed(id: string, error: string, maxAttempts: number): Promise<void>;
}

/** What the composition root plugs into the store before anything writes or reads (fixed for the store's life). */
export interface StoreExtensions {
  /** Run inside every write's transaction, in this order. */
  hooks?: readonly WriteHook[];
  /** Checked before every read; default: allow all. */
  readPolicy?: ReadPolicy;
}

export interface ResourceStore extends StoreReader {
  readonly driverName: 'pg' | 'pglite';
  /** Bulk $import jobs: their inputs, checkpoints and per-line errors. */
  readonly bulkImport: BulkImportStore;
  transaction<T>(fn: (tx: StoreWriter) => Promise<T>): Promise<T>;
  /** Custom SearchParameters and $reindex jobs. */
  readonly searchIndex: SearchIndexAdmin;
  /** Durable background jobs (NLP extraction, twin refresh). */
  readonly jobs: JobQueue;
  /** Bulk Data $export jobs and the keyset-paged reads they stream from. */
  readonly bulkExport: BulkExportStore;
  /** Subscription events and delivery progress. */
  readonly subscriptionLog: SubscriptionLog;
  ping(): Promise<void>;
  poolStats(): { total: number; idle: number; waiting: number };
  close(): Promise<void>;
}

// ---- bulk $import (issue 14) ----

/** The job runner's queue of $import jobs (one runner job per bulk_import_job row). */
export const IMPORT_QUEUE = 'bulk-import';

/** Where an import input's NDJSON lives: a Binary of this server, or a file uploaded with the request. */
export type ImportSource = { binary: string } | { upload: number };

export interface ImportInput {
  /** Resource type every line must have (the Parameters' `type`); undefined: any type per line. */
  type?: string;
  /** The URL as the client gave it (reported in errors and the manifest). */
  url: string;
  source: ImportSource;
}

/** Where the next batch starts: input index, byte offset in it and the number of lines already read. */
export interface ImportCheckpoint {
  input: number;
  offset: number;
  line: number;
}

export type ImportStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';

export interface BulkImportJob {
  id: string;
  /** The client the job belongs to: its status and errors are visible to it alone. */
  clientId: string;
  status: ImportStatus;
  /** The kick-off request URL (for the manifest). */
  request: string;
  inputs: ImportInput[];
  /** The requester's access context as stored (the job writes with it). */
  context: Record<string, unknown>;
  checkpoint: ImportCheckpoint;
  /** Resources written per type. */
  counts: Record<string, number>;
  errorCount: number;
  error?: string;
  createdAt: Date;
  updatedAt: Date;
  completedAt?: Date;
}

export type NewImportJob = Pick<BulkImportJob, 'id' | 'clientId' | 'request' | 'inputs' | 'context'>;

/** What one batch wrote, committed together with its resources. */
export interface ImportBatchResult {
  next: ImportCheckpoint;
  /** Resources written per type in this batch. */
  counts: Record<string, number>;
  /** One OperationOutcome (JSON text) per refused line. */
  errors: string[];
}

export interface BulkImportStore {
  /**
   * Creates the job and queues it on IMPORT_QUEUE in one transaction; `uploads[i]` streams the bytes of
   * the input whose source is `{ upload: i }`, stored in chunks as they arrive. Nothing remains when the
   * stream fails (the transaction rolls back).
   */
  create(job: NewImportJob, uploads?: AsyncIterable<Uint8Array>[]): Promise<BulkImportJob>;
  get(id: string): Promise<BulkImportJob | null>;
  /** Bytes of an uploaded input from `offset` on, chunk by chunk. */
  readUpload(id: string, input: number, offset: number): AsyncIterable<Uint8Array>;
  /**
   * Runs `fn` (the batch's writes) in one transaction holding the job row and commits its result with it;
   * 'moved' (nothing written) when the job is no longer running at `from` (cancelled, or another worker went on).
   */
  batch(id: string, from: ImportCheckpoint, fn: (tx: StoreWriter) => Promise<ImportBatchResult>): Promise<'written' | 'moved'>;
  /** Marks the job running (from queued); false when it is over or cancelled. */
  start(id: string): Promise<boolean>;
  /**
   * Ends the job as completed or failed in one transaction with `complete` (which completes the runner's job),
   * and queues its expiry at `expiresAt` (a runner job then removes it with its errors).
   */
  finish(id: string, outcome: { status: 'completed' | 'failed'; error?: string; expiresAt: Date }, complete: (tx: StoreWriter) => Promise<void>): Promise<void>;
  /** Cancels an open job (due to expire at `expiresAt`) and drops its uploads, or deletes an ended one with its errors; false when there is no such job. */
  cancel(id: string, expiresAt: Date): Promise<boolean>;
  /** Deletes the job with its errors and uploads (expiry); false when it was already gone. */
  remove(id: string): Promise<boolean>;
  /** The error OperationOutcomes after `afterSeq`, at most `limit`, in line order. */
  errors(id: string, afterSeq: number, limit: number): Promise<{ seq: number; outcome: string }[]>;
}
