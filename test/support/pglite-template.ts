/**
 * A migrated PGlite data directory, made once per schema version and reused by every test:
 * PGlite's initdb takes seconds, loading a dump a fraction of that.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const MIGRATIONS = path.resolve(__dirname, '../../server/store/migrations');

export function templatePath(): string {
  const hash = createHash('sha256');
  for (const f of readdirSync(MIGRATIONS).sort()) hash.update(f).update(readFileSync(path.join(MIGRATIONS, f)));
  const pgliteVersion = (JSON.parse(readFileSync(path.resolve(__dirname, '../../node_modules/@electric-sql/pglite/package.json'), 'utf8')) as { version: string }).version;
  hash.update(pgliteVersion);
  return path.join(os.tmpdir(), `twinfhir-pglite-template-${hash.digest('hex').slice(0, 16)}.tgz`);
}

/** Builds the template if it is missing (jest globalSetup). */
export async function ensureTemplate(): Promise<void> {
  const file = templatePath();
  if (existsSync(file)) return;
  const { PGlite } = await import('@electric-sql/pglite');
  const db = await PGlite.create();
  for (const f of readdirSync(MIGRATIONS).filter((x) => x.endsWith('.sql')).sort()) await db.exec(readFileSync(path.join(MIGRATIONS, f), 'utf8'));
  await db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
  for (const f of readdirSync(MIGRATIONS).filter((x) => /^\d+_.+\.sql$/.test(x)).sort()) {
    await db.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [parseInt(f, 10), f]);
  }
  const dump = await db.dumpDataDir('gzip');
  await db.close();
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, Buffer.from(await dump.arrayBuffer()));
  renameSync(tmp, file); // atomic: parallel runs never read a half-written file
}

export function loadTemplate(): Blob | undefined {
  const file = templatePath();
  return existsSync(file) ? new Blob([readFileSync(file)]) : undefined;
}
