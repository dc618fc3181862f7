/**
 * The PostgreSQL ResourceStore: current + history tables, optimistic locking, index rows written in
 * the resource's own transaction. Identical SQL on `pg` and PGlite.
 */
import type { Resource } from 'fhir/r4';
import type { AccessContext } from '../core/access-context';
import type { Clock } from '../core/clock';
import { FhirError, conflict } from '../core/fhir-error';
import type { SearchRegistry } from '../search/registry';
import type { SearchQuery, SearchResult } from '../search/types';
import { readHistory } from './history';
import { cancelWaitingJobs, completeJob, createJobQueue, enqueueJob } from './job-queue';
import { toStored, type ContentRow } from './rows';
import { type IndexWriteItem, deleteIndexRows, replaceIndexRows, writeIndexRowsBatch } from './search/index-writer';
import { executeSearch } from './search/search-sql';
import { createSearchIndexAdmin } from './search/search-index-admin';
import type { SqlDriver, SqlExecutor } from './sql';
import type {
  HistoryPage, HistoryQuery, JobQueue, JobSpec, ResourceStore, SearchIndexAdmin, StoreReader, StoreWriter, StoredResource, WriteOptions,
} from './types';

export interface PgStoreDeps {
  driver: SqlDriver;
  registry: SearchRegistry;
  clock: Clock;
  /** HMAC key for search/history cursors. */
  cursorSecret: string;
}

interface ResourceRow {
  rid: string;
  version: number;
  deleted: boolean;
}

function withMeta<T extends Resource>(resource: T, versionId: number, lastUpdated: Date): T {
  return { ...resource, meta: { ...resource.meta, versionId: String(versionId), lastUpdated: lastUpdated.toISOString() } };
}

/** Read paths shared by the store and its transactions. */
class Reader implements StoreReader {
  constructor(protected readonly sql: SqlExecutor, protected readonly deps: PgStoreDeps) {}

  async read(_ctx: AccessContext, resourceType: string, id: string): Promise<StoredResource | null> {
    const { rows } = await this.sql.query<ContentRow>(
      'SELECT res_type, id, version, last_updated, deleted, content::text AS content FROM resource WHERE res_type = $1 AND id = $2',
      [resourceType, id],
      'twinfhir_read',
    );
    return rows[0] ? toStored(rows[0]) : null;
  }

  async vread(_ctx: AccessContext, resourceType: string, id: string, versionId: number): Promise<StoredResource | null> {
    const { rows } = await this.sql.query<ContentRow>(
      'SELECT res_type, id, version, last_updated, deleted, content::text AS content FROM resource_history WHERE res_type = $1 AND id = $2 AND version = $3',
      [resourceType, id, versionId],
      'twinfhir_vread',
    );
    return rows[0] ? toStored(rows[0]) : null;
  }

  history(_ctx: AccessContext, q: HistoryQuery): Promise<HistoryPage> {
    return readHistory(this.sql, q, this.deps.cursorSecret);
  }

  search(_ctx: AccessContext, q: SearchQuery): Promise<SearchResult> {
    return executeSearch(this.sql, q, this.deps.registry, { cursorSecret: this.deps.cursorSecret });
  }
}

/**
 * Writes inside one transaction. Index rows are buffered and written in one batch statement
 * before anything in the transaction reads or searches, and before commit, so a resource and its
 * index rows still become visible together (flush() is called by PgResourceStore.transaction).
 */
class Writer extends Reader implements StoreWriter {
  private pendingNew: IndexWriteItem[] = [];
  private pendingReplace = new Map<string, IndexWriteItem>();
  private afterCommit: (() => void)[] = [];

  onCommit(fn: () => void): void {
    this.afterCommit.push(fn);
  }

  /** Called by PgResourceStore.transaction once COMMIT succeeded. */
  committed(): void {
    for (const fn of this.afterCommit.splice(0)) {
      try {
        fn();
      } catch {
        // The write is durable: a failing callback must not turn it into an error.
      }
    }
  }

  async flush(): Promise<void> {
    if (this.pendingNew.length) {
      const items = this.pendingNew;
      this.pendingNew = [];
      await writeIndexRowsBatch(this.sql, items);
    }
    if (this.pendingReplace.size) {
      const items = [...this.pendingReplace.values()];
      this.pendingReplace.clear();
      await replaceIndexRows(this.sql, items);
    }
  }

  override async search(ctx: AccessContext, q: SearchQuery): Promise<SearchResult> {
    await this.flush();
    return super.search(ctx, q);
  }

