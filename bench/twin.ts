/**
 * bench/twin: (1) the rebuild time of the Digital Twin of a patient with BENCH_TWIN_RESOURCES (default 2,000)
 * resources — read, assemble, compare, validate, write; target < 300 ms — and (2) the lag from a committed write
 * to a twin that shows it, under BENCH_TWIN_RATE (default 50) writes/s spread over BENCH_TWIN_PATIENTS patients
 * for BENCH_TWIN_SECONDS; target p95 < 2 s. Runs the store, outbox hook and refresher in this process, on
 * PostgreSQL (BENCH_DATABASE_URL) or, without it, on PGlite in memory.
 */
import { readFileSync } from 'node:fs';
import type { Composition, Observation, Resource } from 'fhir/r4';
import { systemContext } from '../server/core/access-context';
import { systemClock } from '../server/core/clock';
import { fromRoot } from '../server/core/paths';
import { createSearchRegistry } from '../server/search/registry';
import { openStore } from '../server/store/open-store';
import type { ResourceStore } from '../server/store/types';
import { buildTwin, rebuildTwin } from '../server/twin/build-twin';
import { twinOutboxHook } from '../server/twin/outbox-hook';
import { startTwinRefresher } from '../server/twin/refresher';
import { twinIdFor } from '../server/twin/twin-id';
import { createValidator } from '../server/validation';
import { adminUrl, freshDatabase } from './lib/server';
import { fmt, summarize } from './lib/stats';

const RESOURCES = Number(process.env.BENCH_TWIN_RESOURCES ?? 2_000);
const RUNS = Number(process.env.BENCH_TWIN_RUNS ?? 10);
const RATE = Number(process.env.BENCH_TWIN_RATE ?? 50);
const SECONDS = Number(process.env.BENCH_TWIN_SECONDS ?? 30);
const PATIENTS = Number(process.env.BENCH_TWIN_PATIENTS ?? 20);
const DEBOUNCE_MS = Number(process.env.BENCH_TWIN_DEBOUNCE_MS ?? 250);
const WORKERS = Number(process.env.BENCH_TWIN_WORKERS ?? 2);

type Json = Record<string, unknown>;
type Stored = Resource & { id: string };
const ctx = systemContext('bench-twin');
const silent = { info: () => undefined, warn: () => undefined, error: (o: object, m: string) => console.error(m, o) };

/** Clinical resources of the Synthea bundles (no Patient, Organization, Practitioner), in bundle order. */
function syntheaTemplates(): Json[] {
  const dir = fromRoot('..', 'shared', 'data', 'synthea-r4-bundles', 'bundles');
  const index = JSON.parse(readFileSync(`${dir}/../index.json`, 'utf8')) as { file: string; entries: number }[];
  const biggest = [...index].sort((a, b) => b.entries - a.entries).slice(0, 3);
  const skip = new Set(['Patient', 'Organization', 'Practitioner']);
  return biggest.flatMap((f) => (JSON.parse(readFileSync(`${dir}/${f.file}`, 'utf8')) as { entry: { resource: Json }[] }).entry
    .map((e) => e.resource).filter((r) => !skip.has(r.resourceType as string)));
}

/** Points every urn:uuid reference to the patient when it is the bundle's patient, and drops the others. */
function retarget(node: unknown, patientUrns: Set<string>, patient: string): unknown {
  if (Array.isArray(node)) return node.map((x) => retarget(x, patientUrns, patient)).filter((x) => x !== undefined);
  if (node === null || typeof node !== 'object') return node;
  const o = node as Json;
  if (typeof o.reference === 'string' && o.reference.startsWith('urn:uuid:')) return patientUrns.has(o.reference) ? { reference: patient } : undefined;
  const out: Json = {};
  for (const [k, v] of Object.entries(o)) {
    const r = retarget(v, patientUrns, patient);
    if (r !== undefined && !(Array.isArray(r) && r.length === 0)) out[k] = r;
  }
  return out;
}

function patientUrns(): Set<string> {
  const dir = fromRoot('..', 'shared', 'data', 'synthea-r4-bundles', 'bundles');
  const urns = new Set<string>();
  for (const f of JSON.parse(readFileSync(`${dir}/../index.json`, 'utf8')) as { file: string }[]) {
    const b = JSON.parse(readFileSync(`${dir}/${f.file}`, 'utf8')) as { entry: { fullUrl: string; resource: Json }[] };
    for (const e of b.entry) if (e.resource.resourceType === 'Patient') urns.add(e.fullUrl);
  }
  return urns;
}

