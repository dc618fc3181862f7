/**
 * The one job runner on its own, on every driver, with a tiny queue handler: completion in the results'
 * transaction, retries with backoff until give-up, a lost lease recognised by type, shutdown that stops a
 * long job between steps and gives it back, and shutdown during a claim that hands the claimed jobs back.
 */
import type { Basic } from 'fhir/r4';
import pino from 'pino';
import { systemContext } from '../../server/core/access-context';
import { LeaseLostError } from '../../server/core/lease-lost-error';
import { startJobRunner } from '../../server/jobs/runner';
import type { JobLease, QueueHandler } from '../../server/jobs/types';
import { driversUnderTest } from '../support/databases';
import { openTestStore, type TestStore } from '../support/test-store';
import { waitFor } from '../support/wait-for';

const ctx = systemContext('runner');
const logger = pino({ level: 'silent' });

describe.each(driversUnderTest())('job runner on %s', (kind) => {
  let t: TestStore;
  let n = 0;
  beforeAll(async () => { t = await openTestStore(kind); });
  afterAll(async () => { await t.dispose(); });

  function handler(queue: string, run: (lease: JobLease) => Promise<string>, outcomes: string[], extra: Partial<QueueHandler> = {}): QueueHandler {
    return { queue, workers: 1, leaseMs: 2_000, pollMs: 50, backoff: { baseMs: 10, maxMs: 40 }, run, onOutcome: (_j, o) => outcomes.push(o), ...extra };
  }
  const start = (h: QueueHandler) => startJobRunner({ store: t.store, logger, clock: { now: () => new Date() }, owner: `o-${++n}` }, [h]);
  const enqueue = (queue: string, maxAttempts = 5) => t.store.transaction((tx) => tx.enqueueJob({ queue, payload: { n }, maxAttempts }));

  test('a job completes in the transaction that writes its result', async () => {
    const outcomes: string[] = [];
    const runner = start(handler('done', async (lease) => {
      await t.store.transaction(async (tx) => {
        await tx.create(ctx, { resourceType: 'Basic', id: `result-${lease.job.id}`, code: { text: 'done' } } as Basic & { id: string });
        await lease.complete(tx);
      });
      return 'ok';
    }, outcomes));
    await enqueue('done');
    runner.wake('done');
    await waitFor(() => outcomes.length === 1);
    await runner.close();
    expect(outcomes).toEqual(['ok']);
    expect((await t.store.jobs.depth()).done).toBeUndefined();
  });

  test('failures retry with backoff, then give up after maxAttempts (the handler records why)', async () => {
    const outcomes: string[] = [];
    const reasons: string[] = [];
    const runner = start(handler('flaky', async () => { throw new Error('engine down'); }, outcomes, {
      giveUp: async (lease, reason) => { reasons.push(reason); await lease.fail(reason); },
    }));
    await enqueue('flaky', 3);
    runner.wake();
    await waitFor(() => outcomes.length === 3);
    await runner.close();
    expect(outcomes).toEqual(['retry', 'retry', 'failed']);
    expect(reasons).toEqual(['engine down']);
    expect((await t.store.jobs.depth()).flaky).toMatchObject({ waiting: 0, running: 0, failed: 1 });
  });

  test('completing a job another worker took over is a LeaseLostError: outcome lost, nothing written', async () => {
    const outcomes: string[] = [];
    let thrown: unknown;
    const runner = start(handler('stolen', async (lease) => {
      // the job slips away (as when a lease expires during a long pause) and another worker claims it
      await t.store.jobs.retry(lease.job.id, lease.owner, new Date(Date.now() - 1000), 'lease expired');
      expect((await t.store.jobs.claim('stolen', 'thief', 60_000, 1)).map((j) => j.id)).toEqual([lease.job.id]);
      await t.store.transaction(async (tx) => {
        await tx.create(ctx, { resourceType: 'Basic', id: 'stolen-result', code: { text: 'x' } } as Basic & { id: string });
        await lease.complete(tx).catch((err: unknown) => { thrown = err; throw err; });
      });
      return 'ok';
    }, outcomes));
    await enqueue('stolen');
    runner.wake();
    await waitFor(() => outcomes.length === 1);
    await runner.close();
    expect(outcomes).toEqual(['lost']);
    expect(thrown).toBeInstanceOf(LeaseLostError);
    expect(await t.store.read(ctx, 'Basic', 'stolen-result')).toBeNull();
  });

  test('shutdown stops a long job between steps and gives it back to run again at once', async () => {
    const outcomes: string[] = [];
    let steps = 0;
    const runner = start(handler('long', async (lease) => {
      while (!lease.signal.aborted) {
        steps++;
        await new Promise((r) => setTimeout(r, 10));
      }
      await lease.release();
      return 'paused';
    }, outcomes));
    await enqueue('long');
    runner.wake();
    await waitFor(() => steps > 3);
    await runner.close();
    expect(outcomes).toEqual(['paused']);
    expect((await t.store.jobs.depth()).long).toMatchObject({ waiting: 1, running: 0 });
    const [again] = await t.store.jobs.claim('long', 'next', 1_000, 1);
    expect(again?.attempts).toBe(2);
  });
  test('jobs claimed while the runner closes are handed back unstarted, not left running under a live lease', async () => {
    const outcomes: string[] = [];
    let open!: () => void;
    const gate = new Promise<void>((r) => { open = r; });
    let claiming = false;
    const jobs = { ...t.store.jobs, claimOrNextDue: async (...a: Parameters<typeof t.store.jobs.claimOrNextDue>) => {
      claiming = true;
      await gate;
      return t.store.jobs.claimOrNextDue(...a);
    } };
    await enqueue('late');
    const store = { jobs, transaction: t.store.transaction.bind(t.store) };
    const runner = startJobRunner({ store, logger, clock: { now: () => new Date() }, owner: `o-${++n}` }, [handler('late', async () => 'ran', outcomes)]);
    await waitFor(() => claiming);
    const closed = runner.close();
    open();
    await closed;
    expect(outcomes).toEqual([]);
    expect((await t.store.jobs.depth()).late).toMatchObject({ waiting: 1, running: 0 });
    expect(await t.store.jobs.claim('late', 'next', 1_000, 1)).toHaveLength(1);
  });
});
