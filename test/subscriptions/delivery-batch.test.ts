/**
 * Delivery batches: the claim that reads the waiting events with the lease, and the finish that records the
 * acknowledgement, completes the job and queues the continuation in one statement. For any split of events
 * into fan-out batches and any max-count, the batches are consecutive, gap-free, at most max-count, and
 * together exactly 1…n (property); a deliverer that dies mid-batch leaves the batch to the next one whole,
 * and its late finish changes nothing. A fan-out's window defers the delivery job, and later events join it;
 * served, events inside the window share notifications.
 */
import type { Observation, Subscription } from 'fhir/r4';
import fc from 'fast-check';
import pino from 'pino';
import { systemContext } from '../../server/core/access-context';
import { LeaseLostError } from '../../server/core/lease-lost-error';
import type { ResourceStore } from '../../server/store/types';
import { createSubscriptionCatalogue } from '../../server/subscriptions/catalogue';
import { batchJob } from '../../server/subscriptions/batch-delivery';
import { deliveryJob, SUBSCRIPTION_QUEUE } from '../../server/subscriptions/event-hook';
import { fanOutBatch } from '../../server/subscriptions/fanout';
import { type DriverKind, driversUnderTest } from '../support/databases';
import { type TestApp, startTestApp } from '../support/test-app';
import { Receiver, TOPIC, events, fhir, observation, serveApp, subscription, waitFor } from './helpers';

const ACCESS = { clientId: 'test', scopes: [], authDisabled: true };

/** A subscription state row, its handshake done, and `counts[i]` events recorded by the i-th fan-out batch. */
async function seed(store: ResourceStore, id: string, counts: readonly number[]): Promise<void> {
  await store.transaction((tx) => tx.subscriptionLog.register(id, ACCESS, false));
  expect(await store.subscriptionLog.claimDelivery(id, 'seed', 60_000)).not.toBeNull();
  await store.transaction((tx) => tx.subscriptionLog.delivered(id, 'seed', 0, true, true));
  for (const n of counts) {
    const events = Array.from({ length: n }, (_, i) => ({
      subscriptionId: id, topic: TOPIC('resource-write'), focusType: 'Observation', focusId: `o-${i}`, focusVersion: 1,
      action: 'create' as const, occurredAt: new Date(),
    }));
    await store.transaction((tx) => tx.subscriptionLog.recordEvents(events, [deliveryJob(id)]));
  }
}

/** Claims the subscription's waiting delivery job as `owner`. */
async function claimJob(store: ResourceStore, owner: string): Promise<{ id: string; owner: string }> {
  const [job] = await store.jobs.claim(SUBSCRIPTION_QUEUE, owner, 60_000, 1);
  expect(job).toBeDefined();
  return { id: job.id, owner };
}

