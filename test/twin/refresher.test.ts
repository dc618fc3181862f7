/** The refresher on its own: rebuild + job completion in one transaction, retries with backoff, failure after maxAttempts. */
import type { Patient } from 'fhir/r4';
import pino from 'pino';
import { systemContext } from '../../server/core/access-context';
import { systemClock } from '../../server/core/clock';
import type { Job } from '../../server/store/types';
import { TWIN_QUEUE, enqueueTwinRefresh } from '../../server/twin/outbox-hook';
import { type TwinJobOutcome, type TwinRefresher, startTwinRefresher } from '../../server/twin/refresher';
import { driversUnderTest } from '../support/databases';
import { type TestApp, startTestApp } from '../support/test-app';
import { waitFor } from './helpers';

describe.each(driversUnderTest())('twin refresher on %s', (kind) => {
  let app: TestApp;
  const ctx = systemContext('test');
  beforeAll(async () => { app = await startTestApp(kind); });
  afterAll(async () => { await app.dispose(); });

  function start(outcomes: TwinJobOutcome[], invalid: boolean): TwinRefresher {
    return startTwinRefresher({
      store: app.store, logger: pino({ level: 'silent' }), clock: systemClock, owner: `test-${outcomes.length}-${Math.random()}`,
      workers: 2, leaseMs: 5_000, pollMs: 50, backoffMs: 20, maxBackoffMs: 100,
      rebuild: { validate: () => (invalid ? [{ severity: 'error', code: 'invariant', diagnostics: 'forced failure' }] : []) },
      onJob: (_job: Job, outcome) => outcomes.push(outcome),
    });
  }
  /** Creates a patient without the rebuild the store's outbox hook queues for it: each test queues its own jobs. */
  const created = async (patient: Patient & { id: string }): Promise<void> => app.store.transaction(async (tx) => {
    await tx.create(ctx, patient);
    await tx.cancelWaitingJobs(TWIN_QUEUE, patient.id);
  });
  const queue = async (patientId: string, maxAttempts?: number): Promise<void> =>
    app.store.transaction((tx) => enqueueTwinRefresh(tx, patientId, new Date(), maxAttempts));

  test('rebuilds once per change, completes the job, and a repeat finds nothing new', async () => {
    await created({ resourceType: 'Patient', id: 'r-1', name: [{ family: 'Queue' }] } as Patient & { id: string });
    const outcomes: TwinJobOutcome[] = [];
    const r = start(outcomes, false);
    await queue('r-1');
    r.wake();
    await waitFor(async () => (outcomes.length === 1 ? true : undefined));
    await queue('r-1');
    r.wake();
    await waitFor(async () => (outcomes.length === 2 ? true : undefined));
    await r.close();
    expect(outcomes).toEqual(['rebuilt', 'unchanged']);
    const twin = await app.store.read(ctx, 'Composition', 'twin-r-1');
    expect(twin?.versionId).toBe(1);
    expect((await app.store.jobs.depth())[TWIN_QUEUE] ?? { waiting: 0, running: 0 }).toMatchObject({ waiting: 0, running: 0 });
  });

  test('a failing rebuild is retried with backoff and fails for good after maxAttempts; nothing is written', async () => {
    await created({ resourceType: 'Patient', id: 'r-2' } as Patient & { id: string });
    const outcomes: TwinJobOutcome[] = [];
    const r = start(outcomes, true);
    await queue('r-2', 3);
    r.wake();
    await waitFor(async () => (outcomes.length === 3 ? true : undefined));
    await r.close();
    expect(outcomes).toEqual(['retry', 'retry', 'failed']);
    expect((await app.store.jobs.depth())[TWIN_QUEUE].failed).toBe(1);
    expect(await app.store.read(ctx, 'Composition', 'twin-r-2')).toBeNull();
  });

  test('a job for an unknown patient completes without a twin; close waits for work in flight', async () => {
    const outcomes: TwinJobOutcome[] = [];
    const r = start(outcomes, false);
    await queue('never-existed');
    r.wake();
    await waitFor(async () => (outcomes.length === 1 ? true : undefined));
    await r.close();
    expect(outcomes).toEqual(['unchanged']);
    expect(await app.store.read(ctx, 'Composition', 'twin-never-existed')).toBeNull();
  });
});
