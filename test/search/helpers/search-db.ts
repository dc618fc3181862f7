/**
 * Test databases for the search suites: PGlite in memory always, and a fresh PostgreSQL database
 * (dropped afterwards) when TEST_DATABASE_URL is set — the same migrations and SQL on both.
 * Every fixture is written through the real store (its Writer puts resource, history and index
 * rows in one transaction), so the suites search exactly what the server would have stored.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { Resource } from 'fhir/r4';
import { systemContext } from '../../../server/core/access-context';
import type { SearchRegistry } from '../../../server/search/registry';
import { migrate as migrateStore } from '../../../server/store/migrate';
import { openDriver } from '../../../server/store/open-store';
import { PgResourceStore } from '../../../server/store/pg-store';
import type { SqlDriver, SqlExecutor } from '../../../server/store/sql';
import type { ResourceStore } from '../../../server/store/types';
import { type DriverKind, createTestDatabase, driversUnderTest } from '../../support/databases';
import { loadTemplate } from '../../support/pglite-template';

export type { DriverKind };
export const searchDrivers = driversUnderTest;

type Fixture = Resource & { id: string };
const ctx = systemContext('search-test');
/** lastUpdated of fixtures written without one: fixed, so that results never depend on the day the suite runs. */
export const FIXTURE_TIME = new Date('2024-01-01T00:00:00Z');

export interface SearchDb {
  /** For reads and SQL-level assertions (EXPLAIN, index rows); never for writing resources. */
  sql: SqlExecutor;
  driver: SqlDriver;
  /** One connection for `fn` (session settings such as SET LOCAL reach its statements). */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** The real store on this database; its clock reads the time the helpers below set. */
  store: ResourceStore;
  /** Creates resources through the store's writer (one transaction) at `lastUpdated`; returns their rids. */
  put(resources: Fixture | Fixture[], lastUpdated?: Date): Promise<string[]>;
  /** Writes a new version through the store's writer. */
  update(resource: Fixture, lastUpdated?: Date): Promise<void>;
  /** Deletes through the store's writer (resource marked deleted, index rows removed, one transaction). */
  remove(resourceType: string, id: string, lastUpdated?: Date): Promise<void>;
  close(): Promise<void>;
}

const MIGRATIONS_DIR = path.join(__dirname, '../../../server/store/migrations');
const MIGRATIONS = readdirSync(MIGRATIONS_DIR).filter((f) => /^\d+_.+\.sql$/.test(f)).sort().map((f) => path.join(MIGRATIONS_DIR, f));

/** Applies the migration scripts (all, or those whose file name passes `only`) without the migration table: for upgrade tests. */
export async function migrate(sql: SqlExecutor, only: (file: string) => boolean = () => true): Promise<void> {
  for (const file of MIGRATIONS) if (only(path.basename(file))) await sql.exec(readFileSync(file, 'utf8'));
}

async function open(kind: DriverKind, template?: Blob): Promise<{ driver: SqlDriver; close(): Promise<void> }> {
  const db = await createTestDatabase(kind);
  const driver = await openDriver({ databaseUrl: db.databaseUrl, dataDir: ':memory:', poolSize: 4, statementTimeoutMs: 0, pgliteTemplate: template });
  return {
    driver,
    async close() {
      await driver.close();
      await db.drop();
    },
  };
}

/** A migrated database of the given kind with the real store on it, indexing with `registry`. */
export async function openSearchDb(kind: DriverKind, registry: SearchRegistry): Promise<SearchDb> {
  const { driver, close } = await open(kind, kind === 'pglite' ? loadTemplate() : undefined);
  await migrateStore(driver);
  let now = FIXTURE_TIME;
  const store = new PgResourceStore({ driver, registry, clock: { now: () => now }, cursorSecret: 'search-test' });
  const ridOf = async (r: Fixture): Promise<string> =>
    (await driver.query<{ rid: string }>('SELECT rid::text AS rid FROM resource WHERE res_type = $1 AND id = $2', [r.resourceType, r.id])).rows[0].rid;
  return {
    sql: driver, driver, store, close,
    transaction: (fn) => driver.transaction(fn),
    async put(resources, lastUpdated = FIXTURE_TIME) {
      const list = Array.isArray(resources) ? resources : [resources];
      now = lastUpdated;
      // one create after another: rids (the final tie-break of every sort) follow the given order
      await store.transaction(async (tx) => {
        for (const r of list) await tx.create(ctx, r);
      });
      return Promise.all(list.map(ridOf));
    },
    async update(resource, lastUpdated = FIXTURE_TIME) {
      now = lastUpdated;
      await store.transaction((tx) => tx.update(ctx, resource));
    },
    async remove(resourceType, id, lastUpdated = FIXTURE_TIME) {
      now = lastUpdated;
      await store.transaction((tx) => tx.delete(ctx, resourceType, id));
    },
  };
}

/**
 * A database at an older schema (only the migration scripts `only` accepts), for upgrade tests:
 * the current store cannot write to it, so those tests seed it with plain SQL of that schema.
 */
export async function openLegacyDb(kind: DriverKind, only: (file: string) => boolean): Promise<{ sql: SqlExecutor; driver: SqlDriver; close(): Promise<void> }> {
  const { driver, close } = await open(kind);
  await migrate(driver, only);
  return { sql: driver, driver, close };
}
