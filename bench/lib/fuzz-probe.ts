/**
 * The side probes of `npm run fuzz`: /healthz every ~50 ms from a separate process (the fuzzer's own
 * event loop is busy building bodies and would inflate the numbers), and the server's RSS from
 * /proc/<pid>/status every 200 ms.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Probes until stdin closes, then prints [count, max ms, p99 ms, count over 100 ms, failures, [[epoch ms, ms] of probes over 500 ms]]. */
const PROBE = `
let stop = false; process.stdin.on('end', () => { stop = true; }); process.stdin.resume();
const lat = []; const slow = []; let failures = 0;
(async () => {
  while (!stop) {
    const t = performance.now();
    try { const r = await fetch(process.argv[1] + '/healthz', { signal: AbortSignal.timeout(30000) }); await r.arrayBuffer(); if (!r.ok) failures++; }
    catch { failures++; }
    const ms = performance.now() - t;
    lat.push(ms);
    if (ms > 500) slow.push([Date.now() - ms, ms]);
    await new Promise((r) => setTimeout(r, 50));
  }
  lat.sort((a, b) => a - b);
  process.stdout.write(JSON.stringify([lat.length, lat[lat.length - 1] ?? 0, lat[Math.floor(lat.length * 0.99)] ?? 0, lat.filter((x) => x > 100).length, failures, slow]));
})();`;

export interface HealthStats {
  count: number; maxMs: number; p99Ms: number; over100: number; failures: number;
  /** Probes slower than 500 ms: when they started (epoch ms) and how long they took. */
  stalls: [number, number][];
}

export interface HealthProbe { stop(): Promise<HealthStats> }

export function startHealthProbe(root: string): HealthProbe {
  const child = spawn(process.execPath, ['-e', PROBE, root], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  const exited = new Promise((r) => child.once('exit', r));
  return {
    async stop() {
      child.stdin.end();
      await exited;
      const [count, maxMs, p99Ms, over100, failures, stalls] = JSON.parse(out || '[0,0,0,0,1,[]]') as [number, number, number, number, number, [number, number][]];
      return { count, maxMs, p99Ms, over100, failures, stalls };
    },
  };
}

function statusMb(pid: number, field: string): number {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0; // the process is gone; the runner reports that
  }
}

export interface RssSampler { peakMb(): number; stop(): void }

/** Samples VmRSS and, at the end, VmHWM (the kernel's own peak, which catches spikes between samples). */
export function sampleRss(pid: number): RssSampler {
  let peak = 0;
  const timer = setInterval(() => { peak = Math.max(peak, statusMb(pid, 'VmRSS')); }, 200);
  return {
    peakMb: () => Math.max(peak, statusMb(pid, 'VmHWM')),
    stop: () => clearInterval(timer),
  };
}

/** The server's own memory account at one moment (MB): RSS, its main V8 heap, and off-heap buffers of the main thread. */
export interface MemorySample { rssMb: number; heapUsedMb: number; heapTotalMb: number; externalMb: number }

export interface MemorySampler { atPeak(): MemorySample | undefined; stop(): void }

/**
 * Scrapes /metrics every 2 s and keeps the sample with the highest RSS: what the main thread's heap
 * and buffers were when memory peaked. RSS minus those is the worker threads (body pool, PGlite) and native memory.
 */
export function sampleMemory(root: string): MemorySampler {
  let peak: MemorySample | undefined;
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    fetch(`${root}/metrics`, { signal: AbortSignal.timeout(10_000) }).then((r) => r.text()).then((text) => {
      const v = (name: string): number => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN) / 1024 / 1024;
      const s = { rssMb: v('process_resident_memory_bytes'), heapUsedMb: v('nodejs_heap_size_used_bytes'), heapTotalMb: v('nodejs_heap_size_total_bytes'), externalMb: v('nodejs_external_memory_bytes') };
      if (!peak || s.rssMb > peak.rssMb) peak = s;
    }).catch(() => undefined).finally(() => { busy = false; });
  }, 2000);
  return { atPeak: () => peak, stop: () => clearInterval(timer) };
}
