/**
 * Test databases for the search suites: PGlite in memory always, and a fresh PostgreSQL database
 * (dropped afterwards) when TEST_DATABASE_URL is set — the same migrations and SQL on both.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Client, Pool } from 'pg';
import type { Resource } from 'fhir/r4';
import type { SqlExecutor, SqlParam } from '../../../server/store/sql';
import type { SearchRegistry } from '../../../server/search/registry';
import { writeIndexRows } from '../../../server/store/search/index-writer';

export type DriverKind = 'pglite' | 'pg';

export function searchDrivers(): DriverKind[] {
  return process.env.TEST_DATABASE_URL ? ['pglite', 'pg'] : ['pglite'];
}

export interface SearchDb {
  sql: SqlExecutor;
  close(): Promise<void>;
}

const MIGRATIONS_DIR = path.join(__dirname, '../../../server/store/migrations');
const MIGRATIONS = readdirSync(MIGRATIONS_DIR).filter((f) => /^\d+_.+\.sql$/.test(f)).sort().map((f) => path.join(MIGRATIONS_DIR, f));

/** Applies the migrations (all, or those whose file name passes `only`). */
export async function migrate(sql: SqlExecutor, only: (file: string) => boolean = () => true): Promise<void> {
  for (const file of MIGRATIONS) if (only(path.basename(file))) await sql.exec(readFileSync(file, 'utf8'));
}

async function openPglite(): Promise<SearchDb> {
  const db = new PGlite();
  const sql: SqlExecutor = {
    async query<R>(text: string, params: SqlParam[] = []) {
      const res = await db.query<R>(text, params as unknown[]);
      return { rows: res.rows, rowCount: res.affectedRows ?? res.rows.length };
    },
    async exec(script: string) {
      await db.exec(script);
    },
  };
  return { sql, close: () => db.close() };
}

async function openPg(adminUrl: string): Promise<SearchDb> {
  const name = `twinfhir_search_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const pool = new Pool({ connectionString: url.toString(), max: 4 });
  const sql: SqlExecutor = {
    async query<R>(text: string, params: SqlParam[] = []) {
      const res = await pool.query(text, params);
      return { rows: res.rows as R[], rowCount: res.rowCount ?? res.rows.length };
    },
    async exec(script: string) {
      await pool.query(script);
    },
  };
  return {
    sql,
    async close() {
      await pool.end();
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

/** A migrated database of the given kind (only the migrations `only` accepts, when given). */
export async function openSearchDb(kind: DriverKind, only?: (file: string) => boolean): Promise<SearchDb> {
  const db = kind === 'pglite' ? await openPglite() : await openPg(process.env.TEST_DATABASE_URL ?? '');
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
