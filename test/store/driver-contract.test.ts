/** The SqlDriver contract (test/contracts), run on every driver: PGlite always, PostgreSQL when TEST_DATABASE_URL is set. */
import { runDriverContract } from '../contracts/driver-contract';
import { driversUnderTest } from '../support/databases';
import { openTestDriver } from '../support/test-driver';

describe.each(driversUnderTest())('SqlDriver contract on %s', (kind) => {
  runDriverContract({ newDriver: (opts) => openTestDriver(kind, opts) });
});
