/**
 * Each shipped SubscriptionTopic fires exactly once per event, numbered 1, 2, 3 … per subscription:
 * provisional finding for a patient (filtered), finding reviewed ($verify), Digital Twin updated ($twin),
 * extraction Task failed (only on the change to failed). The topics are published as Basic resources.
 */
import { driversUnderTest } from '../support/databases';
import { provisionalCa125, provisionalCondition } from '../twin/helpers';
import { type Json, Receiver, type ServedApp, TOPIC, TWIN_CS, events, fhir, serveApp, subscription, waitFor } from './helpers';

const finding = (type: 'Condition' | 'Observation', patient: string, doc: string): Json =>
  (type === 'Condition' ? provisionalCondition(patient, doc) : provisionalCa125(patient, doc));

describe.each(driversUnderTest())('shipped topics (%s)', (kind) => {
  let s: ServedApp;
  const rx: Record<string, Receiver> = {};
  const created = async (body: Json): Promise<string> => {
    const res = await fhir(s.base, 'POST', body.resourceType as string, body);
    if (res.status !== 201) throw new Error(`${body.resourceType as string}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.id as string;
  };
  let pA = '';
  let pB = '';

  beforeAll(async () => {
    s = await serveApp(kind);
    pA = await created({ resourceType: 'Patient', name: [{ family: 'A' }] });
    pB = await created({ resourceType: 'Patient', name: [{ family: 'B' }] });
    const subs: [string, string[]][] = [
      ['provisional-finding', [`Condition?patient=Patient/${pA}`, `Observation?patient=Patient/${pA}`]],
      ['finding-reviewed', []], ['digital-twin-updated', [`Composition?subject=Patient/${pA}`]], ['extraction-task-failed', []],
    ];
    for (const [topic, filters] of subs) {
      rx[topic] = await new Receiver().start();
      expect((await fhir(s.base, 'POST', 'Subscription', subscription({ topic: TOPIC(topic), filters, endpoint: rx[topic].url }))).status).toBe(201);
    }
    await waitFor(() => Object.values(rx).every((r) => r.ofType('handshake').length === 1), 'handshakes');
  });
  afterAll(async () => {
    for (const r of Object.values(rx)) await r.close();
    await s.close();
  });

  const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 500));

  test('the topics are published as R4 Basic resources with the R5 SubscriptionTopic extensions', async () => {
    const res = await fhir(s.base, 'GET', 'Basic?code=http://hl7.org/fhir/fhir-types|SubscriptionTopic');
    const urls = (res.body.entry as Json[]).map((e) => (e.resource.extension as Json[]).find((x) => (x.url as string).endsWith('SubscriptionTopic.url'))?.valueUri);
    expect(urls.sort()).toEqual(['digital-twin-updated', 'extraction-task-failed', 'finding-reviewed', 'provisional-finding', 'resource-write'].map(TOPIC));
  });

  test('provisional findings, their review, the twin and a failed Task each raise exactly their events', async () => {
    const doc = await created({ resourceType: 'DocumentReference', status: 'current', subject: { reference: `Patient/${pA}` }, content: [{ attachment: { contentType: 'text/plain', data: Buffer.from('note').toString('base64') } }] });
    const cond = await created(finding('Condition', pA, doc));
    const obs = await created(finding('Observation', pA, doc));
    await created(finding('Condition', pB, doc));
    await waitFor(() => rx['provisional-finding'].eventNumbers().length >= 2, 'provisional events');
    const reviewer = await created({ resourceType: 'Practitioner', name: [{ family: 'Reviewer' }] });
    for (const [type, id, decision] of [['Condition', cond, 'confirm'], ['Observation', obs, 'refute']]) {
      const res = await fhir(s.base, 'POST', `${type}/${id}/$verify`, { resourceType: 'Parameters', parameter: [{ name: 'decision', valueCode: decision }, { name: 'reviewer', valueReference: { reference: `Practitioner/${reviewer}` } }] });
      expect(res.status).toBe(200);
    }
    expect((await fhir(s.base, 'POST', `Patient/${pA}/$twin`, { resourceType: 'Parameters' })).status).toBe(200);
    expect((await fhir(s.base, 'POST', `Patient/${pB}/$twin`, { resourceType: 'Parameters' })).status).toBe(200);
    const task = { resourceType: 'Task', status: 'in-progress', intent: 'order', code: { coding: [{ system: TWIN_CS, code: 'extract' }] }, focus: { reference: `DocumentReference/${doc}` } };
    const taskId = await created(task);
    await fhir(s.base, 'PUT', `Task/${taskId}`, { ...task, id: taskId, status: 'failed', statusReason: { text: 'engine down' } });
    await fhir(s.base, 'PUT', `Task/${taskId}`, { ...task, id: taskId, status: 'failed', statusReason: { text: 'still down' } });
    await waitFor(() => rx['extraction-task-failed'].eventNumbers().length >= 1 && rx['finding-reviewed'].eventNumbers().length >= 2 && rx['digital-twin-updated'].eventNumbers().length >= 1, 'events');
    await settle();
    const focusOf = (topic: string): string[] => rx[topic].ofType('event-notification').flatMap((st) => events(st).map((e) => (e.focus ?? '').replace(/^.*\/fhir\//, '')));
    expect(rx['provisional-finding'].eventNumbers()).toEqual([1, 2]);
    expect(focusOf('provisional-finding')).toEqual([`Condition/${cond}`, `Observation/${obs}`]);
    expect(rx['finding-reviewed'].eventNumbers()).toEqual([1, 2]);
    expect(focusOf('finding-reviewed')).toEqual([`Condition/${cond}`, `Observation/${obs}`]);
    expect(rx['digital-twin-updated'].eventNumbers()).toEqual([1]);
    expect(focusOf('digital-twin-updated')).toEqual([`Composition/twin-${pA}`]);
    expect(rx['extraction-task-failed'].eventNumbers()).toEqual([1]);
    expect(focusOf('extraction-task-failed')).toEqual([`Task/${taskId}`]);
  });
});
