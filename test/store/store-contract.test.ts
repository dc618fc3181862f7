/** The ResourceStore contract (test/contracts), run on every driver: PGlite always, PostgreSQL when TEST_DATABASE_URL is set. */
import { runStoreContract } from '../contracts/store-contract';
import { driversUnderTest } from '../support/databases';
import { openTestStore } from '../support/test-store';

describe.each(driversUnderTest())('ResourceStore contract on %s', (kind) => {
  runStoreContract({ newStore: (opts) => openTestStore(kind, opts) });
});
