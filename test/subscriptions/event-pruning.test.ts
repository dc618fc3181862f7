/**
 * Retention of recorded subscription events (both drivers, real app and receivers): pruning deletes, in
 * batches, only events that are delivered or whose subscription is off (once older than the retention) and
 * every event of a deleted Subscription; undelivered events of a live subscription survive any age; `$events`
 * for a pruned range answers 410 naming the oldest event still held, and without a lower bound starts there;
 * the background job does it on its own with the configured retention.
 */
import { SYSTEM_JOB_ACCESS } from '../../server/rest/access-requirements';
import { PRUNE_QUEUE } from '../../server/subscriptions/event-pruning';
import { driversUnderTest } from '../support/databases';
import { type Json, Receiver, type ServedApp, TOPIC, fhir, observation, param, serveApp, statusOf, subscription, waitFor } from './helpers';

jest.setTimeout(120_000);

const CODE = '7777-7';
const sub = (endpoint: string): Json => subscription({ topic: TOPIC('resource-write'), filters: [`Observation?code=${CODE}`], endpoint });

async function lastEvent(s: ServedApp, id: string): Promise<number> {
  const res = await fhir(s.base, 'GET', `Subscription/${id}/$status`);
  return Number(param(statusOf(res.body), 'events-since-subscription-start')?.valueString);
}

