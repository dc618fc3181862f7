/**
 * bench/ingest: Synthea transaction bundles (and copies, to ≥ TARGET resources) POSTed with
 * concurrency 4 into the server on PostgreSQL; compared with raw jsonb INSERTs as the ceiling.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { Pool } from 'pg';
import { fromRoot } from '../server/core/paths';
import { cpuSeconds } from './lib/proc-cpu';
import { freshDatabase, startServer } from './lib/server';
import { fmt, summarize } from './lib/stats';

const TARGET = Number(process.env.BENCH_INGEST_RESOURCES ?? 100_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);

interface BundleFile { name: string; body: string; entries: number }

export function loadBundles(): { first: BundleFile[]; patients: BundleFile[] } {
  const dir = fromRoot('..', 'shared', 'data', 'synthea-r4-bundles', 'bundles');
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  const load = (f: string): BundleFile => {
    const body = readFileSync(`${dir}/${f}`, 'utf8');
    return { name: f, body, entries: (JSON.parse(body) as { entry: unknown[] }).entry.length };
  };
  const isShared = (f: string) => f.startsWith('hospital') || f.startsWith('practitioner');
  return { first: files.filter(isShared).map(load), patients: files.filter((f) => !isShared(f)).map(load) };
}

async function post(baseUrl: string, body: string): Promise<number> {
  const t = performance.now();
  const res = await fetch(baseUrl, { method: 'POST', headers: { 'Content-Type': 'application/fhir+json', Prefer: 'return=minimal' }, body });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`bundle failed with ${res.status}`);
  return performance.now() - t;
}

/** Loads ≥ TARGET resources (shared bundles first, then patient bundles again and again) into a running server. */
export async function ingestInto(server: { baseUrl: string; rssMb(): number; peakRssMb(): number; child?: { pid?: number } }, bundles: ReturnType<typeof loadBundles>, target = TARGET) {
  for (const b of bundles.first) await post(server.baseUrl, b.body);
  const queue: BundleFile[] = [];
  let planned = 0;
  for (let i = 0; planned < target; i++) {
    const b = bundles.patients[i % bundles.patients.length];
    queue.push(b);
    planned += b.entries;
  }
  const times: number[] = [];
  let peakRss = 0;
  const pid = server.child?.pid;
  const cpuBefore = pid ? cpuSeconds(pid) : NaN;
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < queue.length) {
      const b = queue[next++];
      times.push(await post(server.baseUrl, b.body));
      peakRss = Math.max(peakRss, server.rssMb());
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - started) / 1000;
  // The server's own CPU per resource: on a shared machine a steadier measure than the rate.
  const cpuMsPerResource = pid ? ((cpuSeconds(pid) - cpuBefore) * 1000) / planned : NaN;
  return { resources: planned, bundles: queue.length, seconds, times: summarize(times), peakRss: Math.max(peakRss, server.peakRssMb()), cpuMsPerResource };
}

async function serverIngest(url: string, bundles: ReturnType<typeof loadBundles>) {
  const server = await startServer(url);
  try {
    return await ingestInto(server, bundles);
  } finally {
    await server.stop();
  }
}

async function rawIngest(url: string, bundles: ReturnType<typeof loadBundles>, target: number) {
  const pool = new Pool({ connectionString: url, max: CONCURRENCY });
  await pool.query('CREATE TABLE raw_resource (id uuid PRIMARY KEY, res_type text NOT NULL, content jsonb NOT NULL)');
  const batches: { types: string[]; contents: string[] }[] = [];
  let total = 0;
  for (let i = 0; total < target; i++) {
    const entries = (JSON.parse(bundles.patients[i % bundles.patients.length].body) as { entry: { resource: { resourceType: string } }[] }).entry;
    for (let j = 0; j < entries.length; j += 500) {
      const chunk = entries.slice(j, j + 500);
      batches.push({ types: chunk.map((e) => e.resource.resourceType), contents: chunk.map((e) => JSON.stringify(e.resource)) });
    }
    total += entries.length;
  }
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      const b = batches[next++];
      await pool.query('INSERT INTO raw_resource (id, res_type, content) SELECT gen_random_uuid(), t, c::jsonb FROM unnest($1::text[], $2::text[]) AS x(t, c)', [b.types, b.contents]);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - started) / 1000;
  await pool.end();
  return { resources: total, seconds };
}

export async function benchIngest(): Promise<void> {
  const bundles = loadBundles();
  const db = await freshDatabase('twinfhir_bench_ingest');
  const rawDb = await freshDatabase('twinfhir_bench_raw');
  try {
    console.log(`ingest: ${TARGET} resources target, concurrency ${CONCURRENCY}, PostgreSQL`);
    const s = await serverIngest(db.url, bundles);
    const rate = s.resources / s.seconds;
    console.log(`  server:  ${s.resources} resources in ${s.bundles} transaction bundles, ${fmt(s.seconds)} s → ${fmt(rate, 0)} resources/s`);
    console.log(`           per bundle p50 ${fmt(s.times.p50, 0)} ms, p95 ${fmt(s.times.p95, 0)} ms, max ${fmt(s.times.max, 0)} ms; server peak RSS ${fmt(s.peakRss, 0)} MB`);
    console.log(`           server CPU ${fmt(s.cpuMsPerResource, 3)} ms per resource`);
    const r = await rawIngest(rawDb.url, bundles, s.resources);
    const rawRate = r.resources / r.seconds;
    console.log(`  raw:     ${r.resources} jsonb rows (no indexes, batches of 500) in ${fmt(r.seconds)} s → ${fmt(rawRate, 0)} resources/s`);
    console.log(`  ratio:   server reaches ${fmt((100 * rate) / rawRate)} % of the raw-insert ceiling`);
  } finally {
    await db.drop();
    await rawDb.drop();
  }
}
