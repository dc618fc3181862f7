/**
 * bench/subscriptions (issue 15): notification latency from a write to its delivered rest-hook
 * notification (p50/p95) at a steady 100 writes/s with 50 active subscriptions (target p95 < 1 s), and
 * ingest throughput with those 50 subscriptions vs none, in the same run (target: cost ≤ 15 %): interleaved
 * rounds (none, 50, none, 50 …), each on a fresh server and database, median of the rounds. Delivery runs
 * during the ingest on the same server; how much of it had arrived when the last write returned is printed,
 * so deferring delivery cannot pass for a cheap write path.
 *
 * Each subscription follows one patient (`Observation?subject=Patient/bench-i`, evaluated with the
 * server's search); writes go round robin over the 50 patients, so every write raises one event for one
 * subscription (id-only payloads, the IG's default); events of one subscription that the server gathered into
 * one notification are printed as events per notification (SUBSCRIPTION_COALESCE_MS). Latency is measured
 * from each event's timestamp (the resource's meta.lastUpdated, set inside the writing transaction before
 * commit: slightly pessimistic) to the notification's arrival at a receiver in this process.
 */
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { canPin, cpuSeconds, loadAverage, pin } from './lib/proc-cpu';
import { freshDatabase, startServer } from './lib/server';
import { fmt, summarize } from './lib/stats';

const SUBSCRIPTIONS = Number(process.env.BENCH_SUBS ?? 50);
const RATE = Number(process.env.BENCH_SUBS_RATE ?? 100);
const SECONDS = Number(process.env.BENCH_SUBS_SECONDS ?? 20);
const INGEST = Number(process.env.BENCH_SUBS_INGEST ?? 3000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const ROUNDS = Number(process.env.BENCH_SUBS_ROUNDS ?? 3);
/**
 * BENCH_SUBS_PIN=1: the server on CPU 1, this process (writers and receiver) on CPU 0 — PostgreSQL floats. The
 * unpinned figure charges the server for the receiver's work on a shared core; a deployment's receivers run
 * elsewhere, so the pinned one is closer to the server's own cost. Both are worth printing, labelled.
 */
const PIN = process.env.BENCH_SUBS_PIN === '1' && canPin();
const SERVER_CPUS = PIN ? { cpus: '1' } : {};
const BP = 'http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition';
const FHIR = { 'Content-Type': 'application/fhir+json' };

interface Part { name: string; valueCode?: string; valueInstant?: string; valueString?: string; valueInteger?: number; valueInteger64?: string; valueReference?: { reference?: string }; part?: Part[] }
/** events: distinct (subscription, event number) pairs; resent: notifications of a pair already received; notifications: POSTs carrying events. */
interface Receiver { url: string; latencies: number[]; handshakes: number; events: number; resent: number; notifications: number; close(): Promise<void> }

async function receiver(): Promise<Receiver> {
  const r = { latencies: [] as number[], handshakes: 0, events: 0, resent: 0, notifications: 0 };
  const seen = new Set<string>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const arrived = Date.now();
      const bundle = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { entry: { resource?: { parameter?: Part[] } }[] };
      const params = bundle.entry[0].resource?.parameter ?? [];
      if (params.find((p) => p.name === 'type')?.valueCode === 'handshake') r.handshakes++;
      const subscription = params.find((p) => p.name === 'subscription')?.valueReference?.reference ?? '';
      const carried = params.filter((p) => p.name === 'notification-event');
      if (carried.length) r.notifications++;
      for (const e of carried) {
        const n = e.part?.find((p) => p.name === 'event-number');
        const key = `${subscription}#${n?.valueString ?? n?.valueInteger64 ?? n?.valueInteger ?? ''}`;
        if (seen.has(key)) { r.resent++; continue; }
        seen.add(key);
        r.events++;
        const at = e.part?.find((p) => p.name === 'timestamp')?.valueInstant;
        if (at) r.latencies.push(arrived - Date.parse(at));
      }
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    get latencies() { return r.latencies; }, get handshakes() { return r.handshakes; }, get events() { return r.events; }, get resent() { return r.resent; }, get notifications() { return r.notifications; },
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

const observation = (i: number): string => JSON.stringify({
  resourceType: 'Observation', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '10334-1' }] },
  subject: { reference: `Patient/bench-${i % SUBSCRIPTIONS}` }, valueQuantity: { value: i, unit: 'U/mL' },
});

