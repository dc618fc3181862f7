/**
 * Writes inside one transaction, and the one place the write hooks run: every create, createMany, update and
 * delete calls them (in registration order) once its rows are written, whoever the caller is. Index rows
 * are buffered and written in one batch statement before anything in the transaction reads or searches,
 * and before commit, so a resource and its index rows still become visible together.
 */
import { readingAfter } from './search/terminology-source';
import type { Resource } from 'fhir/r4';
import type { AccessContext } from '../core/access-context';
import { type Breather, breather } from '../core/breather';
import { FhirError, conflict } from '../core/fhir-error';
import type { SearchQuery, SearchResult } from '../search/types';
import { cancelWaitingJobs, completeJob, enqueueJob } from './job-queue';
import { Reader } from './reader';
import { subscriptionLogWriter } from './subscription-log';
import { outboxInsert } from './subscription-outbox';
import type { IndexValues } from '../search/types';
import { patientCompartmentsOf } from '../search/patient-compartment';
import { textOwnershipOf } from '../search/text-ownership';
import { assertWritable } from './write-restriction';
import { keepMaskedHeaders } from './subscription-header-mask';
import { type ChainedWrite, type IndexWriteItem, deleteIndexRows, replaceIndexRows, writeIndexRowsBatch } from './search/index-writer';
import {
  type CreateManyOptions, type JobSpec, MAX_HOOK_DEPTH, type ResourceChange, type StoreWriter, type StoredResource, type WriteOptions,
  type TerminologyReader, type SubscriptionLogWriter, type OutboxSpec,
} from './types';

interface ResourceRow {
  rid: string;
  version: number;
  deleted: boolean;
  patients: string[] | null;
}

/** A version about to be written: its index values, and the patient compartments they place it in. */
interface Prepared { content: WithId; values: IndexValues; patients: string[] }

type WithId = Resource & { id: string };

/** Rows per multi-row INSERT: large enough to amortize round trips, small enough for memory. */
const CREATE_BATCH = 500;

function withMeta<T extends Resource>(resource: T, versionId: number, lastUpdated: Date): T {
  return { ...resource, meta: { ...resource.meta, versionId: String(versionId), lastUpdated: lastUpdated.toISOString() } };
}

function versionMismatch(r: { resourceType: string; id: string }, expected: number, actual: number | undefined): FhirError {
  const now = actual === undefined ? 'does not exist' : `is at version ${actual}`;
  return new FhirError(412, 'conflict', `Version conflict: ${r.resourceType}/${r.id} ${now}, expected version ${expected}`);
}

export class Writer extends Reader implements StoreWriter {
  private pendingNew: IndexWriteItem[] = [];
  private pendingReplace = new Map<string, IndexWriteItem>();
  private afterCommit: (() => void)[] = [];
  private hookDepth = 0;
  private subscriptions: SubscriptionLogWriter | undefined;
  /** Outbox rows of this transaction, written with its index rows (one round trip fewer per write). */
  private pendingOutbox: OutboxSpec[] = [];

