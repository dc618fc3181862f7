/**
 * bench/heavy: /healthz latency while one huge request runs — $validate of ~20 and ~40 MB (parsed and
 * validated in a worker thread) and, for comparison, the same with CPU_THREADS=0 (on the event loop)
 * and a ~20 MB create (parse, validate, store and index on the event loop). Needs BENCH_DATABASE_URL.
 */
import { spawn } from 'node:child_process';
import { freshDatabase, startServer } from './lib/server';
import { fmt, summarize } from './lib/stats';

function bundle(n: number): string {
  const entry = Array.from({ length: n }, (_, i) => ({
    fullUrl: `urn:uuid:00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    resource: {
      resourceType: 'Observation', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '8867-4', display: 'Heart rate' }] },
      subject: { reference: 'Patient/p1' }, effectiveDateTime: '2024-01-01T10:00:00Z', valueQuantity: { value: 72, unit: '/min', system: 'http://unitsofmeasure.org', code: '/min' },
    },
  }));
  return JSON.stringify({ resourceType: 'Bundle', type: 'collection', entry });
}

/**
 * Polls /healthz every 10 ms from a separate process (uploading the big body would stall this
 * process's own event loop and inflate the numbers) until its stdin closes; prints the latencies.
 */
const POLLER = `
let stop = false; process.stdin.on('end', () => { stop = true; }); process.stdin.resume();
const out = [];
(async () => {
  while (!stop) {
    const t = performance.now();
    await fetch(process.argv[1] + '/healthz').then((r) => r.arrayBuffer());
    out.push(performance.now() - t);
    await new Promise((r) => setTimeout(r, 10));
  }
  process.stdout.write(JSON.stringify(out));
})();`;

/** Sends `body` to `path` while the poller runs; returns health latencies and the request time. */
async function measure(base: string, path: string, body: string): Promise<{ health: number[]; ms: number; status: number }> {
  const poller = spawn(process.execPath, ['-e', POLLER, base], { stdio: ['pipe', 'pipe', 'inherit'] });
  let text = '';
  poller.stdout.on('data', (d: Buffer) => { text += d.toString(); });
  const exited = new Promise((r) => poller.once('exit', r));
  await new Promise((r) => setTimeout(r, 200));
  const t0 = performance.now();
  const res = await fetch(`${base}/fhir/${path}`, { method: 'POST', headers: { 'Content-Type': 'application/fhir+json' }, body });
  await res.arrayBuffer();
  const ms = performance.now() - t0;
  poller.stdin.end();
  await exited;
  return { health: JSON.parse(text || '[]') as number[], ms, status: res.status };
}

export async function benchHeavy(): Promise<void> {
  console.log('heavy: /healthz latency (ms) while one huge request runs; polls every 10 ms');
  const cases: [string, string, string, string][] = [
    ['$validate, CPU_THREADS=1', '1', 'Bundle/$validate', bundle(55_000)],
    ['$validate, CPU_THREADS=1', '1', 'Bundle/$validate', bundle(110_000)],
    ['$validate, CPU_THREADS=0', '0', 'Bundle/$validate', bundle(55_000)],
    ['create (on the event loop)', '1', 'Bundle', bundle(55_000)],
  ];
  for (const [name, threads, path, body] of cases) {
    const db = await freshDatabase('twinfhir_bench_heavy');
    const server = await startServer(db.url, { CPU_THREADS: threads, MAX_BODY: '64mb', REQUEST_TIMEOUT_MS: '600000' });
    try {
      const base = server.baseUrl.replace(/\/fhir$/, '');
      await measure(base, path, bundle(2_000)); // warm up: worker start-up and schema compilation are not the point
      const { health, ms, status } = await measure(base, path, body);
      const s = summarize(health);
      console.log(`  ${name.padEnd(34)} ${(body.length / 1048576).toFixed(1)} MB → ${status} in ${fmt(ms, 0)} ms; healthz n=${s.n} p50 ${fmt(s.p50)} p99 ${fmt(s.p99)} max ${fmt(s.max)}; RSS peak ${fmt(server.peakRssMb(), 0)} MB`);
    } finally {
      await server.stop();
      await db.drop();
    }
  }
}