async function subscribeAll(base: string, endpoint: string): Promise<void> {
  for (let i = 0; i < SUBSCRIPTIONS; i++) {
    const res = await fetch(`${base}/Subscription`, {
      method: 'POST', headers: FHIR,
      body: JSON.stringify({
        resourceType: 'Subscription', status: 'requested', reason: 'bench', criteria: 'https://twinfhir.org/fhir/SubscriptionTopic/resource-write',
        _criteria: { extension: [{ url: `${BP}/backport-filter-criteria`, valueString: `Observation?subject=Patient/bench-${i}` }] },
        channel: { type: 'rest-hook', endpoint, payload: 'application/fhir+json', _payload: { extension: [{ url: `${BP}/backport-payload-content`, valueCode: 'id-only' }] } },
      }),
    });
    if (res.status !== 201) throw new Error(`Subscription ${i}: ${res.status} ${await res.text()}`);
  }
}

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  return cond();
}

/** Most writes in flight: beyond it the schedule slips (the achieved rate is reported) instead of piling up sockets. */
const MAX_IN_FLIGHT = 64;

/** Writes at a steady rate (open loop up to MAX_IN_FLIGHT outstanding writes); returns writes done and the achieved rate. */
async function steadyWrites(base: string): Promise<{ written: number; rate: number }> {
  const total = RATE * SECONDS;
  const started = performance.now();
  const inFlight = new Set<Promise<void>>();
  for (let i = 0; i < total; i++) {
    const wait = started + (i * 1000) / RATE - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    while (inFlight.size >= MAX_IN_FLIGHT) await Promise.race(inFlight);
    const p: Promise<void> = fetch(`${base}/Observation`, { method: 'POST', headers: { ...FHIR, Prefer: 'return=minimal' }, body: observation(i) }).then(async (res) => {
      await res.arrayBuffer();
      if (res.status !== 201) throw new Error(`write failed: ${res.status}`);
    }).finally(() => inFlight.delete(p));
    inFlight.add(p);
  }
  await Promise.all(inFlight);
  return { written: total, rate: total / ((performance.now() - started) / 1000) };
}

async function latency(): Promise<void> {
  const db = await freshDatabase('twinfhir_bench_subs');
  const rx = await receiver();
  const server = await startServer(db.url, { SUBSCRIPTION_ALLOW_PRIVATE: 'true', SUBSCRIPTION_REFRESH_MS: '200' }, false, SERVER_CPUS);
  try {
    await subscribeAll(server.baseUrl, rx.url);
    if (!(await until(() => rx.handshakes >= SUBSCRIPTIONS, 60_000))) throw new Error(`only ${rx.handshakes} handshakes`);
    const { written, rate } = await steadyWrites(server.baseUrl);
    const delivered = await until(() => rx.events >= written, 60_000);
    const s = summarize([...rx.latencies].sort((a, b) => a - b));
    console.log(`  latency at ${RATE} writes/s (achieved ${fmt(rate, 0)}/s) for ${SECONDS} s, ${SUBSCRIPTIONS} subscriptions: ${rx.events}/${written} distinct events delivered${delivered ? '' : ' (incomplete after 60 s)'}, ${rx.resent} re-sent, ${fmt(rx.events / Math.max(1, rx.notifications), 2)} events per notification`);
    console.log(`    write → delivered: p50 ${fmt(s.p50, 0)} ms  p95 ${fmt(s.p95, 0)} ms  p99 ${fmt(s.p99, 0)} ms  max ${fmt(s.max, 0)} ms (target p95 < 1000 ms)`);
  } finally {
    await server.stop();
    await rx.close();
    await db.drop();
  }
}

/** cpuMsPerWrite: the server process's own CPU from the first write until every event was delivered, per write (PostgreSQL's not counted). */
interface IngestRound { seconds: number; deliveredAtEnd: number; perNotification: number; cpuMsPerWrite: number }

