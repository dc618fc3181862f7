/**
 * Batched rest-hook delivery (batch-delivery.ts, store/subscription-batch.ts): for any interleaving of events
 * across many subscriptions, recorded in any split of fan-out batches and delivered by passes run at any points
 * between them, every subscription receives exactly 1…n, in order, each once (property). A deliverer that dies
 * mid-batch leaves its batch whole to the next pass, and its late finish changes nothing. A slow endpoint keeps
 * only its own subscription waiting; a failing one moves to its own job and leaves the passes. The fan-out gives
 * a subscription the shared pass job once its handshake is done, its own job before.
 */
import type { Subscription } from 'fhir/r4';
import fc from 'fast-check';
import pino from 'pino';
import { systemContext } from '../../server/core/access-context';
import { systemClock, uuidIds } from '../../server/core/clock';
import type { JobLease } from '../../server/jobs/types';
import type { ResourceStore } from '../../server/store/types';
import { BATCH_QUEUE, batchDeliveryQueue, batchJob } from '../../server/subscriptions/batch-delivery';
import { createSubscriptionCatalogue } from '../../server/subscriptions/catalogue';
import type { DeliveryDeps, DeliverySettings } from '../../server/subscriptions/delivery-queue';
import { deliveryJob, SUBSCRIPTION_QUEUE } from '../../server/subscriptions/event-hook';
import { type DriverKind, driversUnderTest } from '../support/databases';
import { type TestApp, startTestApp } from '../support/test-app';
import { type Json, Receiver, TOPIC, events, param, subscription } from './helpers';

const ctx = systemContext('batch-delivery-test');
const SETTINGS: DeliverySettings = { workers: 1, leaseMs: 30_000, pollMs: 1_000, backoff: { baseMs: 60_000, maxMs: 60_000 }, errorAfter: 3, timeoutMs: 1_500 };

/** A stored rest-hook Subscription whose handshake is done and whose own job is gone: the passes' to deliver. */
async function ready(store: ResourceStore, id: string, endpoint: string, maxCount?: number): Promise<void> {
  const sub = subscription({ topic: TOPIC('resource-write'), filters: ['Observation?code=1-1'], endpoint, ...(maxCount ? { maxCount } : {}) }) as Subscription;
  await store.transaction((tx) => tx.create(ctx, { ...sub, id }));
  expect(await store.subscriptionLog.claimDelivery(id, 'seed', 60_000)).not.toBeNull();
  await store.transaction((tx) => tx.subscriptionLog.delivered(id, 'seed', 0, true, true));
  await store.transaction((tx) => tx.cancelWaitingJobs(SUBSCRIPTION_QUEUE, `ev:${id}`));
}

/** One fan-out batch: an event for each subscription id given, in that order, routed as the fan-out routes them. */
async function record(store: ResourceStore, ids: readonly string[]): Promise<void> {
  const evs = ids.map((sid, i) => ({
    subscriptionId: sid, topic: TOPIC('resource-write'), focusType: 'Observation', focusId: `o-${i}`, focusVersion: 1, action: 'create' as const, occurredAt: new Date(),
  }));
  await store.transaction((tx) => tx.subscriptionLog.recordEvents(evs, [], {
    perSubscription: [...new Set(ids)].map((id) => ({ subscriptionId: id, job: deliveryJob(id) })), batch: batchJob(), consume: [],
  }));
}

/** Claims the waiting pass job and runs it as the runner would; false when none was waiting. */
async function runPass(store: ResourceStore, deps: DeliveryDeps, owner = 'runner', completions = { alone: 0, read: [] as (Date | null)[] }): Promise<boolean> {
  const [job] = await store.jobs.claim(BATCH_QUEUE, owner, 60_000, 1);
  if (!job) return false;
  const lease: JobLease = {
    job, owner, signal: new AbortController().signal,
    complete: async (tx, then) => { await tx.completeJob(job.id, owner, then); },
    completeAlone: async (then) => { completions.alone++; await store.jobs.complete(job.id, owner, then); },
    completedBy: () => (due) => { completions.read.push(due); },
    fail: (reason) => store.jobs.fail(job.id, owner, reason),
    release: () => store.jobs.retry(job.id, owner, new Date(), 'released'),
  };
  await batchDeliveryQueue(deps, SETTINGS).run(lease);
  return true;
}