describe.each(driversUnderTest())('rest-hook delivery batches (%s)', (kind: DriverKind) => {
  let app: TestApp;
  // ROLE=server: no fan-out or delivery of its own, the test is the only deliverer.
  beforeAll(async () => { app = await startTestApp(kind, { ROLE: 'server', AUDIT_ENABLED: 'false', SUBSCRIPTION_ALLOW_PRIVATE: 'true' }); });
  afterAll(async () => { await app.dispose(); });

  test('property: batches are consecutive, at most max-count, and together exactly 1…n', async () => {
    let run = 0;
    await fc.assert(fc.asyncProperty(
      fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 5 }), fc.integer({ min: 1, max: 6 }),
      async (counts, maxCount) => {
        const id = `prop-${kind}-${run++}`;
        await seed(app.store, id, counts);
        const total = counts.reduce((a, b) => a + b, 0);
        const seen: number[] = [];
        for (let round = 0; ; round++) {
          expect(round).toBeLessThanOrEqual(total); // each round delivers at least one event
          const job = await claimJob(app.store, `w${round}`);
          const claimed = await app.store.subscriptionLog.claimDeliveryBatch(id, `d${round}`, 60_000, maxCount);
          const numbers = claimed?.events.map((e) => e.eventNumber) ?? [];
          expect(numbers.length).toBeGreaterThan(0);
          expect(numbers.length).toBeLessThanOrEqual(maxCount);
          expect(numbers).toEqual(numbers.map((_, i) => seen.length + 1 + i));
          seen.push(...numbers);
          const { more } = await app.store.subscriptionLog.finishDelivery({
            subscriptionId: id, owner: `d${round}`, upTo: numbers.at(-1) ?? 0, job, continuation: deliveryJob(id),
          });
          expect(more).toBe(seen.length < total);
          if (!more) break;
        }
        expect(seen).toEqual(Array.from({ length: total }, (_, i) => i + 1));
        expect((await app.store.jobs.depth())[SUBSCRIPTION_QUEUE]?.waiting ?? 0).toBe(0); // nothing left queued
        expect((await app.store.subscriptionLog.state(id))?.deliveredUpTo).toBe(total);
      }), { numRuns: 15 });
  }, 180_000);

  test('a deliverer that dies mid-batch: the next gets the same batch whole, the late finish changes nothing', async () => {
    const id = `crash-${kind}`;
    await seed(app.store, id, [3, 2]);
    const jobA = await claimJob(app.store, 'runner-a');
    // A's lease on the subscription is over at once (as after a crash); its job lease holds.
    const a = await app.store.subscriptionLog.claimDeliveryBatch(id, 'a', 1, 4);
    expect(a?.events.map((e) => e.eventNumber)).toEqual([1, 2, 3, 4]);
    await new Promise((r) => setTimeout(r, 20));
    const b = await app.store.subscriptionLog.claimDeliveryBatch(id, 'b', 60_000, 4);
    expect(b?.events.map((e) => e.eventNumber)).toEqual([1, 2, 3, 4]);
    await expect(app.store.subscriptionLog.finishDelivery({ subscriptionId: id, owner: 'a', upTo: 4, job: jobA, continuation: deliveryJob(id) }))
      .rejects.toBeInstanceOf(LeaseLostError);
    const untouched = await app.store.subscriptionLog.state(id);
    expect(untouched?.deliveredUpTo).toBe(0);
    // B holds the subscription but not A's job: refused too, and still nothing changes.
    await expect(app.store.subscriptionLog.finishDelivery({ subscriptionId: id, owner: 'b', upTo: 4, job: { id: jobA.id, owner: 'someone-else' }, continuation: deliveryJob(id) }))
      .rejects.toBeInstanceOf(LeaseLostError);
    expect((await app.store.subscriptionLog.state(id))?.deliveredUpTo).toBe(0);
    expect(await app.store.subscriptionLog.claimDeliveryBatch(id, 'c', 60_000, 4)).toBeNull(); // B's lease holds
    const { more } = await app.store.subscriptionLog.finishDelivery({ subscriptionId: id, owner: 'b', upTo: 4, job: jobA, continuation: deliveryJob(id) });
    expect(more).toBe(true);
    const next = await claimJob(app.store, 'runner-b'); // the continuation
    const rest = await app.store.subscriptionLog.claimDeliveryBatch(id, 'b', 60_000, 4);
    expect(rest?.events.map((e) => e.eventNumber)).toEqual([5]);
    expect((await app.store.subscriptionLog.finishDelivery({ subscriptionId: id, owner: 'b', upTo: 5, job: next, continuation: deliveryJob(id) })).more).toBe(false);
    expect(await app.store.subscriptionLog.events(id, 0, 99, 99)).toHaveLength(5);
  });

  test('a fan-out with a coalescing window queues the delivery for later; a later batch joins it, keeping the earlier time', async () => {
    const ctx = systemContext('delivery-batch-test');
    const sub = subscription({ topic: TOPIC('resource-write'), filters: ['Observation?code=4545-4'], endpoint: 'http://127.0.0.1:9/hook' }) as Subscription;
    await app.store.transaction((tx) => tx.create(ctx, { ...sub, id: `window-${kind}` }));
    // The new subscription's handshake job is due at once: done here, as a deliverer would.
    for (const job of await app.store.jobs.claim(SUBSCRIPTION_QUEUE, 'handshake', 60_000, 10)) await app.store.transaction((tx) => tx.completeJob(job.id, 'handshake'));
    const catalogue = createSubscriptionCatalogue({ registry: app.rest.registry, policy: { allowPrivate: true, allowedHosts: [] }, logger: pino({ level: 'silent' }), refreshMs: 60_000 });
    let n = 0;
    const fanOut = async (deliverAt: Date): Promise<void> => {
      await app.store.transaction((tx) => tx.create(ctx, { ...(observation('4545-4') as Observation), id: `window-obs-${kind}-${n++}` }));
      const live = await catalogue.fresh(app.store);
      expect((await app.store.transaction((tx) => fanOutBatch(tx, { registry: app.rest.registry }, live, 100, deliverAt))).touched).toEqual([`window-${kind}`]);
    };
    const first = new Date(Date.now() + 60_000);
    await fanOut(first);
    await fanOut(new Date(Date.now() + 120_000));
    expect(await app.store.jobs.claim(SUBSCRIPTION_QUEUE, 'early', 60_000, 10)).toEqual([]); // not due yet
    expect((await app.store.jobs.nextDue(SUBSCRIPTION_QUEUE))?.getTime()).toBe(first.getTime());
    expect((await app.store.jobs.depth())[SUBSCRIPTION_QUEUE]?.waiting).toBe(1); // one job for both events
    expect((await app.store.subscriptionLog.state(`window-${kind}`))?.lastEvent).toBe(2);
  });

  test('before the handshake a claim carries no events', async () => {
    const id = `fresh-${kind}`;
    await app.store.transaction((tx) => tx.subscriptionLog.register(id, ACCESS, false));
    await app.store.transaction((tx) => tx.subscriptionLog.recordEvents([{
      subscriptionId: id, topic: TOPIC('resource-write'), focusType: 'Observation', focusId: 'x', focusVersion: 1, action: 'create', occurredAt: new Date(),
    }], []));
    const claimed = await app.store.subscriptionLog.claimDeliveryBatch(id, 'a', 60_000, 10);
    expect(claimed?.state).toMatchObject({ handshakeDone: false, lastEvent: 1, deliveredUpTo: 0 });
    expect(claimed?.events).toEqual([]);
  });
});

