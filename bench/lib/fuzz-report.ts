/** What `npm run fuzz` prints per driver, and whether the issue 12 targets were met. */
import type { StallRecord } from '../../server/http/stall-monitor';
import type { HealthStats, MemorySample } from './fuzz-probe';
import { maxBlockedMs, printStallLog } from './fuzz-stalls';
import type { FuzzTally, Outcome } from './fuzz-run';

export interface DriverReport {
  driver: string;
  tally: FuzzTally;
  health: HealthStats;
  peakRssMb: number;
  seconds: number;
  crashed: boolean;
  stderrTail: string;
  /** The server's own event-loop delay over the run (prom-client's monitorEventLoopDelay, not scraped before), ms. */
  loop?: { maxMs: number; p99Ms: number };
  /** 1/5/15-minute load average at the end: a loaded machine starves the server's threads too. */
  load: number[];
  /** Every event-loop stall over 200 ms the server logged, with its cause (blocked, starved) and the requests in flight. */
  stalls: StallRecord[];
  /** The server's heap and buffers when its RSS peaked (from /metrics every 2 s). */
  memoryAtPeak?: MemorySample;
}

/** Event-loop delay as the server measured it: a /healthz stall with a small delay here was CPU starvation, not a blocked loop. */
export async function eventLoopLag(root: string): Promise<{ maxMs: number; p99Ms: number } | undefined> {
  try {
    const text = await (await fetch(`${root}/metrics`)).text();
    const value = (name: string): number => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN) * 1000;
    return { maxMs: value('nodejs_eventloop_lag_max_seconds'), p99Ms: value('nodejs_eventloop_lag_p99_seconds') };
  } catch {
    return undefined;
  }
}

export const MAX_STALL_MS = Number(process.env.FUZZ_MAX_STALL_MS ?? 1000);
export const MAX_RSS_MB = Number(process.env.FUZZ_MAX_RSS_MB ?? 600);

export function targetsMet(r: DriverReport): boolean {
  const t = r.tally;
  return !r.crashed && t.fiveXx.length === 0 && t.leaked.length === 0 && t.noAnswer.length === 0 && t.seedViolations.length === 0
    && r.health.failures === 0 && r.health.maxMs < MAX_STALL_MS && maxBlockedMs(r.stalls) < MAX_STALL_MS && r.peakRssMb < MAX_RSS_MB;
}

/** A reproducer in the corpus format (test/fuzz/corpus/README.md); huge bodies are described, not printed. */
function reproducer(o: Outcome): string {
  const body = o.req.body === undefined ? undefined : Buffer.isBuffer(o.req.body) ? `<${o.req.body.length} bytes: ${o.req.body.toString('base64').slice(0, 200)} (base64)>` : o.req.body;
  const shown = body !== undefined && body.length > 4000 ? `<${body.length} characters, ${o.req.kind}>` : body;
  return JSON.stringify({ name: o.req.kind, method: o.req.method, path: o.req.path, headers: o.req.headers, body: shown });
}

function list(title: string, items: Outcome[], detail: (o: Outcome) => string): void {
  console.log(`  ${title}: ${items.length}`);
  for (const o of items.slice(0, 20)) console.log(`    ${detail(o)}\n      reproducer: ${reproducer(o)}`);
  if (items.length > 20) console.log(`    … and ${items.length - 20} more`);
}

/** The worst /healthz stalls and the requests in flight during each: what blocked the event loop. */
function printStalls(r: DriverReport): void {
  const worst = [...r.health.stalls].sort((a, b) => b[1] - a[1]).slice(0, 6);
  for (const [at, ms] of worst) {
    const during = r.tally.timeline.filter((x) => x.start <= at + ms && x.end >= at).sort((a, b) => (b.end - b.start) - (a.end - a.start)).slice(0, 3);
    console.log(`    stall ${ms.toFixed(0)} ms; in flight: ${during.map((x) => `${x.kind} ${x.label} → ${x.status} (${(x.end - x.start).toFixed(0)} ms)`).join('; ')}`);
  }
}

export function printReport(r: DriverReport): void {
  const t = r.tally;
  const ok = (cond: boolean): string => (cond ? 'ok' : 'FAIL');
  console.log(`\nfuzz on ${r.driver}: ${t.sent} requests answered or failed in ${r.seconds.toFixed(0)} s (${t.unsendable} not sendable by the client)`);
  console.log(`  status histogram: ${[...t.statuses].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s}×${n}`).join(' ')}`);
  list(`5xx [${ok(t.fiveXx.length === 0)}]`, t.fiveXx, (o) => `${o.status}: ${o.text.slice(0, 200)}`);
  list(`no answer (reset, timeout) [${ok(t.noAnswer.length === 0)}]`, t.noAnswer, (o) => `${o.error ?? ''} after ${o.ms.toFixed(0)} ms`);
  list(`bodies with a stack trace or SQL text [${ok(t.leaked.length === 0)}]`, t.leaked, (o) => `${o.status}: ${o.text.slice(0, 300)}`);
  list('4xx without an OperationOutcome (reported, not a target)', t.notOutcome, (o) => `${o.status}: ${o.text.slice(0, 120)}`);
  console.log(`  seeded resources changed by a refused request [${ok(t.seedViolations.length === 0)}]: ${t.seedViolations.length}`);
  for (const v of t.seedViolations.slice(0, 20)) console.log(`    ${v}`);
  const h = r.health;
  console.log(`  /healthz [${ok(h.maxMs < MAX_STALL_MS && h.failures === 0)}]: ${h.count} probes, max ${h.maxMs.toFixed(0)} ms, p99 ${h.p99Ms.toFixed(0)} ms, ${h.over100} over 100 ms, ${h.failures} failed (target: max < ${MAX_STALL_MS} ms)`);
  printStalls(r);
  if (r.loop) console.log(`  server event-loop delay over the run: max ${r.loop.maxMs.toFixed(0)} ms, p99 ${r.loop.p99Ms.toFixed(0)} ms; load average ${r.load.map((l) => l.toFixed(1)).join(' / ')} (2 cores)`);
  printStallLog(r.stalls, MAX_STALL_MS);
  console.log(`  peak RSS [${ok(r.peakRssMb < MAX_RSS_MB)}]: ${r.peakRssMb.toFixed(0)} MB (target < ${MAX_RSS_MB} MB)`);
  const m = r.memoryAtPeak;
  if (m) console.log(`  at the highest sampled RSS (${m.rssMb.toFixed(0)} MB): main V8 heap ${m.heapUsedMb.toFixed(0)} used / ${m.heapTotalMb.toFixed(0)} MB reserved, main-thread buffers ${m.externalMb.toFixed(0)} MB, the rest (worker threads, PGlite, code, native) ${(m.rssMb - m.heapTotalMb - m.externalMb).toFixed(0)} MB`);
  console.log(`  slowest requests: ${t.slowest.map((o) => `${o.req.kind} ${o.req.method} ${o.req.path.slice(0, 60)} → ${o.status} in ${o.ms.toFixed(0)} ms`).join('; ')}`);
  if (r.crashed) console.log(`  SERVER EXITED during the run; its last log lines:\n${r.stderrTail}`);
}
