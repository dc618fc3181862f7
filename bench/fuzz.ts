/**
 * npm run fuzz: the long hostile-input run of issue 12 against the real server as a separate process,
 * on PGlite and (with FUZZ_DATABASE_URL, BENCH_DATABASE_URL or TEST_DATABASE_URL) on PostgreSQL.
 * Sends FUZZ_REQUESTS (default 10,000) seeded requests — the corpus of test/fuzz, fast-check
 * arbitraries for every input path, and huge bodies around MAX_BODY — while a side process polls
 * /healthz every 50 ms and the server's RSS is sampled. FUZZ_DRIVERS=pg or pglite runs one driver only. Exits non-zero when any target fails:
 * PGlite runs in memory (FUZZ_PGLITE_DIR=temp: on a temporary data directory). A target fails on
 * a 5xx, a leaked stack trace or SQL, a request with no answer, a changed seed after a refusal,
 * a /healthz answer slower than FUZZ_MAX_STALL_MS (1000), or a peak RSS over FUZZ_MAX_RSS_MB (600).
 * The server runs with the NODE_OPTIONS of the image (DEPLOYED_NODE_OPTIONS). For where memory goes, add
 * BENCH_SERVER_NODE_ARGS='--require dist/bench/lib/memory-trace.js' MEMORY_TRACE_FILE=<file>.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { loadCorpus } from '../test/fuzz/cases';
import { type FuzzRequest, fuzzRequest } from './lib/fuzz-requests';
import { HUGE } from './lib/fuzz-huge';
import { startHealthProbe, sampleMemory, sampleRss } from './lib/fuzz-probe';
import { StallLog } from './lib/fuzz-stalls';
import { type DriverReport, eventLoopLag, printReport, targetsMet } from './lib/fuzz-report';
import { checkSeeds, runRequests, storeSeeds } from './lib/fuzz-run';
import { DEPLOYED_NODE_OPTIONS, freshDatabase, startServer } from './lib/server';

const env = process.env;
const REQUESTS = Number(env.FUZZ_REQUESTS ?? 10_000);
const SEED = Number(env.FUZZ_SEED ?? 20261206);
const CONCURRENCY = Number(env.FUZZ_CONCURRENCY ?? 4);
const MAX_BODY = Number(env.FUZZ_MAX_BODY ?? 50 * 1024 * 1024);
const TIMEOUT_MS = Number(env.FUZZ_REQUEST_TIMEOUT_MS ?? 300_000);
/** FUZZ_PGLITE_DIR=temp puts the embedded database in a temporary directory; by default it is in memory (counted in the RSS). */
const PGLITE_DIR = env.FUZZ_PGLITE_DIR ?? ':memory:';
const PG_URL = env.FUZZ_DATABASE_URL ?? env.BENCH_DATABASE_URL ?? env.TEST_DATABASE_URL;

/** The corpus first (its cases may rely on each other's order), then the seeded mix with the huge bodies spread evenly. */
function plan(): (() => FuzzRequest)[] {
  const corpus = loadCorpus().map(({ c }) => (): FuzzRequest => ({
    kind: 'corpus', method: c.method, path: c.path, guards: [],
    headers: { ...(c.body !== undefined ? { 'Content-Type': 'application/fhir+json' } : {}), ...c.headers },
    body: c.body === undefined ? undefined : typeof c.body === 'string' ? c.body : JSON.stringify(c.body),
  }));
  const randomCount = Math.max(0, REQUESTS - corpus.length - HUGE.length);
  const random = fc.sample(fuzzRequest, { seed: SEED, numRuns: randomCount }).map((r) => () => r);
  const hugeAt = (i: number) => HUGE.filter((_, k) => Math.floor(((k + 1) * random.length) / (HUGE.length + 1)) === i);
  const mixed: (() => FuzzRequest)[] = [];
  random.forEach((r, i) => {
    for (const h of hugeAt(i)) mixed.push(() => ({ ...h.make(MAX_BODY), kind: `huge: ${h.label}` }));
    mixed.push(r);
  });
  return [...corpus, ...mixed];
}

async function fuzzDriver(driver: 'pglite' | 'pg'): Promise<DriverReport> {
  const db = driver === 'pg' ? await freshDatabase('twinfhir_fuzz', PG_URL) : undefined;
  // on disk as deployed (DATA_DIR defaults to ./data); in memory every stored byte and all WAL are process memory
  const dataDir = driver === 'pglite' && PGLITE_DIR === 'temp' ? mkdtempSync(path.join(tmpdir(), 'twinfhir-fuzz-')) : undefined;
  const stallLog = new StallLog();
  const server = await startServer(db?.url, { NODE_OPTIONS: DEPLOYED_NODE_OPTIONS, MAX_BODY: String(MAX_BODY), HTTP_WORKERS: '1', ...(driver === 'pglite' ? { DATA_DIR: dataDir ?? ':memory:' } : {}) }, true, { onLogLine: (l) => stallLog.line(l) });
  const root = server.baseUrl.replace(/\/fhir$/, '');
  const pid = server.child.pid as number;
  const rss = sampleRss(pid);
  const memory = sampleMemory(root);
  const t0 = performance.now();
  try {
    const book = await storeSeeds(root);
    const requests = plan();
    const probe = startHealthProbe(root);
    const tally = await runRequests(requests, {
      root, concurrency: CONCURRENCY, timeoutMs: TIMEOUT_MS, book,
      onProgress: (done) => console.log(`  ${driver}: ${done} / ${requests.length} requests, RSS peak so far ${rss.peakMb().toFixed(0)} MB`),
    });
    const health = await probe.stop();
    const loop = await eventLoopLag(root);
    await checkSeeds(root, book, tally);
    const crashed = server.child.exitCode !== null || server.child.signalCode !== null;
    return {
      driver, tally, health, peakRssMb: rss.peakMb(), seconds: (performance.now() - t0) / 1000, crashed, stderrTail: crashed ? server.stderr().slice(-2000) : '', loop, load: loadavg(),
      stalls: stallLog.stalls, memoryAtPeak: memory.atPeak(),
    };
  } finally {
    rss.stop();
    memory.stop();
    await server.stop();
    await db?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  // FUZZ_DRIVERS=pg (or pglite) runs one driver only
  const drivers = (PG_URL ? ['pglite', 'pg'] as const : ['pglite'] as const).filter((d) => !env.FUZZ_DRIVERS || env.FUZZ_DRIVERS.split(',').includes(d));
  console.log(`fuzz: ${REQUESTS} requests per driver (seed ${SEED}, ${CONCURRENCY} lanes, MAX_BODY ${MAX_BODY} bytes) on ${drivers.join(' and ')}`);
  const reports: DriverReport[] = [];
  for (const d of drivers) {
    const report = await fuzzDriver(d);
    printReport(report);
    reports.push(report);
  }
  const failed = reports.filter((r) => !targetsMet(r));
  if (failed.length) {
    console.log(`FAIL: targets missed on ${failed.map((r) => r.driver).join(', ')}`);
    process.exit(1);
  }
  console.log('PASS: every target met on every driver');
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(2);
});
