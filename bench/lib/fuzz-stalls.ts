/**
 * The server's own account of its event-loop stalls (http/stall-monitor.ts logs each one over 200 ms
 * with the requests in flight and the main thread's CPU and run-queue time), collected from its log
 * and summarised: which request shapes block the loop, and how much of the stalling was starvation by
 * a loaded machine rather than our code.
 */
import type { StallRecord } from '../../server/http/stall-monitor';

export class StallLog {
  readonly stalls: StallRecord[] = [];

  /** One line of the server's pino log; other lines are ignored. */
  line(text: string): void {
    if (!text.includes('"event loop stalled"')) return;
    try {
      const parsed = JSON.parse(text) as { stall?: StallRecord };
      if (parsed.stall) this.stalls.push(parsed.stall);
    } catch { /* a torn line */ }
  }
}

const mb = (n: number): string => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : n >= 1024 ? `${(n / 1024).toFixed(0)} kB` : `${n} B`);

function describe(s: StallRecord): string {
  const flights = s.inFlight.slice(0, 4).map((f) => `${f.shape} (${mb(f.bodyBytes)}, ${f.ageMs} ms old)`).join('; ');
  return `${s.stallMs} ms ${s.verdict}: main thread on CPU ${s.cpuMs} ms (GC ${s.gcMs} ms), waiting for a CPU ${s.runQueueMs} ms; in flight: ${flights || 'nothing'}`;
}

/** Main-thread CPU milliseconds of stalls per request shape: every shape in flight during a stall shares its blame. */
function blameByShape(stalls: StallRecord[]): [string, { stalls: number; ms: number; maxBody: number }][] {
  const by = new Map<string, { stalls: number; ms: number; maxBody: number }>();
  for (const s of stalls) {
    for (const f of new Map(s.inFlight.map((x) => [x.shape, x])).values()) {
      const b = by.get(f.shape) ?? { stalls: 0, ms: 0, maxBody: 0 };
      b.stalls++;
      b.ms += s.cpuMs;
      b.maxBody = Math.max(b.maxBody, f.bodyBytes);
      by.set(f.shape, b);
    }
  }
  return [...by].sort((a, b) => b[1].ms - a[1].ms);
}

/**
 * The longest stall our own code would cause on an idle machine: the wall time of a blocked stall, and of
 * a starved one only the main thread's CPU time in it (the rest was waiting for a core).
 */
export function maxBlockedMs(stalls: StallRecord[]): number {
  return Math.max(0, ...stalls.map((s) => (s.verdict === 'blocked' ? s.stallMs : s.cpuMs)));
}

export function printStallLog(stalls: StallRecord[], maxStallMs: number): void {
  const count = (v: string): number => stalls.filter((s) => s.verdict === v).length;
  const blocked = maxBlockedMs(stalls);
  console.log(`  server event-loop stalls over 200 ms [${blocked < maxStallMs ? 'ok' : 'FAIL'}]: ${stalls.length} (blocked by our code ${count('blocked')}, starved by the machine ${count('starved')}, off-CPU ${count('off-cpu')}); longest run of our own code ${blocked} ms (target < ${maxStallMs} ms)`);
  for (const s of [...stalls].sort((a, b) => b.stallMs - a.stallMs).slice(0, 8)) console.log(`    ${describe(s)}`);
  const blame = blameByShape(stalls).slice(0, 8);
  if (blame.length) console.log(`  main-thread CPU of stalls by request shape in flight: ${blame.map(([shape, b]) => `${shape} ${b.ms} ms in ${b.stalls} stalls (body up to ${mb(b.maxBody)})`).join('; ')}`);
}
