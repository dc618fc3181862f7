/**
 * bench/heavy: /healthz latency while one huge request runs — $validate of ~20 and ~40 MB (parsed and
 * validated in a worker thread) and, for comparison, the same with CPU_THREADS=0 (on the event loop)
 * and a ~20 MB create (parse, validate, store and index on the event loop). Needs BENCH_DATABASE_URL.
 */
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

/** Sends `body` to `path` and polls /healthz every 10 ms until it answers; returns health latencies and the request time. */
async function measure(base: string, path: string, body: string): Promise<{ health: number[]; ms: number; status: number }> {
  const health: number[] = [];
  const t0 = performance.now();
  let done = false;
  const big = fetch(`${base}/fhir/${path}`, { method: 'POST', headers: { 'Content-Type': 'application/fhir+json' }, body }).then(async (r) => {
    await r.arrayBuffer();
    done = true;
    return r.status;
  });
  while (!done) {
    const t = performance.now();
    await fetch(`${base}/healthz`).then((r) => r.arrayBuffer());
    health.push(performance.now() - t);
    await new Promise((r) => setTimeout(r, 10));
  }
  const status = await big;
  return { health, ms: performance.now() - t0, status };
}

export async function benchHeavy(): Promise<void> {
  console.log('heavy: /healthz latency (ms) while one huge request runs; polls every 10 ms');
  const cases: [string, string, string, string][] = [
    ['$validate 20 MB, CPU_THREADS=1', '1', 'Bundle/$validate', bundle(80_000)],
    ['$validate 40 MB, CPU_THREADS=1', '1', 'Bundle/$validate', bundle(160_000)],
    ['$validate 20 MB, CPU_THREADS=0', '0', 'Bundle/$validate', bundle(80_000)],
    ['create 20 MB Bundle (event loop)', '1', 'Bundle', bundle(80_000)],
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
