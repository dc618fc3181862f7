/**
 * Test databases: PGlite in memory always; real PostgreSQL when TEST_DATABASE_URL is set (as in CI),
 * each run in a fresh database of its own that is dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

export type DriverKind = 'pglite' | 'pg';

export function driversUnderTest(): DriverKind[] {
  return process.env.TEST_DATABASE_URL ? ['pglite', 'pg'] : ['pglite'];
}

export interface TestDatabase {
  /** undefined → PGlite in memory. */
  databaseUrl?: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(kind: DriverKind): Promise<TestDatabase> {
  if (kind === 'pglite') return { databaseUrl: undefined, drop: async () => undefined };
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) throw new Error('TEST_DATABASE_URL is not set');
  const name = `twinfhir_test_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    databaseUrl: url.toString(),
    async drop() {
      const c = new Client({ connectionString: adminUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