  private async currentForUpdate(resourceType: string, id: string): Promise<ResourceRow | undefined> {
    const { rows } = await this.sql.query<ResourceRow>(
      'SELECT rid::text AS rid, version, deleted FROM resource WHERE res_type = $1 AND id = $2 FOR UPDATE',
      [resourceType, id],
    );
    return rows[0];
  }

  private index(rid: string, resource: Resource, replace: boolean): void {
    const item: IndexWriteItem = { rid, resourceType: resource.resourceType, values: this.deps.registry.extract(resource) };
    // A resource created earlier in this transaction still has its rows pending: replace them in place.
    const pendingIdx = this.pendingNew.findIndex((p) => p.rid === rid);
    if (pendingIdx >= 0) this.pendingNew[pendingIdx] = item;
    else if (replace) this.pendingReplace.set(rid, item);
    else this.pendingNew.push(item);
  }

  async create(_ctx: AccessContext, resource: Resource & { id: string }): Promise<StoredResource> {
    const now = this.deps.clock.now();
    const content = withMeta(resource, 1, now);
    // One round trip: the history row takes its content from the inserted row.
    const { rows } = await this.sql.query<{ rid: string }>(
      `WITH ins AS (
         INSERT INTO resource (res_type, id, version, last_updated, deleted, content)
         VALUES ($1, $2, 1, $3, false, $4::jsonb) ON CONFLICT (res_type, id) DO NOTHING RETURNING rid, content),
       hist AS (
         INSERT INTO resource_history (res_type, id, version, last_updated, method, deleted, content)
         SELECT $1, $2, 1, $3, 'create', false, content FROM ins)
       SELECT rid::text AS rid FROM ins`,
      [resource.resourceType, resource.id, now, JSON.stringify(content)],
    );
    if (!rows[0]) throw conflict(`${resource.resourceType}/${resource.id} already exists`);
    this.index(rows[0].rid, content, false);
    return { resourceType: resource.resourceType, id: resource.id, versionId: 1, lastUpdated: now, deleted: false, resource: content };
  }

  async createMany(_ctx: AccessContext, resources: (Resource & { id: string })[]): Promise<StoredResource[]> {
    const out: StoredResource[] = [];
    for (let i = 0; i < resources.length; i += CREATE_BATCH) out.push(...(await this.createBatch(resources.slice(i, i + CREATE_BATCH))));
    return out;
  }

  private async createBatch(resources: (Resource & { id: string })[]): Promise<StoredResource[]> {
    const now = this.deps.clock.now();
    const contents = resources.map((r) => withMeta(r, 1, now));
    const { rows } = await this.sql.query<{ rid: string; res_type: string; id: string }>(
      `WITH ins AS (
         INSERT INTO resource (res_type, id, version, last_updated, deleted, content)
         SELECT t, i, 1, $3, false, c::jsonb FROM unnest($1::text[], $2::text[], $4::text[]) AS u(t, i, c)
         ON CONFLICT (res_type, id) DO NOTHING RETURNING rid, res_type, id, content),
       hist AS (
         INSERT INTO resource_history (res_type, id, version, last_updated, method, deleted, content)
         SELECT res_type, id, 1, $3, 'create', false, content FROM ins)
       SELECT rid::text AS rid, res_type, id FROM ins`,
      [resources.map((r) => r.resourceType), resources.map((r) => r.id), now, contents.map((c) => JSON.stringify(c))],
    );
    const rids = new Map(rows.map((r) => [`${r.res_type}/${r.id}`, r.rid]));
    return contents.map((content) => {
      const rid = rids.get(`${content.resourceType}/${content.id}`);
      if (!rid) throw conflict(`${content.resourceType}/${content.id} already exists`);
      this.index(rid, content, false);
      return { resourceType: content.resourceType, id: content.id, versionId: 1, lastUpdated: now, deleted: false, resource: content };
    });
  }

