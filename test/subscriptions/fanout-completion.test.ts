/**
 * A fan-out run that drains the outbox completes its job in the statement that records the events (issue 15:
 * one statement per run less), with the same guarantee as a completion of its own: a run whose job was taken
 * over meanwhile records nothing (LeaseLostError, the transaction rolls back) and the rows stay for the holder.
 */
import type { Observation, Subscription } from 'fhir/r4';
import pino from 'pino';
import { systemContext } from '../../server/core/access-context';
import { LeaseLostError } from '../../server/core/lease-lost-error';
import type { JobLease } from '../../server/jobs/types';
import type { Job } from '../../server/store/types';
import { createSubscriptionCatalogue } from '../../server/subscriptions/catalogue';
import { FANOUT_QUEUE, createFanout } from '../../server/subscriptions/fanout';
import { type DriverKind, driversUnderTest } from '../support/databases';
import { type TestApp, startTestApp } from '../support/test-app';
import { TOPIC, observation, subscription, waitFor } from './helpers';

const ctx = systemContext('fanout-completion-test');
const SWEEP_MS = 60_000;

describe.each(driversUnderTest())('fan-out run completion (%s)', (kind: DriverKind) => {
  let app: TestApp;
  let n = 0;
  // ROLE=server: no fan-out of its own; the test runs the fan-out queue's handler by hand.
  beforeAll(async () => { app = await startTestApp(kind, { ROLE: 'server', AUDIT_ENABLED: 'false', SUBSCRIPTION_ALLOW_PRIVATE: 'true' }); });
  afterAll(async () => { await app.dispose(); });

  /** A subscription and one matching write (its outbox row); the fan-out job its commit asked for, claimed by `owner`. */
  async function writeAndClaim(owner: string, leaseMs: number): Promise<{ subId: string; job: Job }> {
    const subId = `fc-${kind}-${++n}`;
    const code = `fc-${n}`;
    const sub = subscription({ topic: TOPIC('resource-write'), filters: [`Observation?code=${code}`], endpoint: 'http://127.0.0.1:9/hook' }) as Subscription;
    await app.store.transaction((tx) => tx.create(ctx, { ...sub, id: subId }));
    await app.store.transaction((tx) => tx.create(ctx, { ...(observation(code, `fc-p-${n}`) as Observation), id: `fc-obs-${kind}-${n}` }));
    let job: Job | undefined;
    await waitFor(async () => { [job] = await app.store.jobs.claim(FANOUT_QUEUE, owner, leaseMs, 1); return job !== undefined; }, 'the requested fan-out job');
    return { subId, job: job as Job };
  }

  async function fanout(): Promise<ReturnType<typeof createFanout>> {
    const catalogue = createSubscriptionCatalogue({ registry: app.rest.registry, policy: { allowPrivate: true, allowedHosts: [] }, logger: pino({ level: 'silent' }), refreshMs: 60_000 });
    await catalogue.start(app.store);
    catalogue.close();
    return createFanout(
      { store: app.store, catalogue, registry: app.rest.registry, logger: pino({ level: 'silent' }), clock: { now: () => new Date() }, onEvents: () => undefined, wake: () => undefined },
      { workers: 1, batchSize: 100, sweepMs: SWEEP_MS, leaseMs: 30_000, coalesceMs: 0, lingerMs: 0 },
    );
  }

  /** The lease the runner would give, counting completions made through a statement of their own. */
  function leaseFor(job: Job, owner: string): { lease: JobLease; own: () => number; read: () => Date | null | undefined } {
    let own = 0;
    let read: Date | null | undefined;
    const lease: JobLease = {
      job, owner, signal: new AbortController().signal,
      complete: async (tx, then) => { own++; await tx.completeJob(job.id, owner, then); },
      completeAlone: async (then) => { own++; await app.store.jobs.complete(job.id, owner, then); },
      completedBy: () => (due) => { read = due; },
      fail: (reason) => app.store.jobs.fail(job.id, owner, reason),
      release: () => app.store.jobs.retry(job.id, owner, new Date(), 'released'),
    };
    return { lease, own: () => own, read: () => read };
  }

  test('the draining batch completes the job in its record statement; the sweep is queued and its time read', async () => {
    const { subId, job } = await writeAndClaim('a', 30_000);
    const { lease, own, read } = leaseFor(job, 'a');
    const before = Date.now();
    expect(await (await fanout()).queue().run(lease)).toBe('fanned-out');
    expect((await app.store.subscriptionLog.events(subId, 0, 100, 100)).map((e) => e.eventNumber)).toEqual([1]);
    expect(own()).toBe(0);
    // The completion's read: the sweep it queued (nothing else of the queue is waiting or running).
    const due = read();
    expect(due).toBeInstanceOf(Date);
    expect((due as Date).getTime()).toBeGreaterThanOrEqual(before + SWEEP_MS - 1_000);
    // The job is gone (completed): the only one of the queue now is the waiting sweep, not due yet.
    expect(await app.store.jobs.claim(FANOUT_QUEUE, 'b', 30_000, 10)).toEqual([]);
  });

  test('a run whose job was taken over records nothing; the holder fans the rows out', async () => {
    const { subId, job } = await writeAndClaim('slow', 1);
    // The lease ran out and another worker holds the job now.
    let taken: Job | undefined;
    await waitFor(async () => { [taken] = await app.store.jobs.claim(FANOUT_QUEUE, 'holder', 30_000, 1); return taken !== undefined; }, 'the expired job claimed again');
    const f = await fanout();
    await expect(f.queue().run(leaseFor(job, 'slow').lease)).rejects.toBeInstanceOf(LeaseLostError);
    expect(await app.store.subscriptionLog.events(subId, 0, 100, 100)).toEqual([]);
    expect(await f.queue().run(leaseFor(taken as Job, 'holder').lease)).toBe('fanned-out');
    expect((await app.store.subscriptionLog.events(subId, 0, 100, 100)).map((e) => e.eventNumber)).toEqual([1]);
  });
});
