/**
 * Notifications carry only what the subscription's author may read (auth on, real authorization server):
 * a patient-context author gets its patient's events only, an author without read access to the type gets
 * none (not even counted), someone else's subscription cannot be inspected, and a patient-context author gets
 * shared resources with the other patient masked.
 */
import { type SmartWorld, startSmartWorld } from '../auth/smart-setup';
import { seed } from '../auth/seed';
import { FAST_ENV, Receiver, TOPIC, events, param, statusOf, subscription, waitFor } from './helpers';

jest.setTimeout(120_000);

let w: SmartWorld;
const rx: Receiver[] = [];
beforeAll(async () => {
  w = await startSmartWorld(FAST_ENV);
  await seed(w);
});
afterAll(async () => {
  for (const r of rx) await r.close();
  await w?.close();
});

const obs = (patient: string) => ({ resourceType: 'Observation', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '6666-6' }] }, subject: { reference: `Patient/${patient}` } });

test('patient-context subscribers get their patient only; authors without read scope get nothing counted', async () => {
  const patientToken = (await w.user({ scope: 'openid fhirUser launch/patient user/Subscription.cruds patient/Observation.rs', patient: 'maria' })).access_token;
  const conditionsOnly = (await w.user({ scope: 'openid fhirUser user/Subscription.cruds user/Condition.rs' })).access_token;
  const writer = (await w.system('system/*.cruds')).access_token;
  const ids: string[] = [];
  for (const token of [patientToken, conditionsOnly]) {
    const r = await new Receiver().start();
    rx.push(r);
    const res = await w.fhir('Subscription', token, { method: 'POST', body: subscription({ topic: TOPIC('resource-write'), filters: ['Observation?code=6666-6'], endpoint: r.url }) });
    expect(res.status).toBe(201);
    ids.push(res.body.id as string);
  }
  await waitFor(() => rx.every((r) => r.ofType('handshake').length === 1), 'handshakes');
  for (const p of ['sofia', 'maria', 'sofia', 'maria']) expect((await w.fhir('Observation', writer, { method: 'POST', body: obs(p) })).status).toBe(201);
  await waitFor(() => rx[0].eventNumbers().length >= 2, 'maria events');
  await new Promise((r) => setTimeout(r, 500));
  expect(rx[0].eventNumbers()).toEqual([1, 2]);
  const focus = rx[0].ofType('event-notification').flatMap((st) => events(st).map((e) => e.focus));
  for (const f of focus) {
    const id = (f as string).split('/').pop() as string;
    const read = await w.fhir(`Observation/${id}`, writer);
    expect(read.body.subject.reference).toBe('Patient/maria');
  }
  expect(rx[1].eventNumbers()).toEqual([]);
  const status = await w.fhir(`Subscription/${ids[1]}/$status`, conditionsOnly);
  expect(status.status).toBe(200);
  expect(param(statusOf(status.body), 'events-since-subscription-start')?.valueString).toBe('0');
  // the patient's subscription is not the other user's to inspect
  expect((await w.fhir(`Subscription/${ids[0]}/$events`, writer)).status).toBe(403);
});

test('a patient-context author\'s full-resource notifications carry a shared resource with the other patient masked', async () => {
  const patientToken = (await w.user({ scope: 'openid fhirUser launch/patient user/Subscription.cruds patient/Observation.rs', patient: 'maria' })).access_token;
  const writer = (await w.system('system/*.cruds')).access_token;
  const r = await new Receiver().start();
  rx.push(r);
  const sub = subscription({ topic: TOPIC('resource-write'), filters: ['Observation?code=7777-7'], endpoint: r.url, content: 'full-resource' });
  expect((await w.fhir('Subscription', patientToken, { method: 'POST', body: sub })).status).toBe(201);
  await waitFor(() => r.ofType('handshake').length === 1, 'handshake');
  // In both compartments: Maria's subject, Sofia as performer.
  const shared = { ...obs('maria'), code: { coding: [{ system: 'http://loinc.org', code: '7777-7' }] }, performer: [{ reference: 'Patient/sofia', display: 'Sofia' }] };
  expect((await w.fhir('Observation', writer, { method: 'POST', body: shared })).status).toBe(201);
  await waitFor(() => r.eventNumbers().length >= 1, 'event');
  const bundle = r.received.map((x) => x.body).find((b) => param(statusOf(b), 'type')?.valueCode === 'event-notification');
  const focus = bundle?.entry?.slice(1).map((e: any) => e.resource) ?? [];
  expect(focus.map((f: any) => [f.resourceType, f.subject?.reference, f.meta?.security?.[0]?.code])).toEqual([['Observation', 'Patient/maria', 'MASKED']]);
  expect(JSON.stringify(bundle)).not.toMatch(/sofia/i);
});
