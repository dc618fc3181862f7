/**
 * Hostile Subscriptions and operation input: arbitrary Subscription resources, Parameters and query
 * strings get a 4xx OperationOutcome (or are accepted whole), never a 5xx; nothing half-written.
 */
import fc from 'fast-check';
import request from 'supertest';
import { driversUnderTest } from '../support/databases';
import { type TestApp, startTestApp } from '../support/test-app';
import { BP, FAST_ENV, type Json, TOPIC, subscription } from './helpers';

const FHIR = 'application/fhir+json';

const criteria = fc.oneof(fc.constantFrom(TOPIC('resource-write'), TOPIC('provisional-finding'), TOPIC('extraction-task-failed'), `${TOPIC('digital-twin-updated')}|1`), fc.string({ maxLength: 40 }), fc.anything({ maxDepth: 1 }));
const filter = fc.oneof(
  fc.constantFrom('Observation?code=1', 'Observation?_include=Observation:subject', 'Condition?patient=Patient/x', 'Observation?', 'Foo?x=1', 'Observation?code:bogus=1', 'patient=Patient/1', 'Observation?subject:Patient.name=x', 'Observation?_count=5', '?', '=&=', 'Observation?date=gt20x'),
  fc.string({ maxLength: 60 }), fc.anything({ maxDepth: 1 }),
);
const channel = fc.record({
  type: fc.oneof(fc.constantFrom('rest-hook', 'websocket', 'email', 'message'), fc.anything({ maxDepth: 1 })),
  endpoint: fc.oneof(fc.constantFrom('http://127.0.0.1:9/x', 'ftp://example.org/x', 'http://user:pw@example.org/', 'not a url', 'https://example.org/hook'), fc.anything({ maxDepth: 1 })),
  payload: fc.oneof(fc.constantFrom('application/fhir+json', 'text/plain'), fc.anything({ maxDepth: 1 })),
  header: fc.oneof(fc.array(fc.oneof(fc.constantFrom('Authorization: Bearer x', 'Host: evil', 'X: a\r\nY: b', 'no-colon'), fc.string({ maxLength: 30 })), { maxLength: 12 }), fc.anything({ maxDepth: 1 })),
  _payload: fc.oneof(fc.record({ extension: fc.array(fc.record({ url: fc.constantFrom(`${BP}/backport-payload-content`, 'x'), valueCode: fc.oneof(fc.constantFrom('empty', 'id-only', 'full-resource', 'all'), fc.anything({ maxDepth: 0 })) }), { maxLength: 2 }) }), fc.anything({ maxDepth: 1 })),
  extension: fc.oneof(fc.array(fc.record({ url: fc.constantFrom(`${BP}/backport-heartbeat-period`, `${BP}/backport-timeout`, `${BP}/backport-max-count`), valueUnsignedInt: fc.oneof(fc.integer({ min: -5, max: 1e7 }), fc.anything({ maxDepth: 0 })) }), { maxLength: 3 }), fc.anything({ maxDepth: 1 })),
}, { requiredKeys: [] });
const hostileSubscription = fc.record({
  resourceType: fc.constant('Subscription'),
  status: fc.oneof(fc.constantFrom('requested', 'active', 'off', 'error', 'bogus'), fc.anything({ maxDepth: 0 })),
  reason: fc.constant('fuzz'),
  criteria,
  _criteria: fc.oneof(fc.record({ extension: fc.array(fc.record({ url: fc.constant(`${BP}/backport-filter-criteria`), valueString: filter }), { maxLength: 25 }) }), fc.anything({ maxDepth: 1 })),
  channel,
  end: fc.oneof(fc.constantFrom('2030-01-01T00:00:00Z', 'yesterday'), fc.anything({ maxDepth: 0 })),
}, { requiredKeys: ['resourceType', 'criteria', 'channel', 'status'] });