function ca125(patient: string, id: string, value: number, day: number): Observation & { id: string } {
  return {
    resourceType: 'Observation', id, status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code: '10334-1', display: 'Cancer Ag 125' }], text: 'CA-125' },
    subject: { reference: patient }, effectiveDateTime: new Date(Date.UTC(2025, 0, 1 + day)).toISOString(),
    valueQuantity: { value, unit: 'U/mL', system: 'http://unitsofmeasure.org', code: 'U/mL' },
  };
}

/** A patient with `n` resources: Synthea clinical data re-pointed at it, plus a CA-125 series. */
async function seedPatient(store: ResourceStore, id: string, n: number, templates: Json[], urns: Set<string>): Promise<void> {
  const patient = `Patient/${id}`;
  const resources: Stored[] = [{ resourceType: 'Patient', id, name: [{ family: `Bench-${id}`, given: ['Twin'] }], gender: 'female' } as Stored];
  for (let i = 0; i < 20 && resources.length < n; i++) resources.push(ca125(patient, `${id}-ca125-${i}`, 40 + i * 7, i * 14));
  for (let i = 0; resources.length < n; i++) {
    const t = retarget(templates[i % templates.length], urns, patient) as Json;
    resources.push({ ...t, id: `${id}-r${i}` } as unknown as Stored);
  }
  await store.transaction((tx) => tx.createMany(ctx, resources));
}

async function timed<T>(fn: () => Promise<T>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

function line(label: string, ms: number[], target?: number): void {
  const s = summarize(ms);
  const verdict = target === undefined ? '' : `  (target < ${target} ms: ${s.p95 < target ? 'met' : 'NOT met'})`;
  console.log(`  ${label.padEnd(44)} p50 ${fmt(s.p50)} ms  p95 ${fmt(s.p95)} ms  max ${fmt(s.max)} ms  (n=${s.n})${verdict}`);
}

/** (1) Rebuild time of one large patient's twin. */
async function rebuildTimes(store: ResourceStore, validator: ReturnType<typeof createValidator>, templates: Json[], urns: Set<string>): Promise<void> {
  await seedPatient(store, 'big', RESOURCES, templates, urns);
  const validate = (c: Composition) => validator.validate(c);
  const first = await timed(() => store.transaction((tx) => rebuildTwin(tx, ctx, 'big', { now: new Date(), validate })));
  const twin = (await store.read(ctx, 'Composition', twinIdFor('big')))?.resource as Composition;
  const entries = (twin.section ?? []).reduce((n, s) => n + (s.entry?.length ?? 0), 0);
  console.log(`twin: rebuild of a patient with ${RESOURCES} resources (${entries} twin entries, ${(JSON.stringify(twin).length / 1024).toFixed(0)} KB), ${RUNS} runs, ${store.driverName}`);
  console.log(`  first build (read, assemble, validate, write)   ${fmt(first)} ms`);
  const build: number[] = [];
  const unchanged: number[] = [];
  const changed: number[] = [];
  const validation: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    build.push(await timed(() => buildTwin(store, ctx, 'big', { now: new Date() })));
    unchanged.push(await timed(() => store.transaction((tx) => rebuildTwin(tx, ctx, 'big', { now: new Date(), validate }))));
    await store.transaction((tx) => tx.create(ctx, ca125('Patient/big', `big-extra-${i}`, 100 + i, 400 + i)));
    changed.push(await timed(() => store.transaction((tx) => rebuildTwin(tx, ctx, 'big', { now: new Date(), validate }))));
    validation.push(await timed(async () => validator.validate(twin)));
  }
  line('read + assemble (buildTwin)', build);
  line('rebuild, nothing changed (no write)', unchanged, 300);
  line('rebuild after a change (validate + write)', changed, 300);
  line('of which validation', validation);
}

interface Pending { id: string; at: number }

