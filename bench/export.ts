/**
 * bench/export: a system-level Bulk Data $export of BENCH_EXPORT_SIZE (default 1,000,000) small Observations
 * from the compiled server (child process): resources/s from kick-off to the complete manifest, and the
 * server's peak RSS. Seeding, from this process, on BENCH_DATABASE_URL (PostgreSQL) when set, else on an
 * embedded PGlite directory the server opens afterwards: the first BENCH_EXPORT_BATCH resources go through
 * the store's own writer (`createMany`, with their search-index rows); the rest are copies of them made in
 * SQL (INSERT … SELECT over generate_series into the resource table, ids and versions of their own, no index
 * rows: an unfiltered export reads only that table). The writer alone seeds ~1,000/s here, far too slow for 1M.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Observation } from 'fhir/r4';
import { systemContext } from '../server/core/access-context';
import { systemClock } from '../server/core/clock';
import { R4Model } from '../server/core/r4/element-model';
import { createSearchRegistry } from '../server/search/registry';
import { openDriver, openStore } from '../server/store/open-store';
import { adminUrl, freshDatabase, startServer } from './lib/server';
import { fmt } from './lib/stats';

const SIZE = Number(process.env.BENCH_EXPORT_SIZE ?? 1_000_000);
const BATCH = Number(process.env.BENCH_EXPORT_BATCH ?? 5_000);
const PATIENTS = 1_000;
const COPY_CHUNK = 100_000;

const observation = (i: number): Observation & { id: string } => ({
  resourceType: 'Observation', id: `bx-${i}`, status: 'final', code: { text: 'heart rate' },
  subject: { reference: `Patient/bp-${i % PATIENTS}` }, valueQuantity: { value: 60 + (i % 40), unit: '/min' },
});

/** Seeds SIZE resources (see the file comment); returns the writer's and the copy's resources/s. */
async function seed(databaseUrl: string | undefined, dataDir: string): Promise<{ writer: number; copy: number }> {
  const options = { databaseUrl, dataDir, poolSize: 4, statementTimeoutMs: 0 };
  const store = await openStore(options, createSearchRegistry(new R4Model()), systemClock);
  const first = Math.min(BATCH, SIZE);
  let started = Date.now();
  try {
    await store.transaction((tx) => tx.createMany(systemContext('bench-export-seed'), Array.from({ length: first }, (_, k) => observation(k))));
  } finally {
    await store.close();
  }
  const writer = first / ((Date.now() - started) / 1000);
  started = Date.now();
  const driver = await openDriver(options);
  try {
    for (let from = first; from < SIZE; from += COPY_CHUNK) {
      const to = Math.min(SIZE, from + COPY_CHUNK) - 1;
      await driver.query(
        `INSERT INTO resource (res_type, id, version, last_updated, deleted, content)
         SELECT 'Observation', 'bx-' || g, 1, s.last_updated, false, jsonb_set(s.content, '{id}', to_jsonb('bx-' || g))
         FROM generate_series($1::int, $2::int) g JOIN resource s ON s.res_type = 'Observation' AND s.id = 'bx-' || (g % $3::int)`,
        [from, to, first],
      );
    }
    // As autovacuum would after a bulk load: without statistics the planner sorts the whole type per page.
    await driver.query('ANALYZE resource');
  } finally {
    await driver.close();
  }
  return { writer, copy: (SIZE - first) / Math.max(0.001, (Date.now() - started) / 1000) };
}

async function exportAll(baseUrl: string, sample: () => void): Promise<{ seconds: number; exported: number }> {
  const started = Date.now();
  const kick = await fetch(`${baseUrl}/$export?_type=Observation`, { headers: { Prefer: 'respond-async' } });
  if (kick.status !== 202) throw new Error(`kick-off: ${kick.status} ${await kick.text()}`);
  const status = kick.headers.get('content-location') ?? '';
  for (;;) {
    sample();
    const res = await fetch(status);
    if (res.status === 200) {
      const manifest = (await res.json()) as { output: { count: number }[] };
      return { seconds: (Date.now() - started) / 1000, exported: manifest.output.reduce((n, o) => n + o.count, 0) };
    }
    if (res.status !== 202) throw new Error(`status: ${res.status} ${await res.text()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function benchExport(): Promise<void> {
  const pg = Boolean(adminUrl());
  const db = pg ? await freshDatabase('twinfhir_bench_export') : undefined;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'twinfhir-bench-export-db-'));
  const exportDir = mkdtempSync(path.join(os.tmpdir(), 'twinfhir-bench-export-files-'));
  try {
    const seeded = await seed(db?.url, dataDir);
    const server = await startServer(db?.url ?? '', { DATA_DIR: dataDir, EXPORT_DIR: exportDir, EXPORT_WORKERS: '1' });
    try {
      let peakDuring = 0;
      const { seconds, exported } = await exportAll(server.baseUrl, () => { peakDuring = Math.max(peakDuring, server.rssMb()); });
      console.log(`export: system-level $export of ${exported} Observations on ${pg ? 'PostgreSQL' : 'PGlite'} (seeded: createMany ${fmt(seeded.writer, 0)}/s, SQL copies ${fmt(seeded.copy, 0)}/s)`);
      console.log(`  ${fmt(exported / seconds, 0)} resources/s (${fmt(seconds, 1)} s kick-off to manifest); server RSS peak ${fmt(server.peakRssMb(), 0)} MB (sampled during export ${fmt(peakDuring, 0)} MB)`);
      console.log('  targets: >= 20,000 resources/s, peak RSS <= 500 MB');
    } finally {
      await server.stop();
    }
  } finally {
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(exportDir, { recursive: true, force: true });
  }
}
