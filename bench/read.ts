/** bench/read: read-by-id throughput at 32 connections with autocannon against the server on PostgreSQL (BENCH_DRIVER=pglite: embedded PGlite). */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { freshDatabase, startServer } from './lib/server';
import { fmt } from './lib/stats';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);

export async function benchRead(): Promise<void> {
  const db = process.env.BENCH_DRIVER === 'pglite' ? undefined : await freshDatabase('twinfhir_bench_read');
  const server = await startServer(db?.url);
  try {
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const entry = Array.from({ length: 50 }, (_, j) => ({
        resource: { resourceType: 'Patient', name: [{ family: `Read${i}-${j}`, given: ['Bench'] }], gender: 'female', birthDate: '1970-01-01', identifier: [{ system: 'urn:bench', value: `${i}-${j}` }] },
        request: { method: 'POST', url: 'Patient' },
      }));
      const res = await fetch(server.baseUrl, { method: 'POST', headers: { 'Content-Type': 'application/fhir+json' }, body: JSON.stringify({ resourceType: 'Bundle', type: 'transaction', entry }) });
      const out = (await res.json()) as { entry: { response: { location: string } }[] };
      ids.push(...out.entry.map((e) => e.response.location.split('/')[5]));
    }
    if (hasWrk()) {
      runWrk(server.baseUrl, ids);
      console.log(`  server RSS ${fmt(server.rssMb(), 0)} MB (peak ${fmt(server.peakRssMb(), 0)} MB)`);
      return;
    }
    let n = 0;
    const result = await autocannon({
      url: server.baseUrl, connections: CONNECTIONS, duration: SECONDS,
      requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: `/fhir/Patient/${ids[n++ % ids.length]}` }) }],
    });
    const non2xx = result.non2xx + result.errors;
    console.log(`read: GET /Patient/{id} on ${db ? 'PostgreSQL' : 'PGlite'}, ${CONNECTIONS} connections, ${SECONDS} s, ${ids.length} distinct ids (autocannon, in-process load generator)`);
    console.log(`  ${fmt(result.requests.average, 0)} req/s (p50 latency ${result.latency.p50} ms, p99 ${result.latency.p99} ms), errors/non-2xx ${non2xx}; server RSS ${fmt(server.rssMb(), 0)} MB (peak ${fmt(server.peakRssMb(), 0)} MB)`);
  } finally {
    await server.stop();
    await db?.drop();
  }
}

function hasWrk(): boolean {
  return spawnSync('wrk', ['--version']).error === undefined;
}

/** wrk (C, outside this process) leaves the 2 cores to the server and PostgreSQL, unlike a Node load generator. */
function runWrk(baseUrl: string, ids: string[]): void {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'twinfhir-wrk-'));
  const script = path.join(dir, 'read.lua');
  writeFileSync(script, `local ids = {${ids.map((i) => `"${i}"`).join(',')}}\nlocal n = 0\nrequest = function()\n  n = n + 1\n  return wrk.format("GET", "/fhir/Patient/" .. ids[(n % #ids) + 1])\nend\n`);
  const out = execFileSync('wrk', ['-t2', `-c${CONNECTIONS}`, `-d${SECONDS}s`, '--latency', '-s', script, baseUrl.replace(/\/fhir$/, '')], { encoding: 'utf8' });
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out)?.[1];
  const p50 = /50%\s+(\S+)/.exec(out)?.[1];
  const p99 = /99%\s+(\S+)/.exec(out)?.[1];
  const errors = /Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? '0';
  console.log(`read: GET /Patient/{id} on ${process.env.BENCH_DRIVER === 'pglite' ? 'PGlite' : 'PostgreSQL'}, ${CONNECTIONS} connections, ${SECONDS} s, ${ids.length} distinct ids (wrk)`);
  console.log(`  ${rps ?? '?'} req/s (p50 latency ${p50 ?? '?'}, p99 ${p99 ?? '?'}), non-2xx ${errors}`);
}
