/**
 * Test databases for the search suites: PGlite in memory always, and a fresh PostgreSQL database
 * (dropped afterwards) when TEST_DATABASE_URL is set — the same migrations and SQL on both.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { Resource } from 'fhir/r4';
import type { SqlExecutor } from '../../../server/store/sql';
import { openDriver } from '../../../server/store/open-store';
import type { SearchRegistry } from '../../../server/search/registry';
import { writeIndexRows } from '../../../server/store/search/index-writer';
import { type DriverKind, createTestDatabase, driversUnderTest } from '../../support/databases';

export type { DriverKind };
export const searchDrivers = driversUnderTest;

export interface SearchDb {
  sql: SqlExecutor;
  /** One connection for `fn` (session settings such as SET LOCAL reach its statements). */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

const MIGRATIONS_DIR = path.join(__dirname, '../../../server/store/migrations');
const MIGRATIONS = readdirSync(MIGRATIONS_DIR).filter((f) => /^\d+_.+\.sql$/.test(f)).sort().map((f) => path.join(MIGRATIONS_DIR, f));

/** Applies the migrations (all, or those whose file name passes `only`). */
export async function migrate(sql: SqlExecutor, only: (file: string) => boolean = () => true): Promise<void> {
  for (const file of MIGRATIONS) if (only(path.basename(file))) await sql.exec(readFileSync(file, 'utf8'));
}

/** A fresh database through the server's own drivers (test/support/databases creates and drops it). */
async function open(kind: DriverKind): Promise<SearchDb> {
  const db = await createTestDatabase(kind);
  const driver = await openDriver({ databaseUrl: db.databaseUrl, dataDir: ':memory:', poolSize: 4, statementTimeoutMs: 0 });
  return {
    sql: driver,
    transaction: (fn) => driver.transaction(fn),
    async close() {
      await driver.close();
      await db.drop();
    },
  };
}

/** A migrated database of the given kind (only the migrations `only` accepts, when given). */
export async function openSearchDb(kind: DriverKind, only?: (file: string) => boolean): Promise<SearchDb> {
  const db = await open(kind);
  await migrate(db.sql, only);
  return db;
}

/** Test-only insert: the resource row (version 1) plus its index rows. Returns the rid. */
export async function insertResource(sql: SqlExecutor, registry: SearchRegistry, resource: Resource & { id: string }, lastUpdated = new Date()): Promise<string> {
  const content = { ...resource, meta: { ...resource.meta, versionId: '1', lastUpdated: lastUpdated.toISOString() } };
  const res = await sql.query<{ rid: string }>(
    `INSERT INTO resource (res_type, id, version, last_updated, deleted, content) VALUES ($1, $2, 1, $3, false, $4::jsonb) RETURNING rid::text AS rid`,
    [resource.resourceType, resource.id, lastUpdated.toISOString(), JSON.stringify(content)],
  );
  const rid = res.rows[0].rid;
  await writeIndexRows(sql, rid, resource.resourceType, registry.extract(content as Resource));
  return rid;
}