/** Event numbers received per subscription id, in arrival order. */
function receivedBy(rx: Receiver): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const s of rx.ofType('event-notification')) {
    const id = String((param(s, 'subscription') as Json).valueReference.reference).split('/').pop() ?? '';
    out.set(id, [...(out.get(id) ?? []), ...events(s).map((e) => e.number)]);
  }
  return out;
}

describe.each(driversUnderTest())('batched rest-hook delivery (%s)', (kind: DriverKind) => {
  let app: TestApp;
  let rx: Receiver;
  let deps: DeliveryDeps;
  // ROLE=server: no runner of its own, the test runs every pass.
  beforeAll(async () => {
    app = await startTestApp(kind, { ROLE: 'server', AUDIT_ENABLED: 'false', SUBSCRIPTION_ALLOW_PRIVATE: 'true' });
    rx = await new Receiver().start();
    const policy = { allowPrivate: true, allowedHosts: [] };
    const catalogue = createSubscriptionCatalogue({ registry: app.rest.registry, policy, logger: pino({ level: 'silent' }), refreshMs: 60_000 });
    deps = { store: app.store, catalogue, registry: app.rest.registry, policy, clock: systemClock, ids: uuidIds, logger: pino({ level: 'silent' }), baseUrl: 'http://test/fhir' };
  });
  afterAll(async () => {
    await rx.close();
    await app.dispose();
  });
  beforeEach(() => { rx.received.length = 0; rx.fail = false; });

  test('property: any interleaving, any split, passes at any points — each subscription gets 1…n in order, once', async () => {
    let run = 0;
    await fc.assert(fc.asyncProperty(
      fc.integer({ min: 1, max: 6 }),
      fc.array(fc.record({ events: fc.array(fc.nat({ max: 5 }), { minLength: 1, maxLength: 12 }), passAfter: fc.boolean() }), { minLength: 1, maxLength: 6 }),
      fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
      async (subs, batches, maxCount) => {
        const ids = Array.from({ length: subs }, (_, i) => `p-${kind}-${run}-${i}`);
        run++;
        for (const id of ids) await ready(app.store, id, rx.url, maxCount);
        rx.received.length = 0;
        for (const b of batches) {
          await record(app.store, b.events.map((i) => ids[i % subs]));
          if (b.passAfter) await runPass(app.store, deps);
        }
        for (let guard = 0; await runPass(app.store, deps); guard++) expect(guard).toBeLessThan(50);
        const got = receivedBy(rx);
        for (const id of ids) {
          const n = batches.flatMap((b) => b.events).filter((i) => ids[i % subs] === id).length;
          expect(got.get(id) ?? []).toEqual(Array.from({ length: n }, (_, i) => i + 1));
          expect((await app.store.subscriptionLog.state(id))?.deliveredUpTo).toBe(n);
        }
        if (maxCount) expect(rx.ofType('event-notification').every((s) => events(s).length <= maxCount)).toBe(true);
        expect((await app.store.jobs.depth())[SUBSCRIPTION_QUEUE]?.waiting ?? 0).toBe(0); // no subscription fell back to its own job
      }), { numRuns: 12 });
  }, 300_000);

  test('a pass whose claim took less than its limit ends once the outcomes are recorded, without claiming again for nothing', async () => {
    const id = `short-${kind}`;
    await ready(app.store, id, rx.url);
    await record(app.store, [id]);
    let claims = 0;
    const log = app.store.subscriptionLog;
    const subscriptionLog = { ...log, claimDeliveries: (...a: Parameters<typeof log.claimDeliveries>) => { claims++; return log.claimDeliveries(...a); } };
    const store = Object.assign(Object.create(app.store) as ResourceStore, { subscriptionLog });
    expect(await runPass(app.store, { ...deps, store })).toBe(true);
    expect(receivedBy(rx).get(id)).toEqual([1]);
    // Events recorded after that claim come with a waiting pass job of their own; a second claim could find nothing.
    expect(claims).toBe(1);
  });

  test('the last finish of a pass completes its job in the same statement: no completion of its own, no job left', async () => {
    const id = `fold-${kind}`;
    await ready(app.store, id, rx.url);
    await record(app.store, [id]);
    const completions = { alone: 0, read: [] as (Date | null)[] };
    expect(await runPass(app.store, deps, 'runner', completions)).toBe(true);
    expect(receivedBy(rx).get(id)).toEqual([1]);
    expect(completions.alone).toBe(0);
    expect(completions.read).toHaveLength(1); // the runner learns when the queue is next due from that statement
    const depth = (await app.store.jobs.depth())[BATCH_QUEUE];
    expect((depth?.waiting ?? 0) + (depth?.running ?? 0)).toBe(0);
  });

  test('events a pass ends without (max-count) get a pass job due at once from its last finish, and the next pass sends them', async () => {
    const id = `fold-more-${kind}`;
    await ready(app.store, id, rx.url, 1);
    await record(app.store, [id, id]);
    const completions = { alone: 0, read: [] as (Date | null)[] };
    expect(await runPass(app.store, deps, 'runner', completions)).toBe(true);
    expect(receivedBy(rx).get(id)).toEqual([1]);
    expect(completions.alone).toBe(0);
    expect((await app.store.jobs.depth())[BATCH_QUEUE]?.waiting).toBe(1);
    expect(completions.read[0]?.getTime() ?? Infinity).toBeLessThanOrEqual(Date.now());
    expect(await runPass(app.store, deps)).toBe(true);
    expect(receivedBy(rx).get(id)).toEqual([1, 2]);
  });

  test('a deliverer that dies mid-batch: the next pass sends the batch whole, the late finish changes nothing', async () => {
    const [a, b] = [`dead-a-${kind}`, `dead-b-${kind}`];
    await ready(app.store, a, rx.url);
    await ready(app.store, b, rx.url);
    await record(app.store, [a, b, a]);
    // The dead deliverer's claim: its leases end at once, as after a crash; it never finishes.
    const dead = await app.store.subscriptionLog.claimDeliveries('dead', 1, 10, 10, []);
    expect(dead.claimed.map((c) => [c.state.subscriptionId, c.events.map((e) => e.eventNumber)]).sort())
      .toEqual([[a, [1, 2]], [b, [1]]].sort());
    await new Promise((r) => setTimeout(r, 20));
    expect(await runPass(app.store, deps)).toBe(true);
    expect(receivedBy(rx).get(a)).toEqual([1, 2]);
    expect(receivedBy(rx).get(b)).toEqual([1]);
    // Late: nothing of it applies (the next pass let the leases go), delivered-up-to stays, nothing is queued.
    expect(await app.store.subscriptionLog.finishDeliveries('dead', [
      { subscriptionId: a, error: 'late', after: deliveryJob(a) }, { subscriptionId: b, upTo: 0 },
    ])).toEqual([]);
    expect((await app.store.subscriptionLog.state(a))).toMatchObject({ deliveredUpTo: 2, failures: 0 });
    expect((await app.store.subscriptionLog.state(b))?.deliveredUpTo).toBe(1);
    expect((await app.store.jobs.depth())[SUBSCRIPTION_QUEUE]?.waiting ?? 0).toBe(0);
  });

  // Found by the property: a subscription answered while the pass recorded others' outcomes was claimed again by
  // that pass and its events sent twice (the claim took leases the pass held itself).
  test('a pass never claims again a subscription whose lease it holds (answered, outcome not yet recorded)', async () => {
    const id = `own-${kind}`;
    await ready(app.store, id, rx.url);
    await record(app.store, [id]);
    const first = await app.store.subscriptionLog.claimDeliveries('pass', 60_000, 10, 10, []);
    expect(first.claimed.map((c) => c.state.subscriptionId)).toContain(id);
    expect((await app.store.subscriptionLog.claimDeliveries('pass', 60_000, 10, 10, [])).claimed).toEqual([]);
    expect(await app.store.subscriptionLog.finishDeliveries('pass', [{ subscriptionId: id, upTo: 1 }])).toEqual([{ subscriptionId: id, failures: 0, more: false }]);
  });

  test('a claim held by another deliverer is left alone, and the pass looks again when that lease ends', async () => {
    const id = `held-${kind}`;
    await ready(app.store, id, rx.url);
    await record(app.store, [id]);
    // The pass must meet the lease still held: 400 ms ran out before it on a loaded machine (and with 500 ms per claim).
    expect(await app.store.subscriptionLog.claimDelivery(id, 'other', 3_000)).not.toBeNull();
    expect(await runPass(app.store, deps)).toBe(true);
    expect(receivedBy(rx).get(id)).toBeUndefined();
    const next = await app.store.jobs.nextDue(BATCH_QUEUE); // queued for the end of the other lease
    expect(next).not.toBeNull();
    await new Promise((r) => setTimeout(r, Math.max(0, (next?.getTime() ?? 0) - Date.now()) + 20));
    expect(await runPass(app.store, deps)).toBe(true);
    expect(receivedBy(rx).get(id)).toEqual([1]);
  });

  test('a slow endpoint keeps only its own subscription waiting; a failing one moves to its own job', async () => {
    const slow = await new Receiver().start();
    slow.fail = 'hang';
    try {
      const [s, f] = [`slow-${kind}`, `fast-${kind}`];
      await ready(app.store, s, slow.url);
      await ready(app.store, f, rx.url);
      await record(app.store, [s, f]);
      const pass = runPass(app.store, deps);
      await waitUntil(() => receivedBy(rx).get(f)?.length === 1);
      await record(app.store, [f]); // while the slow POST hangs, the same pass delivers this too
      await waitUntil(() => receivedBy(rx).get(f)?.length === 2);
      expect(slow.hanging).toBe(1); // delivered while the slow endpoint still held its POST
      await pass;
      const state = await app.store.subscriptionLog.state(s);
      expect(state).toMatchObject({ deliveredUpTo: 0, failures: 1 });
      expect(state?.lastError).toMatch(/no answer within/);
      expect((await app.store.jobs.depth())[SUBSCRIPTION_QUEUE]?.waiting).toBe(1); // its own retry job, with backoff
      // Failing, it is the passes' no longer: a new event queues its own job (already waiting), not a pass.
      await record(app.store, [s]);
      expect(await app.store.subscriptionLog.claimDeliveries('probe', 60_000, 10, 10, [])).toEqual({ claimed: [] });
      await app.store.transaction((tx) => tx.cancelWaitingJobs(SUBSCRIPTION_QUEUE, `ev:${s}`));
    } finally {
      await slow.close();
    }
  }, 30_000);

  test('a subscription gone or turned off is parked: passes stop taking it', async () => {
    const id = `gone-${kind}`;
    await ready(app.store, id, rx.url);
    await record(app.store, [id]);
    await app.store.transaction((tx) => tx.delete(ctx, 'Subscription', id));
    expect(await runPass(app.store, deps)).toBe(true);
    expect(receivedBy(rx).get(id)).toBeUndefined();
    expect(await app.store.subscriptionLog.claimDeliveries('probe', 60_000, 10, 10, [])).toEqual({ claimed: [] });
  });
});

async function waitUntil(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}
