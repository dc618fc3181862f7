/**
 * The PostgreSQL ResourceStore: current + history tables, optimistic locking, index rows written in
 * the resource's own transaction, write hooks run by the store for every write (writer.ts) and every
 * read checked by its ReadPolicy (reader.ts). Identical SQL on `pg` and PGlite.
 */
import { createBulkExportStore } from './bulk-export';
import type { BulkExportStore } from './export-types';
import { createBulkImportStore } from './bulk-import';
import { createJobQueue } from './job-queue';
import { createSubscriptionLog } from './subscription-log';
import { allowAllReads } from './read-policy';
import { type PgStoreDeps, Reader } from './reader';
import { createSearchIndexAdmin } from './search/search-index-admin';
import type { BulkImportStore, JobQueue, ResourceStore, SearchIndexAdmin, StoreExtensions, StoreWriter, SubscriptionLog } from './types';
import type { SqlExecutor } from './sql';
import { Writer } from './writer';

export type { PgStoreDeps } from './reader';

export class PgResourceStore extends Reader implements ResourceStore {
  readonly driverName: 'pg' | 'pglite';
  readonly searchIndex: SearchIndexAdmin;
  readonly jobs: JobQueue;
  readonly bulkExport: BulkExportStore;
  readonly bulkImport: BulkImportStore;
  readonly subscriptionLog: SubscriptionLog;

  private readonly store: PgStoreDeps;

  constructor(opts: Omit<PgStoreDeps, 'hooks' | 'readPolicy'> & StoreExtensions) {
    // The hook list is copied and frozen: nothing can add a hook once the store is handed out.
    const deps: PgStoreDeps = { ...opts, hooks: Object.freeze([...(opts.hooks ?? [])]), readPolicy: opts.readPolicy ?? allowAllReads };
    super(opts.driver, deps);
    this.store = deps;
    this.driverName = opts.driver.name;
    this.searchIndex = createSearchIndexAdmin(opts.driver, opts.registry, opts.clock);
    this.jobs = createJobQueue(opts.driver);
    this.bulkExport = createBulkExportStore({ driver: opts.driver, registry: opts.registry, readPolicy: deps.readPolicy, terminologyCache: opts.terminologyCache });
    this.bulkImport = createBulkImportStore(opts.driver, (fn) => this.writerTransaction(fn));
    this.subscriptionLog = createSubscriptionLog(opts.driver);
  }

  transaction<T>(fn: (tx: StoreWriter) => Promise<T>): Promise<T> {
    return this.writerTransaction((tx) => fn(tx));
  }

  /** A transaction with its writer and SQL executor (the store's own job tables write beside the resources). */
  private async writerTransaction<T>(fn: (tx: Writer, sql: SqlExecutor) => Promise<T>): Promise<T> {
    let writer: Writer | undefined;
    const result = await this.store.driver.transaction(async (sql) => {
      writer = new Writer(sql, this.store);
      const r = await fn(writer, sql);
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
