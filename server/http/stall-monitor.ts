/**
 * Names what stalls the event loop. A timer that should fire every `intervalMs` notices when it fires
 * late by more than `thresholdMs`; the stall is then logged with the requests in flight during it (their
 * method, path shape and body size — never a value, an id or body content) and with what the main
 * thread did meanwhile, read from the kernel's scheduler statistics of this thread:
 * - on-CPU time close to the stall's wall time: our code (or GC) held the loop — a real block;
 * - time waiting on the run queue instead: the machine was busy and the thread was starved, not blocked.
 * On a shared machine this is what separates our stalls from our neighbours'.
 */
import { readFileSync } from 'node:fs';
import { PerformanceObserver } from 'node:perf_hooks';
import type { Logger } from '../core/logger';

/** The main thread's time on a CPU and waiting for one, cumulative (ms). */
export interface ThreadTimes { cpuMs: number; runQueueMs: number }

/** Read on the thread that calls it (the event loop's). Linux schedstat; elsewhere process CPU and no run-queue time. */
export function threadTimes(): ThreadTimes {
  try {
    const [run, wait] = readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ').map(Number);
    if (Number.isFinite(run) && Number.isFinite(wait)) return { cpuMs: run / 1e6, runQueueMs: wait / 1e6 };
  } catch { /* not Linux */ }
  const u = process.cpuUsage(); // all threads: an upper bound on the main thread's share
  return { cpuMs: (u.user + u.system) / 1000, runQueueMs: NaN };
}

export type StallVerdict = 'blocked' | 'starved' | 'off-cpu';

/** Whichever the thread spent most of the stall on: running (blocked), waiting for a CPU (starved) or sleeping in the kernel (off-cpu: page faults, swap, a synchronous call). */
export function classifyStall(wallMs: number, cpuMs: number, runQueueMs: number): StallVerdict {
  const waited = Number.isFinite(runQueueMs) ? runQueueMs : 0;
  const slept = wallMs - cpuMs - waited;
  if (cpuMs >= waited && cpuMs >= slept) return 'blocked';
  return waited >= slept ? 'starved' : 'off-cpu';
}

const RESOURCE_TYPE = /^[A-Z][A-Za-z]{1,63}$/;
const KEPT_SEGMENT = /^(\$[a-z][a-z-]{0,40}|_history|_search|metadata|healthz|readyz|metrics|fhir)$/;
/** Search parameter codes with modifiers and chains (`_count`, `name:exact`, `subject:Patient.name`); anything else is '?'. */
const PARAM_NAME = /^_?[a-z][a-z0-9-]{0,40}([:.][A-Za-z][\w-]{0,40}){0,4}$/;

/**
 * `GET /fhir/Patient/Smith/_history/2?name=Smith&_count=5` → `GET /fhir/Patient/:id/_history/:id?name&_count`:
 * a resource type where one stands (after the base, or after a type and id), operations and keywords stay;
 * ids (capitalised or not), values and anything unexpected do not.
 */
export function requestShape(method: string, url: string): string {
  const q = url.indexOf('?');
  const pathPart = q < 0 ? url : url.slice(0, q);
  const segs = pathPart.split('/').slice(1, 9).map((s, i) => (KEPT_SEGMENT.test(s) || ((i === 1 || i === 3) && RESOURCE_TYPE.test(s)) ? s : ':id'));
  const names = q < 0 ? [] : url.slice(q + 1).split('&').slice(0, 12).map((p) => {
    const name = p.split('=')[0];
    return PARAM_NAME.test(name) ? name : '?';
  });
  const m = /^[A-Z]{1,10}$/.test(method) ? method : 'OTHER';
  return `${m} /${segs.join('/')}${names.length ? `?${names.join('&')}` : ''}`;
}

export interface InFlight { shape: string; bodyBytes: number; ageMs: number }

export interface StallRecord {
  stallMs: number;
  /** The main thread's CPU time and run-queue wait during the stall window (ms). */
  cpuMs: number; runQueueMs: number;
  /** Garbage collection pauses that ended during the window (ms). */
  gcMs: number;
  verdict: StallVerdict;
  inFlight: InFlight[];
}

interface Tracked { shape: string; start: number; bodyBytes(): number; end?: number }

export interface StallMonitor {
  /** Call when a request arrives; the returned function when it is answered. */
  track(method: string, url: string, bodyBytes: () => number): () => void;
  /** The most recent stalls (at most 100). */
  recent(): StallRecord[];
  close(): void;
}

export interface StallMonitorOptions { logger: Logger; thresholdMs?: number; intervalMs?: number; times?: () => ThreadTimes }

/** Requests in flight at some point of [from, to]: still running, or ended inside the window. */
function inFlightDuring(tracked: Set<Tracked>, from: number, to: number): InFlight[] {
  const out: InFlight[] = [];
  for (const t of tracked) {
    if (t.start <= to && (t.end === undefined || t.end >= from)) out.push({ shape: t.shape, bodyBytes: t.bodyBytes(), ageMs: Math.round(to - t.start) });
  }
  return out.sort((a, b) => b.ageMs - a.ageMs).slice(0, 8);
}

export function createStallMonitor(opts: StallMonitorOptions): StallMonitor {
  const threshold = opts.thresholdMs ?? 200;
  const interval = opts.intervalMs ?? 50;
  const times = opts.times ?? threadTimes;
  const tracked = new Set<Tracked>();
  const recent: StallRecord[] = [];
  // GC pauses with their end times, kept for one window
  let gcs: [number, number][] = [];
  const gcObserver = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcs.push([e.startTime + e.duration, e.duration]);
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  let last = performance.now();
  let lastTimes = times();
  const tick = (): void => {
    const now = performance.now();
    const nowTimes = times();
    const stallMs = now - last - interval;
    if (stallMs > threshold) {
      const cpuMs = nowTimes.cpuMs - lastTimes.cpuMs;
      const runQueueMs = nowTimes.runQueueMs - lastTimes.runQueueMs;
      const gcMs = gcs.filter(([end]) => end >= last).reduce((s, [, d]) => s + d, 0);
      const wall = now - last;
      const record: StallRecord = {
        stallMs: Math.round(stallMs), cpuMs: Math.round(cpuMs), runQueueMs: Math.round(runQueueMs), gcMs: Math.round(gcMs),
        verdict: classifyStall(wall, cpuMs, runQueueMs), inFlight: inFlightDuring(tracked, last, now),
      };
      recent.push(record);
      if (recent.length > 100) recent.shift();
      opts.logger.warn({ stall: record }, 'event loop stalled');
    }
    // answered requests are kept one window, so a request that caused the stall and then finished is still named
    for (const t of tracked) if (t.end !== undefined && t.end < now) tracked.delete(t);
    gcs = gcs.filter(([end]) => end >= now);
    last = now;
    lastTimes = nowTimes;
  };
  const timer = setInterval(tick, interval);
  timer.unref();
  return {
    track(method, url, bodyBytes) {
      const t: Tracked = { shape: requestShape(method, url), start: performance.now(), bodyBytes };
      tracked.add(t);
      return () => { t.end = performance.now(); };
    },
    recent: () => [...recent],
    close() {
      clearInterval(timer);
      gcObserver.disconnect();
    },
  };
}
