/** A bare SqlDriver (no migrations, no store) on a fresh test database, for the driver contract. */
import { openDriver } from '../../server/store/open-store';
import type { DriverUnderTest, NewDriverOptions } from '../contracts/types';
import { type DriverKind, createTestDatabase } from './databases';

export async function openTestDriver(kind: DriverKind, opts: NewDriverOptions): Promise<DriverUnderTest> {
  const db = await createTestDatabase(kind);
  const inner = await openDriver({ databaseUrl: db.databaseUrl, dataDir: ':memory:', poolSize: opts.poolSize, statementTimeoutMs: opts.statementTimeoutMs });
  let closed = false;
  // close() is part of the contract under test; dispose() must not close a second time
  const driver = { ...inner, close: async () => { closed = true; await inner.close(); } };
  return {
    driver,
    async dispose() {
      if (!closed) await driver.close();
      await db.drop();
    },
  };
}
