/**
 * The ResourceStore contract. Services use the store only through these interfaces;
 * the PostgreSQL implementation (one SQL, two drivers) lives beside it.
 */
import type { Resource, SearchParameter } from 'fhir/r4';
import type { AccessContext } from '../core/access-context';
import type { SearchQuery, SearchResult } from '../search/types';

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

/** Read paths: available outside and inside transactions. */
export interface StoreReader {
  read(ctx: AccessContext, resourceType: string, id: string): Promise<StoredResource | null>;
  vread(ctx: AccessContext, resourceType: string, id: string, versionId: number): Promise<StoredResource | null>;
  history(ctx: AccessContext, q: HistoryQuery): Promise<HistoryPage>;
  search(ctx: AccessContext, q: SearchQuery): Promise<SearchResult>;
}

export interface WriteOptions {
  /** Optimistic lock: fail with 409/412 unless the current version equals this. */
  expectedVersion?: number;
  /** Set on the history row; default derived from the operation. */
  method?: 'create' | 'update' | 'delete';
}

/** Write paths: only inside a transaction, so index rows and resource change together. */
export interface StoreWriter extends StoreReader {
  /** Inserts a new resource (id already chosen by the caller). 409 if the id exists and is not deleted. */
  create(ctx: AccessContext, resource: Resource & { id: string }): Promise<StoredResource>;
  /** Inserts many new resources in one statement (bundles); 409 if any id exists. Same order as given. */
  createMany(ctx: AccessContext, resources: (Resource & { id: string })[]): Promise<StoredResource[]>;
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
}

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

export interface ResourceStore extends StoreReader {
  readonly driverName: 'pg' | 'pglite';
  transaction<T>(fn: (tx: StoreWriter) => Promise<T>): Promise<T>;
  /** Custom SearchParameters and $reindex jobs. */
  readonly searchIndex: SearchIndexAdmin;
  ping(): Promise<void>;
  poolStats(): { total: number; idle: number; waiting: number };
  close(): Promise<void>;
}
