/**
 * The runner after a job: its completion reads when the queue's next job is due (one statement), and the queue
 * sleeps until then instead of claiming once more only to learn it (issue 15: the claims were a third of what
 * subscriptions cost per write). A wake that came while every worker was busy still gets its claim.
 */
import pino from 'pino';
import { startJobRunner } from '../../server/jobs/runner';
import type { JobLease, QueueHandler } from '../../server/jobs/types';
import type { JobQueue } from '../../server/store/types';
import { driversUnderTest } from '../support/databases';
import { openTestStore, type TestStore } from '../support/test-store';
import { waitFor } from '../support/wait-for';

const logger = pino({ level: 'silent' });

describe.each(driversUnderTest())('job runner, next due from the completion (%s)', (kind) => {
  let t: TestStore;
  let n = 0;
  beforeAll(async () => { t = await openTestStore(kind); });
  afterAll(async () => { await t.dispose(); });

  /** The runner on a store whose claims of `queue` are counted. */
  function start(h: QueueHandler): { runner: ReturnType<typeof startJobRunner>; claims: () => number } {
    let claims = 0;
    const jobs: JobQueue = {
      ...t.store.jobs,
      claimOrNextDue: (queue, owner, leaseMs, limit) => {
        if (queue === h.queue) claims++;
        return t.store.jobs.claimOrNextDue(queue, owner, leaseMs, limit);
      },
    };
    const store = { jobs, transaction: t.store.transaction.bind(t.store) };
    return { runner: startJobRunner({ store, logger, clock: { now: () => new Date() }, owner: `o-${++n}` }, [h]), claims: () => claims };
  }
  const handler = (queue: string, run: (lease: JobLease) => Promise<string>): QueueHandler =>
    // pollMs far beyond the test: a job found in time was found through the completion's read or a wake
    ({ queue, workers: 1, leaseMs: 30_000, pollMs: 60_000, backoff: { baseMs: 10, maxMs: 40 }, run });

  test('a job that queues its next run later: one claim per run, none in between, and the next run on time', async () => {
    const runs: number[] = [];
    const queue = `next-${kind}`;
    const { runner, claims } = start(handler(queue, async (lease) => {
      runs.push(Date.now());
      const then = runs.length < 3 ? { queue, key: 'k', payload: {}, runAt: new Date(Date.now() + 300) } : undefined;
      await lease.completeAlone(then);
      return 'ok';
    }));
    await waitFor(() => claims() >= 1); // the start's claim found nothing
    const before = claims();
    await t.store.transaction((tx) => tx.enqueueJob({ queue, key: 'k', payload: {} }));
    runner.wake(queue);
    await waitFor(() => runs.length === 3);
    await runner.close();
    // Without the completion's read each run is followed by a claim that only learns when the next is due.
    expect(claims() - before).toBe(3);
    expect(runs[1] - runs[0]).toBeGreaterThanOrEqual(250);
  });

  test('a wake while the only worker is busy, after the completion read the queue, is not lost', async () => {
    const queue = `busy-${kind}`;
    let done = 0;
    let woken = false;
    const { runner } = start(handler(queue, async (lease) => {
      await lease.completeAlone();
      done++;
      if (!woken) {
        // queued and announced after this job's completion read the queue, while its worker is still busy
        woken = true;
        await t.store.transaction((tx) => tx.enqueueJob({ queue, payload: { second: true } }));
        runner.wake(queue);
      }
      return 'ok';
    }));
    await t.store.transaction((tx) => tx.enqueueJob({ queue, payload: {} }));
    runner.wake(queue);
    // Well before the 60 s poll: the missed wake was served once the worker was free.
    await waitFor(() => done === 2, 5_000);
    await runner.close();
  });
});
