/** rest-hook Subscriptions end to end: real app, real HTTP receiver; handshake, events in order, filters, payloads, failure and recovery. */
import { driversUnderTest } from '../support/databases';
import { type Json, Receiver, type ServedApp, TOPIC, events, fhir, observation, param, serveApp, statusOf, subscription, waitFor } from './helpers';

describe.each(driversUnderTest())('rest-hook subscriptions (%s)', (kind) => {
  let s: ServedApp;
  let rx: Receiver;
  beforeAll(async () => {
    s = await serveApp(kind);
  });
  afterAll(async () => {
    await s.close();
  });
  beforeEach(async () => {
    rx = await new Receiver().start();
  });
  // Each test's subscriptions are turned off after it: their receiver is gone, and endless retries against it
  // (with the tests' 200 ms backoff cap) would only compete with the next test's deliveries.
  const created: string[] = [];
  afterEach(async () => {
    for (const id of created.splice(0)) {
      const current = (await fhir(s.base, 'GET', `Subscription/${id}`)).body;
      await fhir(s.base, 'PUT', `Subscription/${id}`, { ...current, status: 'off' });
    }
    await rx.close();
  });

  async function subscribe(body: Json): Promise<string> {
    const res = await fhir(s.base, 'POST', 'Subscription', body);
    expect(res.status).toBe(201);
    const id = res.body.id as string;
    created.push(id);
    await waitFor(() => rx.ofType('handshake').length === 1, 'handshake');
    await waitFor(async () => (await fhir(s.base, 'GET', `Subscription/${id}`)).body.status === 'active', 'status active');
    return id;
  }

  test('a generic-topic subscription gets each matching write once, numbered 1, 2, 3, with its headers', async () => {
    const id = await subscribe(subscription({ topic: TOPIC('resource-write'), filters: ['Observation?code=http://loinc.org|1111-1'], endpoint: rx.url, headers: ['Authorization: Bearer secret-1'] }));
    const written: string[] = [];
    for (const code of ['1111-1', '2222-2', '1111-1', '1111-1']) {
      const res = await fhir(s.base, 'POST', 'Observation', observation(code));
      if (code === '1111-1') written.push(`Observation/${res.body.id as string}`);
    }
    await waitFor(() => rx.eventNumbers().length >= 3, 'three events');
    await new Promise((r) => setTimeout(r, 300));
    expect(rx.eventNumbers()).toEqual([1, 2, 3]);
    const focus = rx.ofType('event-notification').flatMap((st) => events(st).map((e) => e.focus?.replace(/^.*\/fhir\//, '')));
    expect(focus).toEqual(written);
    const hook = rx.received[1];
    expect(hook.headers.authorization).toBe('Bearer secret-1');
    expect(hook.headers['content-type']).toContain('application/fhir+json');
    expect(hook.body.type).toBe('history');
    expect(param(statusOf(hook.body), 'subscription')?.valueReference.reference).toMatch(new RegExp(`Subscription/${id}$`));
    expect(param(statusOf(hook.body), 'topic')?.valueCanonical).toBe(TOPIC('resource-write'));
    // id-only: the entry names the resource and carries no content
    expect(hook.body.entry[1].fullUrl).toMatch(/Observation\//);
    expect(hook.body.entry[1].resource).toBeUndefined();
  });

  test('full-resource payloads carry the version that raised the event; empty payloads carry no focus', async () => {
    await subscribe(subscription({ topic: TOPIC('resource-write'), filters: ['Patient?family=Zed'], endpoint: rx.url, content: 'full-resource' }));
    const created = await fhir(s.base, 'POST', 'Patient', { resourceType: 'Patient', name: [{ family: 'Zed', given: ['A'] }] });
    await fhir(s.base, 'PUT', `Patient/${created.body.id as string}`, { resourceType: 'Patient', id: created.body.id, name: [{ family: 'Zed', given: ['B'] }] });
    await waitFor(() => rx.eventNumbers().length >= 2, 'two events');
    const entries = rx.received.filter((r) => param(statusOf(r.body), 'type')?.valueCode === 'event-notification').flatMap((r) => (r.body.entry as Json[]).slice(1));
    expect(entries.map((e) => [e.request.method, e.resource.name[0].given[0], e.resource.meta.versionId])).toEqual([['POST', 'A', '1'], ['PUT', 'B', '2']]);
  });

  test('a failing endpoint turns the subscription to error, keeps its events, and recovers to active without loss or repeats', async () => {
    const id = await subscribe(subscription({ topic: TOPIC('resource-write'), filters: ['Observation?code=3333-3'], endpoint: rx.url }));
    rx.fail = 'error';
    await fhir(s.base, 'POST', 'Observation', observation('3333-3'));
    await waitFor(async () => (await fhir(s.base, 'GET', `Subscription/${id}`)).body.status === 'error', 'status error');
    await fhir(s.base, 'POST', 'Observation', observation('3333-3'));
    // Events are recorded by the fan-out right after the write's commit (not inside it): wait for the count.
    const statusParams = async (): Promise<Json> => ((await fhir(s.base, 'GET', `Subscription/${id}/$status`)).body.entry[0].resource as Json);
    await waitFor(async () => param(await statusParams(), 'events-since-subscription-start')?.valueString === '2', 'second event recorded');
    const st = await fhir(s.base, 'GET', `Subscription/${id}/$status`);
    expect(st.status).toBe(200);
    expect(st.body.type).toBe('searchset');
    const p = st.body.entry[0].resource as Json;
    expect(param(p, 'status')?.valueCode).toBe('error');
    expect(param(p, 'type')?.valueCode).toBe('query-status');
    expect(param(p, 'events-since-subscription-start')?.valueString).toBe('2');
    expect(param(p, 'error')?.valueCodeableConcept.text).toMatch(/503/);
    rx.fail = false;
    await waitFor(() => rx.eventNumbers().length >= 2, 'delivery after recovery');
    await waitFor(async () => (await fhir(s.base, 'GET', `Subscription/${id}`)).body.status === 'active', 'active again');
    await fhir(s.base, 'POST', 'Observation', observation('3333-3'));
    await waitFor(() => rx.eventNumbers().length >= 3, 'third event');
    await new Promise((r) => setTimeout(r, 300));
    expect(rx.eventNumbers()).toEqual([1, 2, 3]);
  });

  test('a backlog of more than nine events is delivered in number order, max-count at a time, none skipped', async () => {
    // Event numbers were once ordered as text (10 before 2): a batch cut by max-count was acknowledged up to
    // its last number and the events it left out were never sent.
    const id = await subscribe(subscription({ topic: TOPIC('resource-write'), filters: ['Observation?code=1010-1'], endpoint: rx.url, maxCount: 4 }));
    rx.fail = 'error';
    for (let i = 0; i < 23; i++) await fhir(s.base, 'POST', 'Observation', observation('1010-1'));
    await waitFor(async () => param(statusOf((await fhir(s.base, 'GET', `Subscription/${id}/$status`)).body), 'events-since-subscription-start')?.valueString === '23', '23 events recorded');
    rx.fail = false;
    await waitFor(() => rx.eventNumbers().length >= 23, 'the backlog', 30_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(rx.eventNumbers()).toEqual(Array.from({ length: 23 }, (_, i) => i + 1));
    expect(Math.max(...rx.ofType('event-notification').map((p) => events(p).length))).toBeLessThanOrEqual(4);
    const replay = await fhir(s.base, 'GET', `Subscription/${id}/$events?eventsSinceNumber=8&eventsUntilNumber=12`);
    expect(events(statusOf(replay.body)).map((e) => e.number)).toEqual([8, 9, 10, 11, 12]);
  });

  test('$events replays a range by number, with the requested content', async () => {
    const id = await subscribe(subscription({ topic: TOPIC('resource-write'), filters: ['Observation?code=4444-4'], endpoint: rx.url }));
    for (let i = 0; i < 4; i++) await fhir(s.base, 'POST', 'Observation', observation('4444-4'));
    // recorded by the fan-out just after the writes' commits
    await waitFor(async () => param(statusOf((await fhir(s.base, 'GET', `Subscription/${id}/$status`)).body), 'events-since-subscription-start')?.valueString === '4', 'four events recorded');
    const res = await fhir(s.base, 'GET', `Subscription/${id}/$events?eventsSinceNumber=2&eventsUntilNumber=3&content=full-resource`);
    expect(res.status).toBe(200);
    expect(res.body.type).toBe('history');
    const st = statusOf(res.body);
    expect(param(st, 'type')?.valueCode).toBe('query-event');
    expect(events(st).map((e) => e.number)).toEqual([2, 3]);
    expect((res.body.entry as Json[]).slice(1).map((e) => e.resource.resourceType)).toEqual(['Observation', 'Observation']);
    const post = await fhir(s.base, 'POST', `Subscription/${id}/$events`, { resourceType: 'Parameters', parameter: [{ name: 'eventsSinceNumber', valueString: '4' }] });
    expect(events(statusOf(post.body)).map((e) => e.number)).toEqual([4]);
    expect((await fhir(s.base, 'GET', `Subscription/${id}/$events?eventsSinceNumber=x`)).status).toBe(400);
    expect((await fhir(s.base, 'GET', `Subscription/${id}/$events?content=everything`)).status).toBe(400);
  });

  test('heartbeats arrive at the requested period while nothing happens', async () => {
    await subscribe(subscription({ topic: TOPIC('resource-write'), filters: ['Observation?code=0000-0'], endpoint: rx.url, heartbeatSec: 1 }));
    await waitFor(() => rx.ofType('heartbeat').length >= 2, 'two heartbeats', 8000);
    expect(rx.eventNumbers()).toEqual([]);
    expect(param(rx.ofType('heartbeat')[0], 'events-since-subscription-start')?.valueString).toBe('0');
  });

  test('a subscription turned off by its client records and sends nothing more', async () => {
    const id = await subscribe(subscription({ topic: TOPIC('resource-write'), filters: ['Observation?code=8888-8'], endpoint: rx.url }));
    await fhir(s.base, 'POST', 'Observation', observation('8888-8'));
    await waitFor(() => rx.eventNumbers().length === 1, 'first event');
    const current = (await fhir(s.base, 'GET', `Subscription/${id}`)).body;
    expect((await fhir(s.base, 'PUT', `Subscription/${id}`, { ...current, status: 'off' })).status).toBe(200);
    await fhir(s.base, 'POST', 'Observation', observation('8888-8'));
    await new Promise((r) => setTimeout(r, 500));
    expect(rx.eventNumbers()).toEqual([1]);
    const st = await fhir(s.base, 'GET', `Subscription/${id}/$status`);
    expect(param(st.body.entry[0].resource as Json, 'events-since-subscription-start')?.valueString).toBe('1');
  });

  test('a hanging endpoint slows neither writes nor another subscription', async () => {
    const dead = await new Receiver().start();
    try {
      dead.fail = 'hang';
      const deadId = (await fhir(s.base, 'POST', 'Subscription', subscription({ topic: TOPIC('resource-write'), filters: ['Observation?code=1212-1'], endpoint: dead.url }))).body.id as string;
      created.push(deadId);
      await subscribe(subscription({ topic: TOPIC('resource-write'), filters: ['Observation?code=1212-1'], endpoint: rx.url }));
      await waitFor(() => dead.hanging > 0, 'a delivery held open by the dead endpoint');
      // while that POST hangs, writes commit and the other subscription is served
      for (let i = 0; i < 5; i++) expect((await fhir(s.base, 'POST', 'Observation', observation('1212-1'))).status).toBe(201);
      await waitFor(() => rx.eventNumbers().length >= 5, 'the healthy subscription gets all five');
      expect(rx.eventNumbers()).toEqual([1, 2, 3, 4, 5]);
      expect((await fhir(s.base, 'GET', `Subscription/${deadId}`)).body.status).not.toBe('active');
    } finally {
      await dead.close();
    }
  });
});