describe.each(driversUnderTest())('subscription event pruning on %s', (kind) => {
  const rx: Receiver[] = [];
  afterAll(async () => {
    for (const r of rx) await r.close();
  });
  const receiver = async (fail: false | 'error' = false): Promise<Receiver> => {
    const r = await new Receiver().start();
    r.fail = fail;
    rx.push(r);
    return r;
  };

  test('only delivered, off and deleted subscriptions\' events go; $events answers a pruned range clearly', async () => {
    // the job runs once at start (nothing to do) and not again during the test: pruning is called directly
    const s = await serveApp(kind, { SUBSCRIPTION_PRUNE_INTERVAL_MS: '3600000', SUBSCRIPTION_ERROR_AFTER: '1000' });
    try {
      const [okA, badB, badC, okD] = [await receiver(), await receiver('error'), await receiver('error'), await receiver()];
      const ids: string[] = [];
      for (const r of [okA, badB, badC, okD]) ids.push((await fhir(s.base, 'POST', 'Subscription', sub(r.url))).body.id as string);
      const [a, b, c, d] = ids;
      await waitFor(() => okA.ofType('handshake').length === 1 && okD.ofType('handshake').length === 1, 'handshakes');
      for (let i = 0; i < 3; i++) expect((await fhir(s.base, 'POST', 'Observation', observation(CODE))).status).toBe(201);
      await waitFor(() => okA.eventNumbers().length === 3 && okD.eventNumbers().length === 3, 'deliveries');
      const log = s.app.store.subscriptionLog;
      // The endpoint has the events before the server records their acknowledgement (it needs the answer first):
      // A's events are "delivered" for pruning only once that is committed.
      await waitFor(async () => (await log.state(a))?.deliveredUpTo === 3, 'A\'s acknowledgement recorded');
      for (const id of [b, c]) expect(await lastEvent(s, id)).toBe(3);
      const cur = (await fhir(s.base, 'GET', `Subscription/${c}`)).body;
      expect((await fhir(s.base, 'PUT', `Subscription/${c}`, { ...cur, status: 'off' })).status).toBe(200);
      expect((await fhir(s.base, 'DELETE', `Subscription/${d}`)).status).toBe(200);
      // nothing is old enough yet, but a deleted subscription's events go regardless of age
      expect(await log.pruneEvents(new Date(0), 100)).toBe(3);
      expect(await log.events(d, 0, 100, 100)).toEqual([]);
      // everything older than now: batches of 2 take A's (delivered) and C's (off) events, never B's
      let pruned = 0;
      for (let n = -1; n !== 0; pruned += n) n = await log.pruneEvents(new Date(Date.now() + 60_000), 2);
      expect(pruned).toBe(6);
      expect(await log.pruneEvents(new Date(Date.now() + 60_000), 2)).toBe(0);
      expect((await log.events(b, 0, 100, 100)).map((e) => e.eventNumber)).toEqual([1, 2, 3]);
      expect(await log.events(a, 0, 100, 100)).toEqual([]);
      expect(await log.events(c, 0, 100, 100)).toEqual([]);
      // $events on B (undelivered) still replays everything
      const replay = await fhir(s.base, 'GET', `Subscription/${b}/$events?eventsSinceNumber=1`);
      expect(replay.status).toBe(200);
      expect(replay.body.entry.length).toBeGreaterThan(1);
      // $events on A: a pruned range is a 410 naming the oldest number; no lower bound starts there
      const gone = await fhir(s.base, 'GET', `Subscription/${a}/$events?eventsSinceNumber=1`);
      expect(gone.status).toBe(410);
      expect(gone.body.resourceType).toBe('OperationOutcome');
      expect(gone.body.issue[0].diagnostics).toContain('eventsSinceNumber=4');
      const empty = await fhir(s.base, 'GET', `Subscription/${a}/$events`);
      expect(empty.status).toBe(200);
      expect(param(statusOf(empty.body), 'events-since-subscription-start')?.valueString).toBe('3');
      expect((statusOf(empty.body).parameter as Json[]).filter((p) => p.name === 'notification-event')).toEqual([]);
      expect((await fhir(s.base, 'POST', 'Observation', observation(CODE))).status).toBe(201);
      await waitFor(() => okA.eventNumbers().length === 4, 'fourth delivery');
      const fourth = await fhir(s.base, 'GET', `Subscription/${a}/$events`);
      expect(fourth.status).toBe(200);
      expect((statusOf(fourth.body).parameter as Json[]).filter((p) => p.name === 'notification-event').length).toBe(1);
      expect((await fhir(s.base, 'GET', `Subscription/${a}/$events?eventsSinceNumber=4`)).status).toBe(200);
      expect((await fhir(s.base, 'GET', `Subscription/${a}/$events?eventsSinceNumber=2&eventsUntilNumber=3`)).status).toBe(410);
      expect((await fhir(s.base, 'GET', `Subscription/${a}/$events?eventsSinceNumber=0`)).status).toBe(410);
    } finally {
      await s.close();
    }
  });

  test('the background job prunes delivered events past the retention and keeps undelivered ones', async () => {
    const s = await serveApp(kind, { SUBSCRIPTION_EVENT_RETENTION_MS: '0', SUBSCRIPTION_PRUNE_INTERVAL_MS: '200', SUBSCRIPTION_ERROR_AFTER: '1000' });
    try {
      const [ok, bad] = [await receiver(), await receiver('error')];
      const a = (await fhir(s.base, 'POST', 'Subscription', sub(ok.url))).body.id as string;
      const b = (await fhir(s.base, 'POST', 'Subscription', sub(bad.url))).body.id as string;
      await waitFor(() => ok.ofType('handshake').length === 1, 'handshake');
      for (let i = 0; i < 2; i++) expect((await fhir(s.base, 'POST', 'Observation', observation(CODE))).status).toBe(201);
      await waitFor(() => ok.eventNumbers().length === 2, 'deliveries');
      const log = s.app.store.subscriptionLog;
      await waitFor(async () => (await log.events(a, 0, 100, 100)).length === 0, 'pruning of delivered events');
      expect(await log.oldestEvent(a)).toBeNull();
      expect((await log.events(b, 0, 100, 100)).map((e) => e.eventNumber)).toEqual([1, 2]);
    } finally {
      await s.close();
    }
  });
});

test('the pruning job is declared as a system job with its scopes', () => {
  expect(SYSTEM_JOB_ACCESS[PRUNE_QUEUE]).toEqual(expect.objectContaining({ runsAs: 'system', scopes: ['system/Subscription.rd'] }));
});
