/** Applies versioned SQL migrations (NNN_name.sql) once each, serialized across replicas by an advisory lock. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fromRoot } from '../core/paths';
import type { SqlDriver } from './sql';

const MIGRATION_LOCK = 7_340_113; // arbitrary constant shared by every replica

export function migrationsDir(): string {
  return fromRoot('server', 'store', 'migrations');
}

export async function migrate(driver: SqlDriver, dir = migrationsDir()): Promise<string[]> {
  const files = readdirSync(dir).filter((f) => /^\d+_.+\.sql$/.test(f)).sort();
  const applied: string[] = [];
  await driver.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    // Checked first so that a fully migrated database needs no DDL rights (least-privilege app roles).
    const { rows: exists } = await tx.query<{ t: string | null }>("SELECT to_regclass('schema_migrations')::text AS t");
    if (!exists[0]?.t) {
      await tx.query(`CREATE TABLE schema_migrations (
        version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    }
    const done = new Set((await tx.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => Number(r.version)));
    for (const file of files) {
      const version = parseInt(file, 10);
      if (done.has(version)) continue;
      await tx.exec(readFileSync(path.join(dir, file), 'utf8'));
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [version, file]);
      applied.push(file);
    }
  });
  return applied;
}