/** Writes waiting to show up in their patient's twin, and the lags of those that did. */
function lagTracker(store: ResourceStore, ids: string[]) {
  const pending = new Map<string, Pending[]>(ids.map((id) => [id, []]));
  const lags: number[] = [];
  const check = async (patientId: string): Promise<void> => {
    const twin = (await store.read(ctx, 'Composition', twinIdFor(patientId)))?.resource as Composition | undefined;
    const entries = new Set((twin?.section ?? []).flatMap((s) => (s.entry ?? []).map((e) => e.reference)));
    const now = performance.now();
    const still: Pending[] = [];
    for (const p of pending.get(patientId) ?? []) {
      if (entries.has(`Observation/${p.id}`)) lags.push(now - p.at);
      else still.push(p);
    }
    pending.set(patientId, still);
  };
  const waiting = (): number => [...pending.values()].reduce((n, p) => n + p.length, 0);
  return { pending, lags, check, waiting };
}

/** Calls `write(n)` for n < total at `rate` per second (not waiting for each); returns the rate achieved. */
async function atRate(total: number, rate: number, write: (n: number) => Promise<void>): Promise<number> {
  const started = performance.now();
  const writes: Promise<void>[] = [];
  for (let n = 0; n < total; n++) {
    const due = started + (n * 1000) / rate;
    await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
    writes.push(write(n));
  }
  await Promise.all(writes);
  return total / ((performance.now() - started) / 1000);
}

/** (2) Lag from a committed write to a twin containing it, under RATE writes/s across PATIENTS patients. */
async function refreshLag(store: ResourceStore, templates: Json[], urns: Set<string>): Promise<void> {
  const ids = Array.from({ length: PATIENTS }, (_, i) => `lag-${i}`);
  for (const id of ids) await seedPatient(store, id, 100, templates, urns);
  for (const id of ids) await store.transaction((tx) => rebuildTwin(tx, ctx, id, { now: new Date() }));
  const track = lagTracker(store, ids);
  const rebuildMs: number[] = [];
  const checks: Promise<void>[] = [];
  const refresher = startTwinRefresher({
    store, logger: silent, clock: systemClock, owner: 'bench', workers: WORKERS, leaseMs: 30_000, pollMs: 1_000, backoffMs: 500, maxBackoffMs: 5_000,
    onJob: (job, outcome, ms) => {
      if (outcome === 'rebuilt') rebuildMs.push(ms);
      checks.push(track.check(String(job.payload.patientId)));
    },
  });
  const hook = twinOutboxHook({ registry: createSearchRegistry(), clock: systemClock, debounceMs: DEBOUNCE_MS, wake: () => refresher.wake() });
  const hookMs: number[] = [];
  const total = RATE * SECONDS;
  const achieved = await atRate(total, RATE, async (n) => {
    const patientId = ids[n % ids.length];
    const obs = ca125(`Patient/${patientId}`, `${patientId}-w${n}`, 500 + n, 500 + n);
    await store.transaction(async (tx) => {
      const stored = await tx.create(ctx, obs);
      const t = performance.now();
      await hook(tx, ctx, { kind: 'create', resourceType: 'Observation', id: obs.id, stored });
      hookMs.push(performance.now() - t);
      // the moment of commit, before any rebuild can see it
      tx.onCommit(() => track.pending.get(patientId)?.push({ id: obs.id, at: performance.now() }));
    });
  });
  const deadline = performance.now() + 60_000;
  while (track.waiting() > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  await refresher.close();
  await Promise.all(checks);
  console.log(`twin: write → updated twin, ${total} writes at ${fmt(achieved)} writes/s over ${PATIENTS} patients, debounce ${DEBOUNCE_MS} ms, ${WORKERS} workers, ${store.driverName}`);
  line('lag from commit to a twin showing the write', track.lags, 2000);
  line('rebuild job (100-resource patient)', rebuildMs);
  line('outbox hook inside the write transaction', hookMs);
  console.log(`  rebuilds: ${rebuildMs.length} for ${total} writes; writes never seen in a twin: ${track.waiting()}`);
}

export async function benchTwin(): Promise<void> {
  const db = adminUrl() ? await freshDatabase('twinfhir_bench_twin') : undefined;
  const registry = createSearchRegistry();
  const store = await openStore({ databaseUrl: db?.url, dataDir: ':memory:', poolSize: 8, statementTimeoutMs: 0 }, registry, systemClock);
  try {
    const templates = syntheaTemplates();
    const urns = patientUrns();
    await rebuildTimes(store, createValidator(), templates, urns);
    await refreshLag(store, templates, urns);
  } finally {
    await store.close();
    await db?.drop();
  }
}

if (require.main === module) {
  benchTwin().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
