/** A ResourceStore (no HTTP) on a fresh test database, for the store-level suites. */
import type { Clock } from '../../server/core/clock';
import { createSearchRegistry } from '../../server/search/registry';
import { openStore } from '../../server/store/open-store';
import type { ResourceStore, StoreExtensions } from '../../server/store/types';
import { type DriverKind, createTestDatabase } from './databases';
import { loadTemplate } from './pglite-template';

export interface TestStore {
  store: ResourceStore;
  /** The PostgreSQL database of the store (undefined on PGlite). */
  databaseUrl?: string;
  /** Closes the store and drops the database. */
  dispose(): Promise<void>;
}

export async function openTestStore(kind: DriverKind, opts: { clock?: Clock; poolSize?: number } & StoreExtensions = {}): Promise<TestStore> {
  const db = await createTestDatabase(kind);
  const store = await openStore({
    databaseUrl: db.databaseUrl, dataDir: ':memory:', poolSize: opts.poolSize ?? 4, statementTimeoutMs: 10_000, cursorSecret: 's',
    pgliteTemplate: kind === 'pglite' ? loadTemplate() : undefined, hooks: opts.hooks, readPolicy: opts.readPolicy,
  }, createSearchRegistry(), opts.clock ?? { now: () => new Date() });
  return {
    store, databaseUrl: db.databaseUrl,
    async dispose() {
      await store.close();
      await db.drop();
    },
  };
}
