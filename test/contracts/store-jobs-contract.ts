/** The job-queue half of the store contract (migration 004): leases, SKIP LOCKED claims, exactly-once completion. */
import type { Basic } from 'fhir/r4';
import { systemContext } from '../../server/core/access-context';
import { FhirError } from '../../server/core/fhir-error';
import type { ResourceStore } from '../../server/store/types';
import type { StoreContractOptions, StoreUnderTest } from './types';

const ctx = systemContext('test');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/**
 * Leases, retries and run-at times use the database clock (one clock for every server), so these
 * tests wait for real. The window must outlast a stall of a busy machine between two statements
 * (a 50 ms lease did not; 400 ms left one or two statements a window a loaded CI machine can stall past),
 * yet keep the suite quick.
 */
const LEASE_MS = 1_500;

export function jobQueueContract({ newStore }: StoreContractOptions): void {
  let t: StoreUnderTest;
  let store: ResourceStore;
  let n = 0;
  const queue = (): string => `q${++n}`;
  beforeAll(async () => {
    t = await newStore({ poolSize: 6 });
    store = t.store;
  });
  afterAll(async () => {
    await t?.dispose();
  });

  test('a job exists only if its transaction commits', async () => {
    const q = queue();
    await expect(store.transaction(async (tx) => {
      await tx.enqueueJob({ queue: q, payload: { n: 1 } });
      throw new Error('rollback');
    })).rejects.toThrow('rollback');
    expect(await store.jobs.claim(q, 'w1', 10_000, 10)).toEqual([]);
    await store.transaction((tx) => tx.enqueueJob({ queue: q, payload: { n: 2 } }));
    const [job] = await store.jobs.claim(q, 'w1', 10_000, 10);
    expect(job.payload).toEqual({ n: 2 });
    expect(job.attempts).toBe(1);
    expect(job.leaseOwner).toBe('w1');
  });

  test('one waiting job per key (debounce); a running one does not block a new waiting one', async () => {
    const q = queue();
    for (let i = 0; i < 3; i++) await store.transaction((tx) => tx.enqueueJob({ queue: q, key: 'p1', payload: { i } }));
    expect((await store.jobs.depth())[q]).toEqual({ waiting: 1, running: 0, failed: 0 });
    const [first] = await store.jobs.claim(q, 'w1', 10_000, 10);
    expect(first.payload).toEqual({ i: 0 });
    await store.transaction((tx) => tx.enqueueJob({ queue: q, key: 'p1', payload: { i: 3 } }));
    expect((await store.jobs.depth())[q]).toEqual({ waiting: 1, running: 1, failed: 0 });
    expect(await store.transaction((tx) => tx.cancelWaitingJobs(q, 'p1'))).toBe(1);
    expect((await store.jobs.depth())[q]).toEqual({ waiting: 0, running: 1, failed: 0 });
  });

  test('concurrent claimers never get the same job', async () => {
    const q = queue();
    await store.transaction(async (tx) => {
      for (let i = 0; i < 40; i++) await tx.enqueueJob({ queue: q, payload: { i } });
    });
    const claims = await Promise.all(['a', 'b', 'c', 'd'].map((w) => store.jobs.claim(q, w, 10_000, 15)));
    const ids = claims.flat().map((j) => j.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(40);
  });

  test('an expired lease is taken over; the old owner can no longer complete (its transaction rolls back)', async () => {
    const q = queue();
    await store.transaction((tx) => tx.enqueueJob({ queue: q, payload: {} }));
    const [mine] = await store.jobs.claim(q, 'crashed', LEASE_MS, 1);
    expect(await store.jobs.claim(q, 'other', 10_000, 1)).toEqual([]);
    await sleep(LEASE_MS + 100);
    const [taken] = await store.jobs.claim(q, 'other', 10_000, 1);
    expect(taken.id).toBe(mine.id);
    expect(taken.attempts).toBe(2);
    expect(await store.jobs.extendLease(mine.id, 'crashed', 10_000)).toBe(false);
    const late = store.transaction(async (tx) => {
      const basic: Basic & { id: string } = { resourceType: 'Basic', id: `late-${q}`, code: { text: 'x' } };
      await tx.create(ctx, basic);
      await tx.completeJob(mine.id, 'crashed');
    });
    await expect(late).rejects.toBeInstanceOf(FhirError);
    expect(await store.read(ctx, 'Basic', `late-${q}`)).toBeNull();
    await store.transaction((tx) => tx.completeJob(taken.id, 'other'));
    expect((await store.jobs.depth())[q]).toBeUndefined();
  });

  test('completing with a next job queues it in the same statement: once, absorbed by a waiting one of its key, never after a lost lease', async () => {
    const q = queue();
    const next = (payload: Record<string, unknown>, runAt?: Date) => ({ queue: q, key: 'k', payload, ...(runAt ? { runAt } : {}) });
    await store.transaction((tx) => tx.enqueueJob(next({ n: 1 })));
    const [first] = await store.jobs.claim(q, 'w', 10_000, 1);
    await store.transaction((tx) => tx.completeJob(first.id, 'w', next({ n: 2 })));
    const [second] = await store.jobs.claim(q, 'w', 10_000, 1);
    expect(second.payload).toEqual({ n: 2 });
    // A waiting job of the key is there already: the next one is absorbed (it keeps its own payload and time).
    await store.transaction((tx) => tx.enqueueJob(next({ n: 3 })));
    await store.transaction((tx) => tx.completeJob(second.id, 'w', next({ n: 4 }, new Date(Date.now() + 60_000))));
    expect((await store.jobs.depth())[q]).toEqual({ waiting: 1, running: 0, failed: 0 });
    const [third] = await store.jobs.claim(q, 'w', LEASE_MS, 1);
    expect(third.payload).toEqual({ n: 3 });
    await sleep(LEASE_MS + 100);
    const [taken] = await store.jobs.claim(q, 'other', 10_000, 1);
    await expect(store.transaction((tx) => tx.completeJob(third.id, 'w', next({ n: 5 })))).rejects.toBeInstanceOf(FhirError);
    expect((await store.jobs.depth())[q]).toEqual({ waiting: 0, running: 1, failed: 0 });
    await store.transaction((tx) => tx.completeJob(taken.id, 'other'));
    expect((await store.jobs.depth())[q]).toBeUndefined();
  });

  test('retry makes the job due again at retryAt; fail keeps it out of reach', async () => {
    const q = queue();
    await store.transaction((tx) => tx.enqueueJob({ queue: q, payload: {} }));
    const [job] = await store.jobs.claim(q, 'w', 10_000, 1);
    const at = new Date(Date.now() + LEASE_MS);
    await store.jobs.retry(job.id, 'w', at, 'LLM 429');
    expect(await store.jobs.claim(q, 'w', 10_000, 1)).toEqual([]);
    expect(Math.abs((await store.jobs.nextDue(q))!.getTime() - at.getTime())).toBeLessThan(5);
    await sleep(LEASE_MS + 100);
    const [again] = await store.jobs.claim(q, 'w', 10_000, 1);
    expect(again.attempts).toBe(2);
    await store.jobs.fail(again.id, 'w', 'permanent');
    expect((await store.jobs.depth())[q]).toEqual({ waiting: 0, running: 0, failed: 1 });
    await sleep(20);
    expect(await store.jobs.claim(q, 'w', 10_000, 1)).toEqual([]);
    expect(await store.jobs.nextDue(q)).toBeNull();
  });

  test('claimOrNextDue: the due jobs when there are any, otherwise when the next one is due (a waiting run_at or a lease end)', async () => {
    const q = queue();
    expect(await store.jobs.claimOrNextDue(q, 'w', 10_000, 5)).toEqual({ jobs: [], nextDue: null });
    const at = new Date(Date.now() + 60_000);
    await store.transaction(async (tx) => {
      await tx.enqueueJob({ queue: q, key: 'later', payload: { n: 'later' }, runAt: at });
      await tx.enqueueJob({ queue: q, payload: { n: 'a' } });
      await tx.enqueueJob({ queue: q, payload: { n: 'b' } });
    });
    const got = await store.jobs.claimOrNextDue(q, 'w', 10_000, 5);
    expect(got.jobs.map((j) => j.payload.n)).toEqual(['a', 'b']);
    expect(got.jobs.every((j) => j.attempts === 1 && j.leaseOwner === 'w')).toBe(true);
    expect(got.nextDue).toBeNull();
    // Nothing due: the earliest of the running jobs' lease ends and the waiting job's run_at.
    const idle = await store.jobs.claimOrNextDue(q, 'w', 10_000, 5);
    expect(idle.jobs).toEqual([]);
    expect(idle.nextDue?.getTime()).toBe(Math.min(...got.jobs.map((j) => j.leaseUntil.getTime())));
    await store.transaction(async (tx) => { for (const j of got.jobs) await tx.completeJob(j.id, 'w'); });
    expect(Math.abs((await store.jobs.claimOrNextDue(q, 'w', 10_000, 5)).nextDue!.getTime() - at.getTime())).toBeLessThan(5);
    expect(await store.jobs.nextDue(q)).toEqual((await store.jobs.claimOrNextDue(q, 'w', 10_000, 5)).nextDue);
  });

  test('debounce: runAt in the future is not claimed before it', async () => {
    const q = queue();
    await store.transaction((tx) => tx.enqueueJob({ queue: q, key: 'k', payload: {}, runAt: new Date(Date.now() + LEASE_MS) }));
    expect(await store.jobs.claim(q, 'w', 10_000, 1)).toEqual([]);
    await sleep(LEASE_MS + 100);
    expect(await store.jobs.claim(q, 'w', 10_000, 1)).toHaveLength(1);
  });
}