describe.each(driversUnderTest())('coalescing window (%s)', (kind: DriverKind) => {
  test('new events bring forward a pass queued far ahead (a look-again at the end of a lease held elsewhere)', async () => {
    const rx = await new Receiver().start();
    const s = await serveApp(kind);
    try {
      const res = await fhir(s.base, 'POST', 'Subscription', subscription({ topic: TOPIC('resource-write'), filters: ['Observation?code=5151-5'], endpoint: rx.url }));
      expect(res.status).toBe(201);
      await waitFor(() => rx.ofType('handshake').length === 1, 'the handshake');
      // What a pass leaves when another deliverer holds a lease: the batched job waiting until that lease ends.
      await s.app.store.transaction((tx) => tx.enqueueJob(batchJob(new Date(Date.now() + 10 * 60_000))));
      expect((await fhir(s.base, 'POST', 'Observation', observation('5151-5'))).status).toBe(201);
      await waitFor(() => rx.ofType('event-notification').length === 1, 'the event, long before the look-again', 20_000);
      expect(events(rx.ofType('event-notification')[0]).map((e) => e.number)).toEqual([1]);
    } finally {
      await s.close();
      await rx.close();
    }
  }, 60_000);

  test('events inside the window share notifications of at most max-count, numbered 1…n in order', async () => {
    const rx = await new Receiver().start();
    // A window far longer than five writes take (half of it in the fan-out, half in delivery): the first event's
    // delivery waits for the other four.
    const s = await serveApp(kind, { SUBSCRIPTION_COALESCE_MS: '8000' });
    try {
      const res = await fhir(s.base, 'POST', 'Subscription', subscription({ topic: TOPIC('resource-write'), filters: ['Observation?code=7878-7'], endpoint: rx.url, maxCount: 2 }));
      expect(res.status).toBe(201);
      await waitFor(() => rx.ofType('handshake').length === 1, 'the handshake');
      for (let i = 0; i < 5; i++) expect((await fhir(s.base, 'POST', 'Observation', observation('7878-7'))).status).toBe(201);
      await waitFor(() => rx.ofType('event-notification').reduce((n, p) => n + events(p).length, 0) >= 5, 'five events', 30_000);
      const batches = rx.ofType('event-notification').map((p) => events(p).map((e) => e.number));
      expect(batches.flat()).toEqual([1, 2, 3, 4, 5]);
      expect(batches.every((b) => b.length <= 2)).toBe(true);
      // Gathered: fewer notifications than events (the first may go alone when the periodic sweep ran the
      // fan-out right after it; the rest still share).
      expect(batches.length).toBeLessThan(5);
    } finally {
      await s.close();
      await rx.close();
    }
  }, 60_000);
});
