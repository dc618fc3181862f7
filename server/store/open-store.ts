/** Opens the configured database (pg pool or embedded PGlite), migrates it and returns the store. */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../core/clock';
import type { SearchRegistry } from '../search/registry';
import { createPgDriver } from './drivers/pg-driver';
import { createPgliteDriver } from './drivers/pglite-driver';
import { migrate } from './migrate';
import { backfillPatientCompartments } from './compartment-backfill';
import { backfillTextOwnership } from './text-ownership-backfill';
import { createTerminologyCache } from '../search/terminology-cache';
import { PgResourceStore } from './pg-store';
import type { SqlDriver } from './sql';
import type { ResourceStore, StoreExtensions } from './types';

export interface StoreOptions extends StoreExtensions {
  databaseUrl?: string;
  dataDir: string;
  poolSize: number;
  statementTimeoutMs: number;
  /** Cursor signing key; replicas behind one Service must share it (CURSOR_SECRET). */
  cursorSecret?: string;
  /** PGlite only: a dumped data directory to start from (see createPgliteDriver). */
  pgliteTemplate?: Blob;
  /** Bound on cached CodeSystem concepts+edges (default 500,000). */
  terminologyCacheWeight?: number;
}

export async function openDriver(opts: StoreOptions): Promise<SqlDriver> {
  return opts.databaseUrl
    ? createPgDriver({ connectionString: opts.databaseUrl, max: opts.poolSize, statementTimeoutMs: opts.statementTimeoutMs })
    : createPgliteDriver(opts.dataDir, opts.statementTimeoutMs, opts.pgliteTemplate);
}

export async function openStore(opts: StoreOptions, registry: SearchRegistry, clock: Clock): Promise<ResourceStore> {
  const driver = await openDriver(opts);
  try {
    await migrate(driver);
    await backfillPatientCompartments(driver, registry);
    await backfillTextOwnership(driver, registry);
  } catch (err) {
    await driver.close();
    throw err;
  }
  return new PgResourceStore({
    driver, registry, clock, cursorSecret: opts.cursorSecret ?? randomBytes(32).toString('hex'), terminologyCache: createTerminologyCache(opts.terminologyCacheWeight),
    hooks: opts.hooks, readPolicy: opts.readPolicy,
  });
}
