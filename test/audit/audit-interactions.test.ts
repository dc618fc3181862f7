/**
 * Issue 11 §7: every FHIR request through the real express app yields exactly one AuditEvent with the
 * right BALP type, restful-interaction subtype, action, outcome and entities; none carries note text or
 * an Authorization header value.
 */
import type { AuditEvent } from 'fhir/r4';
import request from 'supertest';
import { driversUnderTest } from '../support/databases';
import type { TestApp } from '../support/test-app';
import { FHIR, type Seed, seedFindings, startReviewApp, verifyParams } from '../review/fixtures';
import { allAuditEvents, auditedBy, entityQuery, entityRefs, receivedAtLeast, subtypeCodes } from './audit-helpers';

const REST = 'http://terminology.hl7.org/CodeSystem/audit-event-type';
const DCM = 'http://dicom.nema.org/resources/ontology/DCM';

describe.each(driversUnderTest())('AuditEvent per request on %s', (kind) => {
  let app: TestApp;
  let seed: Seed;
  beforeAll(async () => {
    app = await startReviewApp(kind);
    seed = await seedFindings(app, 'aud');
  });
  afterAll(async () => { await app.dispose(); });
  const api = () => request(app.http);

  /** Sends one request and returns its single AuditEvent (fails unless exactly one was written). */
  async function one(send: () => Promise<request.Response>, status: number): Promise<AuditEvent> {
    let res: request.Response | undefined;
    const events = await auditedBy(app, async () => { res = await send(); });
    expect(res?.status).toBe(status);
    expect(events).toHaveLength(1);
    return events[0];
  }

  test('read: rest/read, action R, outcome 0, the resource and its patient', async () => {
    const e = await one(() => api().get(`/fhir/Patient/${seed.patient.id}`), 200);
    expect(e.type).toMatchObject({ system: REST, code: 'rest' });
    expect(subtypeCodes(e)).toEqual(['read']);
    expect(e.action).toBe('R');
    expect(e.outcome).toBe('0');
    expect(e.outcomeDesc).toBe('HTTP 200');
    expect(entityRefs(e)).toEqual([`Patient/${seed.patient.id}`, `Patient/${seed.patient.id}`]);
    expect(e.agent?.[0]).toMatchObject({ who: { identifier: { value: 'anonymous' } }, requestor: true });
    expect(e.agent?.[0].network?.address).toBeTruthy();
    expect(e.source.observer.display).toContain('TwinFHIR');
  });

  test('vread names the version', async () => {
    const e = await one(() => api().get(`/fhir/Condition/${seed.condition.id}/_history/1`), 200);
    expect(subtypeCodes(e)).toEqual(['vread']);
    expect(entityRefs(e)).toContain(`Condition/${seed.condition.id}/_history/1`);
  });

  test('search: DICOM 110112 Query, action E, the query in entity.query, the patient from subject=', async () => {
    const qs = `subject=Patient/${seed.patient.id}&code=http://snomed.info/sct|123`;
    const e = await one(() => api().get(`/fhir/Condition?${qs}`), 200);
    expect(e.type).toMatchObject({ system: DCM, code: '110112' });
    expect(subtypeCodes(e)).toEqual(['search-type']);
    expect(e.action).toBe('E');
    expect(entityQuery(e)).toBe(qs);
    expect(entityRefs(e)).toEqual([`Patient/${seed.patient.id}`]);
  });

  test('create, update, patch, delete: C/U/U/D with the id and version written', async () => {
    const c = await one(() => api().post('/fhir/Practitioner').set('Content-Type', FHIR).send({ resourceType: 'Practitioner', name: [{ family: 'Audit' }] }), 201);
    expect([subtypeCodes(c), c.action]).toEqual([['create'], 'C']);
    const ref = entityRefs(c)[0];
    expect(ref).toMatch(/^Practitioner\/[^/]+\/_history\/1$/);
    const id = ref.split('/')[1];
    const u = await one(() => api().put(`/fhir/Practitioner/${id}`).set('Content-Type', FHIR).send({ resourceType: 'Practitioner', id, name: [{ family: 'Audit2' }] }), 200);
    expect([subtypeCodes(u), u.action, entityRefs(u)]).toEqual([['update'], 'U', [`Practitioner/${id}/_history/2`]]);
    const p = await one(() => api().patch(`/fhir/Practitioner/${id}`).set('Content-Type', 'application/json-patch+json').send([{ op: 'add', path: '/active', value: true }]), 200);
    expect([subtypeCodes(p), p.action]).toEqual([['patch'], 'U']);
    const d = await one(() => api().delete(`/fhir/Practitioner/${id}`), 200);
    expect([subtypeCodes(d), d.action, entityRefs(d)]).toEqual([['delete'], 'D', [`Practitioner/${id}`]]);
  });

  test('history, $validate, a transaction', async () => {
    const h = await one(() => api().get(`/fhir/Condition/${seed.condition.id}/_history`), 200);
    expect([subtypeCodes(h), h.action]).toEqual([['history-instance'], 'R']);
    const v = await one(() => api().post('/fhir/Patient/$validate').set('Content-Type', FHIR).send({ resourceType: 'Patient' }), 200);
    expect([subtypeCodes(v), v.action]).toEqual([['operation', 'validate'], 'E']);
    const bundle = { resourceType: 'Bundle', type: 'transaction', entry: [{ resource: { resourceType: 'Practitioner' }, request: { method: 'POST', url: 'Practitioner' } }] };
    const t = await one(() => api().post('/fhir').set('Content-Type', FHIR).send(bundle), 200);
    expect([subtypeCodes(t), t.action, t.outcome]).toEqual([['transaction'], 'E', '0']);
  });

  test('$verify has its own subtype (findable) and action U, with the finding and the reviewer', async () => {
    const e = await one(() => api().post(`/fhir/Condition/${seed.condition.id}/$verify`).set('Content-Type', FHIR)
      .send(verifyParams('confirm', { reviewer: `Practitioner/${seed.doctor.id}` })), 200);
    expect(subtypeCodes(e)).toEqual(['operation', 'verify']);
    expect(e.action).toBe('U');
    expect(entityRefs(e)[0]).toBe(`Condition/${seed.condition.id}/_history/2`);
    const found = await api().get('/fhir/AuditEvent?subtype=https://twinfhir.org/fhir/CodeSystem/audit-operation|verify');
    expect(found.body.entry?.length ?? 0).toBeGreaterThanOrEqual(1);
  });

  test('failures: 404 → outcome 4, 422 → 4, 415 → 4, with the status', async () => {
    const nf = await one(() => api().get('/fhir/Patient/does-not-exist'), 404);
    expect([nf.outcome, nf.outcomeDesc]).toEqual(['4', 'HTTP 404']);
    const bad = await one(() => api().post('/fhir/Patient').set('Content-Type', FHIR).send({ resourceType: 'Patient', gender: 'dragon' }), 422);
    expect([bad.outcome, bad.outcomeDesc, subtypeCodes(bad)]).toEqual(['4', 'HTTP 422', ['create']]);
    const media = await one(() => api().post('/fhir/Patient').set('Content-Type', 'text/plain').send('hello'), 415);
    expect([media.outcome, media.outcomeDesc]).toEqual(['4', 'HTTP 415']);
  });

  test('no AuditEvent holds note text or an Authorization header value', async () => {
    const sentence = 'The zebra-striped lighthouse keeper denies chest pain since Tuesday';
    const token = 'Bearer sEcReT-t0ken-value-123';
    const doc = { resourceType: 'DocumentReference', status: 'current', subject: { reference: `Patient/${seed.patient.id}` },
      content: [{ attachment: { contentType: 'text/plain', data: Buffer.from(sentence).toString('base64') } }] };
    const received = app.audit?.received() ?? 0;
    const res = await api().post('/fhir/DocumentReference').set('Content-Type', FHIR).set('Authorization', token).send(doc);
    expect(res.status).toBe(201);
    await api().get(`/fhir/DocumentReference?patient=${seed.patient.id}`).set('Authorization', token);
    await receivedAtLeast(app, received + 2); // both requests' events are among those searched
    const all = JSON.stringify(await allAuditEvents(app));
    expect(all).not.toContain('zebra-striped');
    expect(all).not.toContain(Buffer.from(sentence).toString('base64').slice(0, 40));
    expect(all).not.toContain('sEcReT');
  });

  test('metrics expose the audit counters and queue depth', async () => {
    const text = (await api().get('/metrics')).text;
    expect(text).toMatch(/twinfhir_audit_events_total\{outcome="0"\} [1-9]/);
    expect(text).toMatch(/twinfhir_audit_events_total\{outcome="4"\} [1-9]/);
    expect(text).toContain('twinfhir_audit_queue_depth');
    expect(text).toMatch(/twinfhir_audit_dropped_total 0/);
  });

  test('system search, system history and a compartment `*` leave AuditEvents out; _type=AuditEvent finds them', async () => {
    expect((await allAuditEvents(app)).length).toBeGreaterThan(5);
    for (const path of ['/fhir?_count=1000', '/fhir/_history?_count=1000', `/fhir/Patient/${seed.patient.id}/*?_count=1000`]) {
      const res = await api().get(path);
      expect(res.status).toBe(200);
      expect(JSON.stringify(res.body)).not.toContain('"resourceType":"AuditEvent"');
    }
    const named = await api().get(`/fhir/Patient/${seed.patient.id}/AuditEvent?_count=5`);
    expect(named.body.entry?.length).toBeGreaterThan(0);
    const typed = await api().get('/fhir?_type=AuditEvent&_count=5');
    expect(typed.body.entry?.length).toBeGreaterThan(0);
  });

  test('$everything leaves the audit trail out although the compartment lists AuditEvent', async () => {
    await allAuditEvents(app); // flushed: events naming this patient exist
    const res = await api().get(`/fhir/Patient/${seed.patient.id}/$everything?_count=1000`);
    expect(res.status).toBe(200);
    const types = (res.body.entry ?? []).map((x: { resource: { resourceType: string } }) => x.resource.resourceType);
    expect(types).toContain('Condition');
    expect(types).not.toContain('AuditEvent');
  });
});
