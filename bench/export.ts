/**
 * bench/export: system-level Bulk Data $exports of BENCH_EXPORT_SIZE (default 1,000,000) small Observations
 * and the 1,000 Patients they reference, from the compiled server (child process), twice on the same data:
 * plain, then pseudonymised (`_pseudonymize=gdpr-default`, a random key generated here and never printed:
 * ids and references replaced by keyed pseudonyms, dates shifted per patient). For each: resources/s from
 * kick-off to the complete manifest, and the server's peak RSS (each export on a freshly started server, so
 * one export's peak is not the other's). Seeding, from this process, on BENCH_DATABASE_URL (PostgreSQL) when set, else on an
 * embedded PGlite directory the server opens afterwards: the first BENCH_EXPORT_BATCH resources go through
 * the store's own writer (`createMany`, with their search-index rows); the rest are copies of them made in
 * SQL (INSERT … SELECT over generate_series into the resource table, ids and versions of their own, the
 * source's patient compartments — else the server's start would backfill them row by row — and no index
 * rows: an unfiltered export reads only that table). The writer alone seeds ~1,000/s here, far too slow for 1M.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Observation, Patient } from 'fhir/r4';
import { systemContext } from '../server/core/access-context';
import { systemClock } from '../server/core/clock';
import { R4Model } from '../server/core/r4/element-model';
import { createSearchRegistry } from '../server/search/registry';
import { openDriver, openStore } from '../server/store/open-store';
import { adminUrl, freshDatabase, type RunningServer, startServer } from './lib/server';
import { fmt } from './lib/stats';

const SIZE = Number(process.env.BENCH_EXPORT_SIZE ?? 1_000_000);
const BATCH = Number(process.env.BENCH_EXPORT_BATCH ?? 5_000);
const PATIENTS = 1_000;
const COPY_CHUNK = 100_000;

const TYPES = 'Patient,Observation';

const patient = (i: number): Patient & { id: string } => ({
  resourceType: 'Patient', id: `bp-${i}`, identifier: [{ system: 'urn:bench:mrn', value: `mrn-${i}` }],
  name: [{ family: `Family${i}`, given: ['Bench'] }], gender: i % 2 ? 'female' : 'male', birthDate: `19${50 + (i % 50)}-03-14`,
});

// Each Observation is in a patient's compartment (subject) and carries dates, so the pseudonymised export
// pays for what it does on real data: reference rewriting and per-patient date shifts, not just an id hash.
const observation = (i: number): Observation & { id: string } => ({
  resourceType: 'Observation', id: `bx-${i}`, status: 'final', code: { text: 'heart rate' },
  subject: { reference: `Patient/bp-${i % PATIENTS}` }, effectiveDateTime: `2024-0${1 + (i % 9)}-1${i % 10}T08:30:00Z`,
  issued: '2024-10-01T09:00:00Z', valueQuantity: { value: 60 + (i % 40), unit: '/min' },
});

/** Seeds SIZE resources (see the file comment); returns the writer's and the copy's resources/s. */
async function seed(databaseUrl: string | undefined, dataDir: string): Promise<{ writer: number; copy: number }> {
  const options = { databaseUrl, dataDir, poolSize: 4, statementTimeoutMs: 0 };
  const store = await openStore(options, createSearchRegistry(new R4Model()), systemClock);
  const first = Math.min(BATCH, SIZE);
  let started = Date.now();
  try {
    const ctx = systemContext('bench-export-seed');
    await store.transaction((tx) => tx.createMany(ctx, Array.from({ length: PATIENTS }, (_, k) => patient(k))));
    await store.transaction((tx) => tx.createMany(ctx, Array.from({ length: first }, (_, k) => observation(k))));
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
        `INSERT INTO resource (res_type, id, version, last_updated, deleted, content, patients)
         SELECT 'Observation', 'bx-' || g, 1, s.last_updated, false, jsonb_set(s.content, '{id}', to_jsonb('bx-' || g)), s.patients
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

async function exportAll(baseUrl: string, query: string, sample: () => void): Promise<{ seconds: number; exported: number }> {
  const started = Date.now();
  const kick = await fetch(`${baseUrl}/$export?${query}`, { headers: { Prefer: 'respond-async' } });
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

interface ExportRun { label: string; seconds: number; exported: number; peakRss: number; sampledRss: number }

/** One export on a freshly started server over the seeded data; `env` adds the server's settings. */
async function measuredExport(label: string, query: string, dbUrl: string | undefined, env: Record<string, string>): Promise<ExportRun> {
  const server: RunningServer = await startServer(dbUrl ?? '', { EXPORT_WORKERS: '1', ...env });
  try {
    let sampledRss = 0;
    const { seconds, exported } = await exportAll(server.baseUrl, query, () => { sampledRss = Math.max(sampledRss, server.rssMb()); });
    return { label, seconds, exported, peakRss: server.peakRssMb(), sampledRss };
  } finally {
    await server.stop();
  }
}

function report(runs: ExportRun[], pg: boolean, seeded: { writer: number; copy: number }): void {
  console.log(`export: system-level $export (_type=${TYPES}) of ${SIZE} Observations + ${PATIENTS} Patients on ${pg ? 'PostgreSQL' : 'PGlite'} (seeded: createMany ${fmt(seeded.writer, 0)}/s, SQL copies ${fmt(seeded.copy, 0)}/s)`);
  for (const r of runs) {
    console.log(`  ${r.label.padEnd(14)} ${fmt(r.exported / r.seconds, 0).padStart(8)} resources/s (${r.exported} in ${fmt(r.seconds, 1)} s kick-off to manifest); server RSS peak ${fmt(r.peakRss, 0)} MB (sampled during export ${fmt(r.sampledRss, 0)} MB)`);
  }
  console.log('  targets: plain >= 20,000 resources/s, pseudonymised >= 10,000 resources/s, peak RSS <= 500 MB');
}

export async function benchExport(): Promise<void> {
  const pg = Boolean(adminUrl());
  const db = pg ? await freshDatabase('twinfhir_bench_export') : undefined;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'twinfhir-bench-export-db-'));
  const exportDir = mkdtempSync(path.join(os.tmpdir(), 'twinfhir-bench-export-files-'));
  try {
    const seeded = await seed(db?.url, dataDir);
    const env = { DATA_DIR: dataDir, EXPORT_DIR: exportDir };
    const plain = await measuredExport('plain', `_type=${TYPES}`, db?.url, env);
    // A key of its own per run: only the server process sees it, nothing prints it.
    const key = randomBytes(32).toString('base64');
    const pseudonymised = await measuredExport('pseudonymised', `_type=${TYPES}&_pseudonymize=gdpr-default`, db?.url, { ...env, PSEUDONYMIZATION_KEY: key });
    report([plain, pseudonymised], pg, seeded);
  } finally {
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(exportDir, { recursive: true, force: true });
  }
}
