/**
 * bench/audit: ingest throughput with AUDIT_ENABLED on vs off in one run (issue 11: audit adds ≤ 10 %
 * to ingest) — single Patient POSTs (one AuditEvent per resource: the worst case) and Synthea
 * transaction Bundles (one per Bundle). Machine noise on a shared host swamps a single pair of runs,
 * so the modes run interleaved (off, on, on, off, …: neither always goes first) BENCH_AUDIT_ROUNDS
 * times each, and the median and spread of each are reported. After each audited run the server is
 * stopped and the AuditEvents in the database are counted (none lost).
 */
import { Client } from 'pg';
import { loadBundles } from './ingest';
import { freshDatabase, startServer } from './lib/server';
import { fmt, percentile } from './lib/stats';

const POSTS = Number(process.env.BENCH_AUDIT_POSTS ?? 4000);
const BUNDLE_RESOURCES = Number(process.env.BENCH_AUDIT_RESOURCES ?? 20_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const ROUNDS = Number(process.env.BENCH_AUDIT_ROUNDS ?? 5);

interface Workload { name: string; unit: string; requests: string[]; path: string; units: number }

function workloads(): Workload[] {
  const patient = JSON.stringify({ resourceType: 'Patient', name: [{ family: 'Bench', given: ['Audit'] }], gender: 'female', birthDate: '1970-01-01' });
  const bundles = loadBundles();
  const queue: string[] = bundles.first.map((b) => b.body);
  let units = 0;
  for (let i = 0; units < BUNDLE_RESOURCES; i++) {
    const b = bundles.patients[i % bundles.patients.length];
    queue.push(b.body);
    units += b.entries;
  }
  return [
    { name: 'POST Patient', unit: 'requests', requests: Array.from({ length: POSTS }, () => patient), path: '/Patient', units: POSTS },
    { name: 'transaction Bundles', unit: 'resources', requests: queue, path: '', units },
  ];
}

async function drive(baseUrl: string, w: Workload): Promise<number> {
  let next = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (next < w.requests.length) {
      const body = w.requests[next++];
      const res = await fetch(`${baseUrl}${w.path}`, { method: 'POST', headers: { 'Content-Type': 'application/fhir+json', Prefer: 'return=minimal' }, body });
      await res.arrayBuffer();
      if (res.status >= 300) throw new Error(`${w.name} failed with ${res.status}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return (performance.now() - started) / 1000;
}

async function countAudit(url: string): Promise<number> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return Number((await c.query<{ n: string }>("SELECT count(*) AS n FROM resource WHERE res_type = 'AuditEvent'")).rows[0].n);
  } finally {
    await c.end();
  }
}

/** One run on a fresh database: seconds, and the AuditEvents stored after a clean stop. */
async function run(w: Workload, audit: boolean): Promise<{ seconds: number; events: number }> {
  const db = await freshDatabase('twinfhir_bench_audit');
  try {
    const server = await startServer(db.url, { AUDIT_ENABLED: audit ? 'true' : 'false' });
    let seconds: number;
    try {
      seconds = await drive(server.baseUrl, w);
    } finally {
      await server.stop();
    }
    return { seconds, events: await countAudit(db.url) };
  } finally {
    await db.drop();
  }
}

const spread = (xs: number[]): string => `${fmt(Math.min(...xs), 0)}–${fmt(Math.max(...xs), 0)}`;

export async function benchAudit(): Promise<void> {
  console.log(`audit: ingest with AUDIT_ENABLED off vs on, concurrency ${CONCURRENCY}, PostgreSQL (${ROUNDS} interleaved runs each; median and min–max)`);
  for (const w of workloads()) {
    const rates = { off: [] as number[], on: [] as number[] };
    const lost: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      for (const audit of round % 2 ? [true, false] : [false, true]) {
        const r = await run(w, audit);
        rates[audit ? 'on' : 'off'].push(w.units / r.seconds);
        if (audit) lost.push(w.requests.length - r.events);
      }
    }
    const med = (xs: number[]): number => percentile([...xs].sort((a, b) => a - b), 50);
    const [off, on] = [med(rates.off), med(rates.on)];
    console.log(`  ${w.name}: ${w.units} ${w.unit} in ${w.requests.length} requests`);
    console.log(`    audit off: median ${fmt(off, 0)} ${w.unit}/s (${spread(rates.off)})   audit on: median ${fmt(on, 0)} ${w.unit}/s (${spread(rates.on)})   overhead ${fmt((100 * (off - on)) / off)} % (target ≤ 10 %)`);
    console.log(`    AuditEvents missing after a clean stop, per audited run: ${lost.join(', ')} (0 = one per request, none lost)`);
  }
}