/** Seconds to POST INGEST Observations with CONCURRENCY clients, with or without the subscriptions. */
async function ingest(withSubscriptions: boolean): Promise<IngestRound> {
  const db = await freshDatabase('twinfhir_bench_subs');
  const rx = await receiver();
  const server = await startServer(db.url, { SUBSCRIPTION_ALLOW_PRIVATE: 'true', SUBSCRIPTION_REFRESH_MS: '200' }, false, SERVER_CPUS);
  try {
    if (withSubscriptions) {
      await subscribeAll(server.baseUrl, rx.url);
      await until(() => rx.handshakes >= SUBSCRIPTIONS, 60_000);
    }
    let next = 0;
    const pid = server.child.pid;
    const cpuBefore = pid ? cpuSeconds(pid) : NaN;
    const started = performance.now();
    const worker = async (): Promise<void> => {
      while (next < INGEST) {
        const res = await fetch(`${server.baseUrl}/Observation`, { method: 'POST', headers: { ...FHIR, Prefer: 'return=minimal' }, body: observation(next++) });
        await res.arrayBuffer();
        if (res.status !== 201) throw new Error(`write failed: ${res.status}`);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const round = { seconds: (performance.now() - started) / 1000, deliveredAtEnd: rx.events };
    if (withSubscriptions && !(await until(() => rx.events >= INGEST, 60_000))) throw new Error(`only ${rx.events}/${INGEST} events delivered 60 s after the ingest`);
    // delivery included: the CPU is read once every event has arrived, so deferring work cannot look cheap
    const cpuMsPerWrite = pid ? ((cpuSeconds(pid) - cpuBefore) * 1000) / INGEST : NaN;
    return { ...round, perNotification: rx.events / Math.max(1, rx.notifications), cpuMsPerWrite };
  } finally {
    await server.stop();
    await rx.close();
    await db.drop();
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export async function benchSubscriptions(): Promise<void> {
  if (PIN) pin(process.pid, '0');
  console.log(`subscriptions: rest-hook latency and ingest cost, PostgreSQL; ${PIN ? 'PINNED: server on CPU 1, writers and receiver on CPU 0' : 'unpinned'}; load ${loadAverage()}`);
  await latency();
  const rate = { none: [] as number[], subs: [] as number[] };
  const cpu = { none: [] as number[], subs: [] as number[] };
  for (let round = 1; round <= ROUNDS; round++) {
    const none = await ingest(false);
    const subs = await ingest(true);
    rate.none.push(INGEST / none.seconds);
    rate.subs.push(INGEST / subs.seconds);
    cpu.none.push(none.cpuMsPerWrite);
    cpu.subs.push(subs.cpuMsPerWrite);
    console.log(`    round ${round}: none ${fmt(INGEST / none.seconds, 0)} writes/s, ${SUBSCRIPTIONS} subscriptions ${fmt(INGEST / subs.seconds, 0)} writes/s (${subs.deliveredAtEnd}/${INGEST} delivered when the last write returned, ${fmt(subs.perNotification, 2)} events per notification); server CPU per write ${fmt(none.cpuMsPerWrite, 2)} / ${fmt(subs.cpuMsPerWrite, 2)} ms`);
  }
  const none = median(rate.none);
  const subs = median(rate.subs);
  console.log(`  ingest of ${INGEST} Observations, concurrency ${CONCURRENCY}, median of ${ROUNDS} interleaved rounds:`);
  console.log(`    no subscriptions: ${fmt(none, 0)} writes/s   ${SUBSCRIPTIONS} subscriptions: ${fmt(subs, 0)} writes/s   cost ${fmt((100 * (none - subs)) / none)} % (target ≤ 15 %); load ${loadAverage()}`);
  console.log(`    server CPU per write (median): ${fmt(median(cpu.none), 2)} / ${fmt(median(cpu.subs), 2)} ms (+${fmt((100 * (median(cpu.subs) - median(cpu.none))) / median(cpu.none))} %)`);
}
