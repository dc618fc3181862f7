/** What a contract suite needs from an implementation under test: a factory, as Hono's `runTest({ newRouter })`. */
import type { Clock } from '../../server/core/clock';
import type { SqlDriver } from '../../server/store/sql';
import type { ResourceStore } from '../../server/store/types';

export interface StoreUnderTest {
  store: ResourceStore;
  /** Closes the store and drops its database. */
  dispose(): Promise<void>;
}

export interface NewStoreOptions {
  clock?: Clock;
  poolSize?: number;
}

export interface StoreContractOptions {
  /** A migrated, empty store on a database of its own. */
  newStore: (opts: NewStoreOptions) => Promise<StoreUnderTest>;
}

export interface DriverUnderTest {
  driver: SqlDriver;
  /** Closes the driver (if still open) and drops its database. */
  dispose(): Promise<void>;
}

export interface NewDriverOptions {
  poolSize: number;
  statementTimeoutMs: number;
}

export interface DriverContractOptions {
  /** A driver on an empty database of its own (not migrated). */
  newDriver: (opts: NewDriverOptions) => Promise<DriverUnderTest>;
}