describe.each(driversUnderTest())('hostile subscription input (%s)', (kind) => {
  let app: TestApp;
  let subId = '';
  beforeAll(async () => {
    app = await startTestApp(kind, FAST_ENV);
    const res = await request(app.http).post('/fhir/Subscription').set('Content-Type', FHIR).send(JSON.stringify(subscription({ topic: TOPIC('resource-write'), filters: ['Observation?code=1'], endpoint: 'http://127.0.0.1:9/x' })));
    expect(res.status).toBe(201);
    subId = res.body.id as string;
  });
  afterAll(async () => { await app.dispose(); });

  test('examples: each unusable Subscription is a 4xx naming the element', async () => {
    const bad: [Json, RegExp][] = [
      [subscription({ topic: 'https://example.org/unknown-topic', endpoint: 'http://127.0.0.1:9/x' }), /criteria/],
      [subscription({ topic: TOPIC('resource-write'), endpoint: 'http://127.0.0.1:9/x' }), /Type\?param=value/],
      [subscription({ topic: TOPIC('resource-write'), filters: ['Observation?_sort=date'], endpoint: 'http://127.0.0.1:9/x' }), /result control/],
      [subscription({ topic: TOPIC('resource-write'), filters: ['Observation?nonsense=1'], endpoint: 'http://127.0.0.1:9/x' }), /nonsense/],
      [subscription({ topic: TOPIC('provisional-finding'), filters: ['Patient?name=x'], endpoint: 'http://127.0.0.1:9/x' }), /not Patient/],
      [subscription({ topic: TOPIC('provisional-finding'), endpoint: 'file:///etc/passwd' }), /http or https/],
      [subscription({ topic: TOPIC('provisional-finding'), endpoint: 'http://127.0.0.1:9/x', headers: ['X: a\r\nY: b'] }), /header/],
      [{ ...subscription({ topic: TOPIC('provisional-finding'), endpoint: 'http://127.0.0.1:9/x' }), status: 'error' }, /server sets/],
    ];
    for (const [body, why] of bad) {
      const res = await request(app.http).post('/fhir/Subscription').set('Content-Type', FHIR).send(JSON.stringify(body));
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(JSON.stringify(res.body.issue)).toMatch(why);
    }
  });

  test('arbitrary Subscription resources are accepted whole or refused with a 4xx, never a 5xx', async () => {
    await fc.assert(fc.asyncProperty(hostileSubscription, async (body) => {
      const res = await request(app.http).post('/fhir/Subscription').set('Content-Type', FHIR).send(JSON.stringify(body));
      expect(res.status).toBeLessThan(500);
      if (res.status === 201) expect(res.body.resourceType).toBe('Subscription');
      else expect(res.body.resourceType).toBe('OperationOutcome');
    }), { numRuns: 60 });
  });

  test('arbitrary Parameters and query strings to $status, $events and $get-ws-binding-token are never a 5xx', async () => {
    const params = fc.record({
      resourceType: fc.oneof(fc.constant('Parameters'), fc.anything({ maxDepth: 0 })),
      parameter: fc.oneof(fc.array(fc.record({
        name: fc.oneof(fc.constantFrom('eventsSinceNumber', 'eventsUntilNumber', 'content', 'x'), fc.anything({ maxDepth: 0 })),
        valueString: fc.oneof(fc.constantFrom('1', '-1', '99999999999999999999', 'full-resource', ''), fc.anything({ maxDepth: 1 })),
        valueInteger: fc.anything({ maxDepth: 0 }),
      }, { requiredKeys: ['name'] }), { maxLength: 4 }), fc.anything({ maxDepth: 1 })),
    }, { requiredKeys: [] });
    const op = fc.constantFrom('$status', '$events', '$get-ws-binding-token');
    await fc.assert(fc.asyncProperty(op, params, async (name, body) => {
      const res = await request(app.http).post(`/fhir/Subscription/${subId}/${name}`).set('Content-Type', FHIR).send(JSON.stringify(body));
      expect(res.status).toBeLessThan(500);
    }), { numRuns: 50 });
    const query = fc.array(fc.tuple(fc.constantFrom('eventsSinceNumber', 'eventsUntilNumber', 'content', '_format', 'x'), fc.string({ maxLength: 25 })), { maxLength: 4 });
    await fc.assert(fc.asyncProperty(op, query, async (name, q) => {
      const res = await request(app.http).get(`/fhir/Subscription/${subId}/${name}`).query(new URLSearchParams(q).toString());
      expect(res.status).toBeLessThan(500);
    }), { numRuns: 50 });
  });
});
