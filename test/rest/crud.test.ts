/** read, vread, create, update, delete, history and their headers, through the real express app. */
import request from 'supertest';
import { driversUnderTest } from '../support/databases';
import { type TestApp, startTestApp } from '../support/test-app';
import { fixedClock } from '../support/test-clock';

const FHIR = 'application/fhir+json';
const patient = (family = 'Chalmers') => ({ resourceType: 'Patient', name: [{ family, given: ['Peter'] }], gender: 'male', birthDate: '1974-12-25' });

describe.each(driversUnderTest())('CRUD on %s', (kind) => {
  let app: TestApp;
  // Injected: every date the server writes is one the test chose, so date assertions are exact.
  const clock = fixedClock('2025-03-01T10:00:00Z');
  beforeAll(async () => { app = await startTestApp(kind, {}, { clock }); });
  afterAll(async () => { await app.dispose(); });
  const api = () => request(app.http);

  test('create assigns an id, version 1, Location, ETag, Last-Modified', async () => {
    const at = clock.set('2025-03-01T10:00:00Z');
    const res = await api().post('/fhir/Patient').set('Content-Type', FHIR).send({ ...patient(), id: 'ignored' });
    expect(res.status).toBe(201);
    expect(res.headers['content-type']).toMatch(/^application\/fhir\+json/);
    expect(res.body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body.meta.versionId).toBe('1');
    expect(res.headers.etag).toBe('W/"1"');
    expect(res.headers.location).toMatch(new RegExp(`/fhir/Patient/${res.body.id}/_history/1$`));
    expect(res.body.meta.lastUpdated).toBe('2025-03-01T10:00:00.000Z');
    expect(res.headers['last-modified']).toBe(at.toUTCString());
  });

  test('client-supplied id on create is ignored', async () => {
    const res = await api().post('/fhir/Patient').set('Content-Type', FHIR).send({ ...patient(), id: 'mine' });
    expect(res.status).toBe(201);
    expect(res.body.id).not.toBe('mine');
  });

  test('read returns the resource; vread a version; unknown is 404', async () => {
    const created = (await api().post('/fhir/Patient').set('Content-Type', FHIR).send(patient())).body;
    const read = await api().get(`/fhir/Patient/${created.id}`);
    expect(read.status).toBe(200);
    expect(read.body.name[0].family).toBe('Chalmers');
    expect(read.headers.etag).toBe('W/"1"');
    const v = await api().get(`/fhir/Patient/${created.id}/_history/1`);
    expect(v.status).toBe(200);
    expect(v.body.meta.versionId).toBe('1');
    expect((await api().get(`/fhir/Patient/${created.id}/_history/9`)).status).toBe(404);
    const missing = await api().get('/fhir/Patient/does-not-exist');
    expect(missing.status).toBe(404);
    expect(missing.body.resourceType).toBe('OperationOutcome');
    expect(missing.body.issue[0].code).toBe('not-found');
  });

  test('update creates version 2 and keeps version 1 readable', async () => {
    const created = (await api().post('/fhir/Patient').set('Content-Type', FHIR).send(patient())).body;
    const upd = await api().put(`/fhir/Patient/${created.id}`).set('Content-Type', FHIR).send({ ...created, gender: 'female' });
    expect(upd.status).toBe(200);
    expect(upd.body.meta.versionId).toBe('2');
    expect(upd.headers.etag).toBe('W/"2"');
    expect((await api().get(`/fhir/Patient/${created.id}/_history/1`)).body.gender).toBe('male');
    expect((await api().get(`/fhir/Patient/${created.id}`)).body.gender).toBe('female');
  });

  test('update-as-create with a client id answers 201', async () => {
    const res = await api().put('/fhir/Patient/client-chosen-1').set('Content-Type', FHIR).send({ ...patient(), id: 'client-chosen-1' });
    expect(res.status).toBe(201);
    expect(res.body.id).toBe('client-chosen-1');
    expect(res.body.meta.versionId).toBe('1');
  });

  test('update with id missing or different from the URL is 400', async () => {
    expect((await api().put('/fhir/Patient/a1').set('Content-Type', FHIR).send(patient())).status).toBe(400);
    const r = await api().put('/fhir/Patient/a1').set('Content-Type', FHIR).send({ ...patient(), id: 'b2' });
    expect(r.status).toBe(400);
    expect(r.body.issue[0].expression).toEqual(['id']);
  });

  test('If-Match: matching version updates, stale version is 412 and nothing changes', async () => {
    const created = (await api().post('/fhir/Patient').set('Content-Type', FHIR).send(patient())).body;
    const ok = await api().put(`/fhir/Patient/${created.id}`).set('Content-Type', FHIR).set('If-Match', 'W/"1"').send({ ...created, gender: 'other' });
    expect(ok.status).toBe(200);
    const stale = await api().put(`/fhir/Patient/${created.id}`).set('Content-Type', FHIR).set('If-Match', 'W/"1"').send({ ...created, gender: 'female' });
    expect(stale.status).toBe(412);
    expect(stale.body.resourceType).toBe('OperationOutcome');
    expect((await api().get(`/fhir/Patient/${created.id}`)).body.gender).toBe('other');
  });

  test('If-None-Match and If-Modified-Since give 304', async () => {
    const at = clock.set('2025-03-02T08:30:00Z');
    const created = (await api().post('/fhir/Patient').set('Content-Type', FHIR).send(patient())).body;
    expect((await api().get(`/fhir/Patient/${created.id}`).set('If-None-Match', 'W/"1"')).status).toBe(304);
    expect((await api().get(`/fhir/Patient/${created.id}`).set('If-None-Match', 'W/"7"')).status).toBe(200);
    const since = (ms: number): string => new Date(at.getTime() + ms).toUTCString();
    expect((await api().get(`/fhir/Patient/${created.id}`).set('If-Modified-Since', since(60_000))).status).toBe(304);
    expect((await api().get(`/fhir/Patient/${created.id}`).set('If-Modified-Since', since(0))).status).toBe(304);
    expect((await api().get(`/fhir/Patient/${created.id}`).set('If-Modified-Since', since(-1000))).status).toBe(200);
    expect((await api().get(`/fhir/Patient/${created.id}`).set('If-Modified-Since', since(-3_600_000))).status).toBe(200);
  });

  test('delete then read is 410; history shows the delete; delete again is fine', async () => {
    const created = (await api().post('/fhir/Patient').set('Content-Type', FHIR).send(patient())).body;
    const del = await api().delete(`/fhir/Patient/${created.id}`);
    expect(del.status).toBe(200);
    expect(del.headers.etag).toBe('W/"2"');
    const gone = await api().get(`/fhir/Patient/${created.id}`);
    expect(gone.status).toBe(410);
    expect(gone.body.issue[0].code).toBe('deleted');
    expect((await api().delete(`/fhir/Patient/${created.id}`)).status).toBe(200);
    const hist = await api().get(`/fhir/Patient/${created.id}/_history`);
    expect(hist.body.type).toBe('history');
    expect(hist.body.total).toBe(2);
    expect(hist.body.entry[0].request.method).toBe('DELETE');
    expect(hist.body.entry[0].resource).toBeUndefined();
    expect(hist.body.entry[1].resource.meta.versionId).toBe('1');
    // Re-creating a deleted resource via update continues its version sequence.
    const back = await api().put(`/fhir/Patient/${created.id}`).set('Content-Type', FHIR).send({ ...patient(), id: created.id });
    expect(back.status).toBe(201);
    expect(back.body.meta.versionId).toBe('3');
  });

  test('type and system history page with _count and _since', async () => {
    clock.set('2025-04-01T11:59:59Z'); // one second before _since: left out
    await api().post('/fhir/Organization').set('Content-Type', FHIR).send({ resourceType: 'Organization', name: 'Org before' });
    const since = '2025-04-01T12:00:00.000Z';
    for (let i = 0; i < 5; i++) {
      clock.set(new Date(Date.parse(since) + i * 1000)); // the first exactly at _since: included
      await api().post('/fhir/Organization').set('Content-Type', FHIR).send({ resourceType: 'Organization', name: `Org ${i}` });
    }
    const seen = new Set<string>();
    let url: string | undefined = `/fhir/Organization/_history?_count=2&_since=${encodeURIComponent(since)}`;
    let pages = 0;
    while (url && pages < 10) {
      const res = await api().get(url);
      expect(res.status).toBe(200);
      for (const e of res.body.entry) seen.add(e.resource.id);
      const next = res.body.link.find((l: { relation: string }) => l.relation === 'next');
      url = next ? new URL(next.url).pathname + new URL(next.url).search : undefined;
      pages++;
    }
    expect(seen.size).toBe(5);
    expect(pages).toBe(3);
    const sys = await api().get('/fhir/_history?_count=3');
    expect(sys.body.entry).toHaveLength(3);
    const tampered = await api().get('/fhir/_history?_page=abc.def');
    expect(tampered.status).toBe(400);
  });

  test('Prefer: return=minimal and return=OperationOutcome', async () => {
    const min = await api().post('/fhir/Patient').set('Content-Type', FHIR).set('Prefer', 'return=minimal').send(patient());
    expect(min.status).toBe(201);
    expect(min.text).toBe('');
    expect(min.headers.location).toBeDefined();
    const oo = await api().post('/fhir/Patient').set('Content-Type', FHIR).set('Prefer', 'return=OperationOutcome').send(patient());
    expect(oo.body.resourceType).toBe('OperationOutcome');
  });

  test('_summary, _elements, _pretty, _format', async () => {
    const created = (await api().post('/fhir/Patient').set('Content-Type', FHIR).send({ ...patient(), text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">Peter</div>' }, photo: [{ contentType: 'image/png', data: 'AAAA' }] })).body;
    const sum = await api().get(`/fhir/Patient/${created.id}?_summary=true`);
    expect(sum.body.name).toBeDefined();
    expect(sum.body.photo).toBeUndefined();
    expect(sum.body.text).toBeUndefined();
    expect(sum.body.meta.tag).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'SUBSETTED' })]));
    const el = await api().get(`/fhir/Patient/${created.id}?_elements=gender`);
    expect(el.body.gender).toBe('male');
    expect(el.body.name).toBeUndefined();
    const text = await api().get(`/fhir/Patient/${created.id}?_summary=text`);
    expect(text.body.text).toBeDefined();
    expect(text.body.birthDate).toBeUndefined();
    const pretty = await api().get(`/fhir/Patient/${created.id}?_pretty=true`);
    expect(pretty.text).toContain('\n  "resourceType"');
    expect((await api().get(`/fhir/Patient/${created.id}?_format=json`)).status).toBe(200);
    expect((await api().get(`/fhir/Patient/${created.id}?_format=xml`)).status).toBe(406);
    expect((await api().get(`/fhir/Patient/${created.id}`).set('Accept', 'application/fhir+xml')).status).toBe(406);
    expect((await api().get(`/fhir/Patient/${created.id}?_summary=bogus`)).status).toBe(400);
  });

  test('HEAD answers headers without a body', async () => {
    const created = (await api().post('/fhir/Patient').set('Content-Type', FHIR).send(patient())).body;
    const head = await api().head(`/fhir/Patient/${created.id}`);
    expect(head.status).toBe(200);
    expect(head.headers.etag).toBe('W/"1"');
    expect(head.text ?? '').toBe('');
  });
});
