/**
 * A backend killed while a transaction holds its client (failover, pg_terminate_backend between two
 * statements) must fail that transaction with a 503, never surface as an unhandled 'error' event
 * that ends the process; the pool then serves the next request on a fresh connection.
 */
import { Client } from 'pg';
import { FhirError } from '../../server/core/fhir-error';
import { openTestDriver } from '../support/test-driver';
import { NEEDS_POSTGRES, describeIf } from '../support/skip';
import type { DriverUnderTest } from '../contracts/types';

const run = describeIf(Boolean(process.env.TEST_DATABASE_URL), NEEDS_POSTGRES);

run('PostgreSQL connection lost inside a transaction', () => {
  let under: DriverUnderTest;
  let admin: Client;
  beforeAll(async () => {
    under = await openTestDriver('pg', { poolSize: 2, statementTimeoutMs: 0 });
    admin = new Client({ connectionString: process.env.TEST_DATABASE_URL });
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.end();
    await under?.dispose();
  });

  test('the transaction rejects with 503 transient and the driver recovers', async () => {
    const unhandled: unknown[] = [];
    const onUncaught = (err: unknown): void => { unhandled.push(err); };
    process.on('uncaughtException', onUncaught);
    try {
      const outcome = under.driver.transaction(async (tx) => {
        const { rows } = await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        await admin.query('SELECT pg_terminate_backend($1)', [rows[0].pid]);
        // Let the FATAL message arrive while no statement is running on the client.
        await new Promise((resolve) => setTimeout(resolve, 300));
        await tx.query('SELECT 1');
      });
      const err = await outcome.then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(FhirError);
      expect((err as FhirError).status).toBe(503);
      const { rows } = await under.driver.query<{ one: number }>('SELECT 1 AS one');
      expect(rows[0].one).toBe(1);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  });
});