  get subscriptionLog(): SubscriptionLogWriter {
    if (this.subscriptions) return this.subscriptions;
    const log = subscriptionLogWriter(this.sql);
    return (this.subscriptions = {
      ...log,
      addToOutbox: (entry) => { this.pendingOutbox.push(entry); return Promise.resolve(); },
      // Whoever reads the outbox in this transaction sees its own rows, as if they had been written at once.
      takeOutbox: async (limit) => { await this.flush(); return log.takeOutbox(limit); },
    });
  }

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
    // The outbox rows ride in the first index statement (or go alone when there is none).
    const outbox = this.pendingOutbox.splice(0);
    const also: ChainedWrite[] = outbox.length ? [(b) => outboxInsert(b, outbox)] : [];
    const taken = (): ChainedWrite[] => also.splice(0);
    // In slices of CREATE_BATCH resources: a 10,000-entry transaction's index rows as one statement
    // outlived the statement budget on PGlite, and built its parameters in one long synchronous run.
    if (this.pendingNew.length) {
      const items = this.pendingNew;
      this.pendingNew = [];
      for (let i = 0; i < items.length; i += CREATE_BATCH) await writeIndexRowsBatch(this.sql, items.slice(i, i + CREATE_BATCH), taken());
    }
    if (this.pendingReplace.size) {
      const items = [...this.pendingReplace.values()];
      this.pendingReplace.clear();
      for (let i = 0; i < items.length; i += CREATE_BATCH) await replaceIndexRows(this.sql, items.slice(i, i + CREATE_BATCH), taken());
    }
    if (also.length) await writeIndexRowsBatch(this.sql, [], taken());
  }

  override async search(ctx: AccessContext, q: SearchQuery): Promise<SearchResult> {
    await this.flush();
    return super.search(ctx, q);
  }

  override terminology(): TerminologyReader {
    return readingAfter(super.terminology(), () => this.flush());
  }

  /** Runs every registered hook for one change; a hook's own writes nest (bounded by MAX_HOOK_DEPTH). */
  private async changed(ctx: AccessContext, kind: ResourceChange['kind'], stored: StoredResource): Promise<void> {
    if (this.deps.hooks.length === 0) return;
    if (this.hookDepth >= MAX_HOOK_DEPTH) {
      throw new FhirError(500, 'exception', `Write hooks nested more than ${MAX_HOOK_DEPTH} deep at ${stored.resourceType}/${stored.id}: a hook keeps reacting to its own writes`);
    }
    const change: ResourceChange = { kind, resourceType: stored.resourceType, id: stored.id, stored };
    this.hookDepth++;
    try {
      for (const hook of this.deps.hooks) await hook(this, ctx, change);
    } finally {
      this.hookDepth--;
    }
  }

  async create(ctx: AccessContext, resource: WithId): Promise<StoredResource> {
    const stored = await this.insert(ctx, resource);
    await this.changed(ctx, 'create', stored);
    return stored;
  }

  createMany(ctx: AccessContext, resources: WithId[], opts?: CreateManyOptions): Promise<StoredResource[]>;
  createMany(ctx: AccessContext, resources: WithId[], opts: CreateManyOptions & { skipExisting: true }): Promise<(StoredResource | undefined)[]>;
  async createMany(ctx: AccessContext, resources: WithId[], opts: CreateManyOptions = {}): Promise<(StoredResource | undefined)[]> {
    const out: (StoredResource | undefined)[] = [];
    for (let i = 0; i < resources.length; i += CREATE_BATCH) {
      out.push(...(await this.insertBatch(ctx, resources.slice(i, i + CREATE_BATCH), opts.skipExisting === true)));
      // each slice's index rows are written now: held to the commit, 9,500 resources' values weighed 100+ MB of heap
      await this.flush();
    }
    // hooks that answer from memory (most of them) never give the event loop a turn on their own
    const pause = breather();
    for (const [i, stored] of out.entries()) {
      if (!stored) continue;
      opts.beforeHooks?.(i);
      await this.changed(ctx, 'create', stored);
      await pause.maybeYield();
    }
    return out;
  }

  async update(ctx: AccessContext, resource: WithId, opts: WriteOptions = {}): Promise<{ stored: StoredResource; created: boolean }> {
    const result = await this.upsert(ctx, resource, opts);
    await this.changed(ctx, result.created ? 'create' : 'update', result.stored);
    return result;
  }

  async delete(ctx: AccessContext, resourceType: string, id: string, opts: WriteOptions = {}): Promise<StoredResource | null> {
    const marker = await this.markDeleted(ctx, resourceType, id, opts);
    if (marker) await this.changed(ctx, 'delete', marker);
    return marker;
  }

  enqueueJob(job: JobSpec): Promise<void> {
    return enqueueJob(this.sql, job);
  }

  completeJob(id: string, owner: string, then?: JobSpec): Promise<Date | null> {
    return completeJob(this.sql, id, owner, then);
  }

  cancelWaitingJobs(queue: string, key: string): Promise<number> {
    return cancelWaitingJobs(this.sql, queue, key);
  }

  async lock(key: string): Promise<void> {
    // hashtextextended gives a 64-bit key; collisions only cost extra serialization, never correctness.
    await this.sql.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [key]);
  }

  private async currentForUpdate(resourceType: string, id: string): Promise<ResourceRow | undefined> {
    const { rows } = await this.sql.query<ResourceRow>(
      'SELECT rid::text AS rid, version, deleted, patients FROM resource WHERE res_type = $1 AND id = $2 FOR UPDATE',
      [resourceType, id],
    );
    return rows[0];
  }

  /**
   * Extracts the version's index values once (for its index rows and its compartments) and checks the caller
   * may write it. Between parameters the event loop gets a turn once `pause`'s budget is spent.
   */
  private async prepare(ctx: AccessContext, content: WithId, pause: Breather = breather()): Promise<Prepared> {
    const steps = this.deps.registry.extractSteps(content);
    let step = steps.next();
    for (; !step.done; step = steps.next()) await pause.maybeYield();
    const values = step.value;
    const patients = patientCompartmentsOf(this.deps.registry, content, values);
    assertWritable(ctx, content, patients, 'written');
    return { content, values, patients };
  }

  private index(rid: string, { content: resource, values }: Prepared, replace: boolean): void {
    const item: IndexWriteItem = { rid, resourceType: resource.resourceType, values, text: textOwnershipOf(this.deps.registry, resource, values) };
    // A resource created earlier in this transaction still has its rows pending: replace them in place.
    const pendingIdx = this.pendingNew.findIndex((p) => p.rid === rid);
    if (pendingIdx >= 0) this.pendingNew[pendingIdx] = item;
    else if (replace) this.pendingReplace.set(rid, item);
    else this.pendingNew.push(item);
  }

  private async insert(ctx: AccessContext, resource: WithId): Promise<StoredResource> {
    const now = this.deps.clock.now();
    const content = withMeta(resource, 1, now);
    const prepared = await this.prepare(ctx, content);
    // One round trip: the history row takes its content from the inserted row.
    const { rows } = await this.sql.query<{ rid: string }>(
      `WITH ins AS (
         INSERT INTO resource (res_type, id, version, last_updated, deleted, content, patients)
         VALUES ($1, $2, 1, $3, false, $4::jsonb, $5::text[]) ON CONFLICT (res_type, id) DO NOTHING RETURNING rid, content),
       hist AS (
         INSERT INTO resource_history (res_type, id, version, last_updated, method, deleted, content, patients)
         SELECT $1, $2, 1, $3, 'create', false, content, $5::text[] FROM ins)
       SELECT rid::text AS rid FROM ins`,
      [resource.resourceType, resource.id, now, JSON.stringify(content), prepared.patients],
    );
    if (!rows[0]) throw conflict(`${resource.resourceType}/${resource.id} already exists`);
    this.index(rows[0].rid, prepared, false);
    return { resourceType: resource.resourceType, id: resource.id, versionId: 1, lastUpdated: now, deleted: false, resource: content };
  }

  private async insertBatch(ctx: AccessContext, resources: WithId[], skipExisting: boolean): Promise<(StoredResource | undefined)[]> {
    const now = this.deps.clock.now();
    const contents = resources.map((r) => withMeta(r, 1, now));
    // index values of 500 resources at once held the event loop for hundreds of ms on a busy machine
    const pause = breather();
    const prepared: Prepared[] = [];
    for (const c of contents) {
      prepared.push(await this.prepare(ctx, c, pause));
    }
    const { rows } = await this.sql.query<{ rid: string; res_type: string; id: string }>(
      `WITH ins AS (
         INSERT INTO resource (res_type, id, version, last_updated, deleted, content, patients)
         SELECT t, i, 1, $3, false, c::jsonb, ARRAY(SELECT jsonb_array_elements_text(p::jsonb))
         FROM unnest($1::text[], $2::text[], $4::text[], $5::text[]) AS u(t, i, c, p)
         ON CONFLICT (res_type, id) DO NOTHING RETURNING rid, res_type, id, content, patients),
       hist AS (
         INSERT INTO resource_history (res_type, id, version, last_updated, method, deleted, content, patients)
         SELECT res_type, id, 1, $3, 'create', false, content, patients FROM ins)
       SELECT rid::text AS rid, res_type, id FROM ins`,
      // Each version's compartments as a JSON array: unnest cannot take an array of arrays of different lengths.
      [resources.map((r) => r.resourceType), resources.map((r) => r.id), now, contents.map((c) => JSON.stringify(c)), prepared.map((p) => JSON.stringify(p.patients))],
    );
    const rids = new Map(rows.map((r) => [`${r.res_type}/${r.id}`, r.rid]));
    return prepared.map((p) => {
      const content = p.content;
      const key = `${content.resourceType}/${content.id}`;
      const rid = rids.get(key);
      // A second line with the same id in one batch finds the rid taken by the first: it is an update too.
      rids.delete(key);
      if (!rid && skipExisting) return undefined;
      if (!rid) throw conflict(`${key} already exists`);
      this.index(rid, p, false);
      return { resourceType: content.resourceType, id: content.id, versionId: 1, lastUpdated: now, deleted: false, resource: content };
    });
  }

  private async upsert(ctx: AccessContext, incoming: WithId, opts: WriteOptions): Promise<{ stored: StoredResource; created: boolean }> {
    const current = await this.currentForUpdate(incoming.resourceType, incoming.id);
    const resource = await keepMaskedHeaders(this.sql, ctx, incoming); // after the lock: the values kept are the current ones
    if (!current) {
      if (opts.expectedVersion !== undefined) throw versionMismatch(resource, opts.expectedVersion, undefined);
      try {
        return { stored: await this.insert(ctx, resource), created: true };
      } catch (err) {
        // A concurrent update-as-create won the insert; retry as a normal update on its row.
        if (err instanceof FhirError && err.status === 409) return this.upsert(ctx, resource, opts);
        throw err;
      }
    }
    // Even a deleted resource keeps its last compartments: its id is not free for another patient's data.
    assertWritable(ctx, resource, current.patients, 'changed');
    const version = Number(current.version);
    if (opts.expectedVersion !== undefined && opts.expectedVersion !== version) throw versionMismatch(resource, opts.expectedVersion, version);
    const now = this.deps.clock.now();
    const content = withMeta(resource, version + 1, now);
    const prepared = await this.prepare(ctx, content);
    const method = current.deleted ? 'create' : (opts.method ?? 'update');
    await this.sql.query(
      `WITH upd AS (
         UPDATE resource SET version = $2, last_updated = $3, deleted = false, content = $4::jsonb, patients = $6::text[] WHERE rid = $1
         RETURNING res_type, id, content, patients)
       INSERT INTO resource_history (res_type, id, version, last_updated, method, deleted, content, patients)
       SELECT res_type, id, $2, $3, $5, false, content, patients FROM upd`,
      [current.rid, version + 1, now, JSON.stringify(content), method, prepared.patients],
    );
    this.index(current.rid, prepared, !current.deleted);
    const stored: StoredResource = { resourceType: resource.resourceType, id: resource.id, versionId: version + 1, lastUpdated: now, deleted: false, resource: content };
    return { stored, created: current.deleted };
  }

  private async markDeleted(ctx: AccessContext, resourceType: string, id: string, opts: WriteOptions): Promise<StoredResource | null> {
    const current = await this.currentForUpdate(resourceType, id);
    if (!current || current.deleted) return null;
    assertWritable(ctx, { resourceType, id }, current.patients, 'changed');
    const version = Number(current.version);
    if (opts.expectedVersion !== undefined && opts.expectedVersion !== version) {
      throw versionMismatch({ resourceType, id }, opts.expectedVersion, version);
    }
    const now = this.deps.clock.now();
    await this.sql.query(
      `WITH del AS (
         UPDATE resource SET version = $2, last_updated = $3, deleted = true, content = NULL WHERE rid = $1 RETURNING res_type, id, patients)
       INSERT INTO resource_history (res_type, id, version, last_updated, method, deleted, content, patients)
       SELECT res_type, id, $2, $3, 'delete', true, NULL, patients FROM del`,
      [current.rid, version + 1, now],
    );
    this.pendingNew = this.pendingNew.filter((p) => p.rid !== current.rid);
    this.pendingReplace.delete(current.rid);
    await deleteIndexRows(this.sql, current.rid);
    return { resourceType, id, versionId: version + 1, lastUpdated: now, deleted: true };
  }
}
