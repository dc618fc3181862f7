/** batch and transaction Bundles at POST /fhir. */
import request from 'supertest';
import { driversUnderTest } from '../support/databases';
import { type TestApp, startTestApp } from '../support/test-app';

const FHIR = 'application/fhir+json';

describe.each(driversUnderTest())('bundles on %s', (kind) => {
  let app: TestApp;
  beforeAll(async () => { app = await startTestApp(kind, { MAX_BUNDLE_ENTRIES: '50' }); });
  afterAll(async () => { await app.dispose(); });
  const api = () => request(app.http);
  const post = (bundle: object, prefer?: string) => {
    const r = api().post('/fhir').set('Content-Type', FHIR);
    if (prefer) r.set('Prefer', prefer);
    return r.send(bundle);
  };

  test('transaction resolves urn:uuid references everywhere and answers per entry', async () => {
    const pUrn = 'urn:uuid:3f6b1d2e-0000-4000-8000-000000000001';
    const eUrn = 'urn:uuid:3f6b1d2e-0000-4000-8000-000000000002';
    const res = await post({
      resourceType: 'Bundle', type: 'transaction', entry: [
        { fullUrl: eUrn, resource: { resourceType: 'Encounter', status: 'finished', class: { code: 'AMB' }, subject: { reference: pUrn } }, request: { method: 'POST', url: 'Encounter' } },
        { fullUrl: pUrn, resource: { resourceType: 'Patient', identifier: [{ system: 'urn:test:mrn', value: 'TX-1' }], text: { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml"><a href="${eUrn}">enc</a></div>` } }, request: { method: 'POST', url: 'Patient' } },
        { resource: { resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: pUrn }, encounter: { reference: eUrn }, focus: [{ reference: eUrn }] }, request: { method: 'POST', url: 'Observation' } },
      ],
    });
    expect(res.body.issue).toBeUndefined();
    expect(res.status).toBe(200);
    expect(res.body.type).toBe('transaction-response');
    expect(res.body.entry).toHaveLength(3);
    for (const e of res.body.entry) {
      expect(e.response.status).toMatch(/^201/);
      expect(e.response.etag).toBe('W/"1"');
    }
    const patientId = res.body.entry[1].response.location.split('/')[5];
    const encounterId = res.body.entry[0].response.location.split('/')[5];
    const obsLoc = new URL(res.body.entry[2].response.location).pathname.replace(/\/_history\/1$/, '');
    const obs = (await api().get(obsLoc)).body;
    expect(obs.subject.reference).toBe(`Patient/${patientId}`);
    expect(obs.encounter.reference).toBe(`Encounter/${encounterId}`);
    expect(obs.focus[0].reference).toBe(`Encounter/${encounterId}`);
    const pat = (await api().get(`/fhir/Patient/${patientId}`)).body;
    expect(pat.text.div).toContain(`href="Encounter/${encounterId}"`);
  });

  test('a transaction whose last entry fails leaves nothing behind', async () => {
    const before = (await api().get('/fhir/Practitioner/_history')).body.entry.length;
    const res = await post({
      resourceType: 'Bundle', type: 'transaction', entry: [
        { resource: { resourceType: 'Practitioner', name: [{ family: 'Good' }] }, request: { method: 'POST', url: 'Practitioner' } },
        { resource: { resourceType: 'Practitioner', name: [{ family: 'Good2' }] }, request: { method: 'POST', url: 'Practitioner' } },
        { resource: { resourceType: 'Practitioner', gender: 99 }, request: { method: 'POST', url: 'Practitioner' } },
      ],
    });
    expect(res.status).toBe(422);
    expect(res.body.resourceType).toBe('OperationOutcome');
    expect(res.body.issue[0].diagnostics).toMatch(/^Bundle\.entry\[2\]/);
    expect(res.body.issue[0].expression[0]).toMatch(/^Bundle\.entry\[2\]/);
    expect((await api().get('/fhir/Practitioner/_history')).body.entry.length).toBe(before);
  });

  test('transaction processes DELETE before POST before PUT before GET', async () => {
    const existing = (await api().post('/fhir/Organization').set('Content-Type', FHIR).send({ resourceType: 'Organization', name: 'Old' })).body;
    const res = await post({
      resourceType: 'Bundle', type: 'transaction', entry: [
        { request: { method: 'GET', url: `Organization/${existing.id}/_history` } },
        { resource: { resourceType: 'Organization', id: 'tx-org', name: 'Put' }, request: { method: 'PUT', url: 'Organization/tx-org' } },
        { resource: { resourceType: 'Organization', name: 'New' }, request: { method: 'POST', url: 'Organization' } },
        { request: { method: 'DELETE', url: `Organization/${existing.id}` } },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body.entry[0].response.status).toMatch(/^200/);
    // GET ran last, so it sees the delete.
    expect(res.body.entry[0].resource.entry[0].request.method).toBe('DELETE');
    expect(res.body.entry[1].response.status).toMatch(/^201/);
    expect(res.body.entry[2].response.status).toMatch(/^201/);
    expect(res.body.entry[3].response.status).toMatch(/^200/);
  });

  test('the same resource twice in a transaction is rejected', async () => {
    const res = await post({
      resourceType: 'Bundle', type: 'transaction', entry: [
        { resource: { resourceType: 'Organization', id: 'dup', name: 'a' }, request: { method: 'PUT', url: 'Organization/dup' } },
        { resource: { resourceType: 'Organization', id: 'dup', name: 'b' }, request: { method: 'PUT', url: 'Organization/dup' } },
      ],
    });
    expect(res.status).toBe(400);
    expect((await api().get('/fhir/Organization/dup')).status).toBe(404);
  });

  test('an unresolvable urn:uuid reference fails the transaction', async () => {
    const res = await post({
      resourceType: 'Bundle', type: 'transaction', entry: [
        { resource: { resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: 'urn:uuid:00000000-0000-4000-8000-00000000dead' } }, request: { method: 'POST', url: 'Observation' } },
      ],
    });
    expect(res.status).toBe(400);
    expect(res.body.issue[0].expression[0]).toContain('subject.reference');
  });

  test('batch: entries are independent, failures reported per entry', async () => {
    const res = await post({
      resourceType: 'Bundle', type: 'batch', entry: [
        { resource: { resourceType: 'Device', status: 'active' }, request: { method: 'POST', url: 'Device' } },
        { resource: { resourceType: 'Device', status: 'not-a-status' }, request: { method: 'POST', url: 'Device' } },
        { request: { method: 'GET', url: 'Device/nope' } },
        { request: { method: 'GET', url: 'metadata' } },
        { request: { method: 'FETCH', url: 'Device' } },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body.type).toBe('batch-response');
    const statuses = res.body.entry.map((e: { response: { status: string } }) => e.response.status.slice(0, 3));
    expect(statuses).toEqual(['201', '422', '404', '200', '400']);
    expect(res.body.entry[1].response.outcome.resourceType).toBe('OperationOutcome');
    expect(res.body.entry[3].resource.resourceType).toBe('CapabilityStatement');
  });

  test('Prefer: return=representation puts resources in the response', async () => {
    const res = await post({ resourceType: 'Bundle', type: 'transaction', entry: [{ resource: { resourceType: 'Device', status: 'active' }, request: { method: 'POST', url: 'Device' } }] }, 'return=representation');
    expect(res.body.entry[0].resource.resourceType).toBe('Device');
  });

  test('too many entries is 413 with a clear message; wrong bundle type is 400', async () => {
    const entry = Array.from({ length: 51 }, () => ({ resource: { resourceType: 'Device' }, request: { method: 'POST', url: 'Device' } }));
    const res = await post({ resourceType: 'Bundle', type: 'batch', entry });
    expect(res.status).toBe(413);
    expect(res.body.issue[0].diagnostics).toMatch(/at most 50/);
    expect((await post({ resourceType: 'Bundle', type: 'collection', entry: [] })).status).toBe(400);
    expect((await post({ resourceType: 'Patient' })).status).toBe(400);
  });
});
