/**
 * bench/import: the Synthea data (17,293 resources) loaded twice on PostgreSQL in one run — as
 * transaction Bundles (bench/ingest's client, concurrency BENCH_CONCURRENCY) into one fresh database,
 * and as one NDJSON upload to $import (kick-off to completed manifest, upload included) into another —
 * and the resources/s of each printed side by side.
 */
import { ingestInto, loadBundles } from './ingest';
import { syntheaNdjson } from './lib/synthea-ndjson';
import { freshDatabase, startServer } from './lib/server';
import { fmt } from './lib/stats';

async function bundleIngest(url: string): Promise<{ resources: number; seconds: number; peakRss: number }> {
  const bundles = loadBundles();
  const server = await startServer(url);
  try {
    // ingestInto loads the shared organizations/practitioners first (untimed), then times the patient bundles
    const r = await ingestInto(server, bundles, bundles.patients.reduce((n, b) => n + b.entries, 0));
    return { resources: r.resources, seconds: r.seconds, peakRss: r.peakRss };
  } finally {
    await server.stop();
  }
}

async function ndjsonImport(url: string, body: string, lines: number): Promise<{ resources: number; seconds: number; peakRss: number; errors: number }> {
  const server = await startServer(url, { IMPORT_BATCH: process.env.BENCH_IMPORT_BATCH ?? '500' });
  try {
    const started = performance.now();
    const kick = await fetch(`${server.baseUrl}/$import`, { method: 'POST', headers: { 'Content-Type': 'application/fhir+ndjson', Prefer: 'respond-async' }, body });
    if (kick.status !== 202) throw new Error(`$import kick-off answered ${kick.status}`);
    const status = kick.headers.get('content-location') as string;
    let peakRss = 0;
    for (;;) {
      const res = await fetch(status);
      const manifest = (await res.json()) as { output?: { count: number }[]; error?: { count: number }[] };
      peakRss = Math.max(peakRss, server.rssMb());
      if (res.status === 200) {
        const seconds = (performance.now() - started) / 1000;
        const resources = (manifest.output ?? []).reduce((n, o) => n + o.count, 0);
        const errors = (manifest.error ?? []).reduce((n, o) => n + o.count, 0);
        if (resources + errors !== lines) throw new Error(`import wrote ${resources} and refused ${errors} of ${lines} lines`);
        return { resources, seconds, peakRss: Math.max(peakRss, server.peakRssMb()), errors };
      }
      if (res.status !== 202) throw new Error(`$import status answered ${res.status}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await server.stop();
  }
}

export async function benchImport(): Promise<void> {
  const { lines } = syntheaNdjson();
  const body = `${lines.join('\n')}\n`;
  const bundleDb = await freshDatabase('twinfhir_bench_bundles');
  const importDb = await freshDatabase('twinfhir_bench_import');
  try {
    console.log(`import: Synthea ${lines.length} resources (${fmt(Buffer.byteLength(body) / 1e6, 1)} MB NDJSON), PostgreSQL`);
    const b = await bundleIngest(bundleDb.url);
    const bundleRate = b.resources / b.seconds;
    console.log(`  transaction Bundles: ${b.resources} resources in ${fmt(b.seconds)} s → ${fmt(bundleRate, 0)} resources/s (server peak RSS ${fmt(b.peakRss, 0)} MB)`);
    const i = await ndjsonImport(importDb.url, body, lines.length);
    const importRate = i.resources / i.seconds;
    console.log(`  NDJSON $import:      ${i.resources} resources in ${fmt(i.seconds)} s → ${fmt(importRate, 0)} resources/s (${i.errors} lines refused; server peak RSS ${fmt(i.peakRss, 0)} MB)`);
    console.log(`  ratio:               $import at ${fmt(importRate / bundleRate, 2)}× the transaction-Bundle rate`);
  } finally {
    await bundleDb.drop();
    await importDb.drop();
  }
}