  async update(ctx: AccessContext, resource: Resource & { id: string }, opts: WriteOptions = {}): Promise<{ stored: StoredResource; created: boolean }> {
    const current = await this.currentForUpdate(resource.resourceType, resource.id);
    if (!current) {
      if (opts.expectedVersion !== undefined) throw versionMismatch(resource, opts.expectedVersion, undefined);
      try {
        return { stored: await this.create(ctx, resource), created: true };
      } catch (err) {
        // A concurrent update-as-create won the insert; retry as a normal update on its row.
        if (err instanceof FhirError && err.status === 409) return this.update(ctx, resource, opts);
        throw err;
      }
    }
    const version = Number(current.version);
    if (opts.expectedVersion !== undefined && opts.expectedVersion !== version) throw versionMismatch(resource, opts.expectedVersion, version);
    const now = this.deps.clock.now();
    const content = withMeta(resource, version + 1, now);
    const method = current.deleted ? 'create' : (opts.method ?? 'update');
    await this.sql.query(
      `WITH upd AS (
         UPDATE resource SET version = $2, last_updated = $3, deleted = false, content = $4::jsonb WHERE rid = $1
         RETURNING res_type, id, content)
       INSERT INTO resource_history (res_type, id, version, last_updated, method, deleted, content)
       SELECT res_type, id, $2, $3, $5, false, content FROM upd`,
      [current.rid, version + 1, now, JSON.stringify(content), method],
    );
    this.index(current.rid, content, !current.deleted);
    const stored: StoredResource = { resourceType: resource.resourceType, id: resource.id, versionId: version + 1, lastUpdated: now, deleted: false, resource: content };
    return { stored, created: current.deleted };
  }

  async delete(_ctx: AccessContext, resourceType: string, id: string, opts: WriteOptions = {}): Promise<StoredResource | null> {
    const current = await this.currentForUpdate(resourceType, id);
    if (!current || current.deleted) return null;
    const version = Number(current.version);
    if (opts.expectedVersion !== undefined && opts.expectedVersion !== version) {
      throw versionMismatch({ resourceType, id }, opts.expectedVersion, version);
    }
    const now = this.deps.clock.now();
    await this.sql.query(
      `WITH del AS (
         UPDATE resource SET version = $2, last_updated = $3, deleted = true, content = NULL WHERE rid = $1 RETURNING res_type, id)
       INSERT INTO resource_history (res_type, id, version, last_updated, method, deleted, content)
       SELECT res_type, id, $2, $3, 'delete', true, NULL FROM del`,
      [current.rid, version + 1, now],
    );
    this.pendingNew = this.pendingNew.filter((p) => p.rid !== current.rid);
    this.pendingReplace.delete(current.rid);
    await deleteIndexRows(this.sql, current.rid);
    return { resourceType, id, versionId: version + 1, lastUpdated: now, deleted: true };
  }

  enqueueJob(job: JobSpec): Promise<void> {
    return enqueueJob(this.sql, job);
  }

  completeJob(id: string, owner: string): Promise<void> {
    return completeJob(this.sql, id, owner);
  }

  cancelWaitingJobs(queue: string, key: string): Promise<number> {
    return cancelWaitingJobs(this.sql, queue, key);
  }

  async lock(key: string): Promise<void> {
    // hashtextextended gives a 64-bit key; collisions only cost extra serialization, never correctness.
    await this.sql.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [key]);
  }
}

/** Rows per multi-row INSERT: large enough to amortize round trips, small enough for memory. */
const CREATE_BATCH = 500;

function versionMismatch(r: { resourceType: string; id: string }, expected: number, actual: number | undefined): FhirError {
  const now = actual === undefined ? 'does not exist' : `is at version ${actual}`;
  return new FhirError(412, 'conflict', `Version conflict: ${r.resourceType}/${r.id} ${now}, expected version ${expected}`);
}

export class PgResourceStore extends Reader implements ResourceStore {
  readonly driverName: 'pg' | 'pglite';
  readonly searchIndex: SearchIndexAdmin;
  readonly jobs: JobQueue;

  constructor(private readonly store: PgStoreDeps) {
    super(store.driver, store);
    this.driverName = store.driver.name;
    this.searchIndex = createSearchIndexAdmin(store.driver, store.registry, store.clock);
    this.jobs = createJobQueue(store.driver);
  }

  async transaction<T>(fn: (tx: StoreWriter) => Promise<T>): Promise<T> {
    let writer: Writer | undefined;
    const result = await this.store.driver.transaction(async (sql) => {
      writer = new Writer(sql, this.store);
      const r = await fn(writer);
      await writer.flush();
      return r;
    });
    writer?.committed();
    return result;
  }

  async ping(): Promise<void> {
    await this.store.driver.query('SELECT 1');
  }

  poolStats(): { total: number; idle: number; waiting: number } {
    return this.store.driver.poolStats();
  }

  close(): Promise<void> {
    return this.store.driver.close();
  }
}
