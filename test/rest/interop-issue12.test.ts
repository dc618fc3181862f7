/**
 * Interoperability defects of issue 12, each with its reproducer, on both drivers: relative
 * references against a RESTful fullUrl, PUT + If-None-Match, Location?near, the searchset self
 * link, and Binary in its native content type (both directions, read by $extract too).
 */
import type { Bundle, Condition, Observation, Resource } from 'fhir/r4';
import request from 'supertest';
import { driversUnderTest } from '../support/databases';
import { type TestApp, startTestApp } from '../support/test-app';

const FHIR = 'application/fhir+json';

interface Link { relation: string; url: string }

/** Collects a response body as raw bytes whatever its content type. */
function rawBytes(res: request.Response, cb: (err: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
}

describe.each(driversUnderTest())('issue 12 interoperability on %s', (kind) => {
  let app: TestApp;
  beforeAll(async () => { app = await startTestApp(kind); });
  afterAll(async () => { await app.dispose(); });
  const put = (path: string, body: object) => request(app.http).put(`/fhir/${path}`).set('Content-Type', FHIR).send(body);
  const get = (path: string) => request(app.http).get(`/fhir/${path}`);

  test('a relative reference resolves against the entry fullUrl and is rewritten to the new id', async () => {
    // An unrelated Patient/0 of our own must not be what the observation ends up pointing at.
    expect((await put('Patient/0', { resourceType: 'Patient', id: '0', name: [{ family: 'Unrelated' }] })).status).toBeLessThan(300);
    const bundle = {
      resourceType: 'Bundle', type: 'transaction', entry: [
        { fullUrl: 'http://example.com/fhir/Patient/0', resource: { resourceType: 'Patient', name: [{ family: 'Sent' }] }, request: { method: 'POST', url: 'Patient' } },
        {
          fullUrl: 'http://example.com/fhir/Observation/1',
          resource: { resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: 'Patient/0' } },
          request: { method: 'POST', url: 'Observation' },
        },
        // A relative reference in an entry with a urn:uuid fullUrl is left as it is (not RESTful).
        { fullUrl: 'urn:uuid:0b6e2f6e-4a4e-4c7a-9a55-8e2f3c1a2b3c', resource: { resourceType: 'Observation', status: 'final', code: { text: 'y' }, subject: { reference: 'Patient/0' } }, request: { method: 'POST', url: 'Observation' } },
      ],
    };
    const res = await request(app.http).post('/fhir').set('Content-Type', FHIR).set('Prefer', 'return=representation').send(bundle);
    expect(res.status).toBe(200);
    const [patient, obs, other] = (res.body as Bundle).entry?.map((e) => e.resource as Resource) ?? [];
    expect(patient.id).not.toBe('0');
    expect((obs as Observation).subject?.reference).toBe(`Patient/${patient.id}`);
    expect((other as Observation).subject?.reference).toBe('Patient/0');
  });

  test('an absolute reference equal to another entry fullUrl is rewritten as well', async () => {
    const bundle = {
      resourceType: 'Bundle', type: 'transaction', entry: [
        { fullUrl: 'http://example.org/fhir/Patient/abc', resource: { resourceType: 'Patient' }, request: { method: 'POST', url: 'Patient' } },
        { resource: { resourceType: 'Observation', status: 'final', code: { text: 'z' }, subject: { reference: 'http://example.org/fhir/Patient/abc' } }, request: { method: 'POST', url: 'Observation' } },
      ],
    };
    const res = await request(app.http).post('/fhir').set('Content-Type', FHIR).set('Prefer', 'return=representation').send(bundle);
    expect(res.status).toBe(200);
    const [patient, obs] = (res.body as Bundle).entry?.map((e) => e.resource as Resource) ?? [];
    expect((obs as Observation).subject?.reference).toBe(`Patient/${patient.id}`);
  });

  test('PUT with If-None-Match: * creates when absent and answers 412 when the resource exists', async () => {
    const body = { resourceType: 'Patient', id: 'inm-1', gender: 'female' };
    const first = await put('Patient/inm-1', body).set('If-None-Match', '*');
    expect(first.status).toBe(201);
    const second = await put('Patient/inm-1', { ...body, gender: 'male' }).set('If-None-Match', '*');
    expect(second.status).toBe(412);
    expect(second.body.resourceType).toBe('OperationOutcome');
    expect((await get('Patient/inm-1')).body.gender).toBe('female');
    // A list of ETags: 412 only when the current version is one of them.
    expect((await put('Patient/inm-1', body).set('If-None-Match', 'W/"1"')).status).toBe(412);
    expect((await put('Patient/inm-1', body).set('If-None-Match', 'W/"7"')).status).toBe(200);
    // The same in a transaction entry.
    const tx = await request(app.http).post('/fhir').set('Content-Type', FHIR).send({
      resourceType: 'Bundle', type: 'transaction', entry: [{ resource: body, request: { method: 'PUT', url: 'Patient/inm-1', ifNoneMatch: '*' } }],
    });
    expect(tx.status).toBe(412);
  });

  test('Location?near finds positions within the distance (bounding box + great circle)', async () => {
    const places: [string, number, number][] = [['ams', 52.3676, 4.9041], ['utr', 52.0907, 5.1214], ['par', 48.8566, 2.3522], ['fiji', -17.7134, 178.065], ['samoa', -13.759, -172.1046]];
    for (const [id, latitude, longitude] of places) {
      expect((await put(`Location/${id}`, { resourceType: 'Location', id, position: { latitude, longitude } })).status).toBeLessThan(300);
    }
    const near = async (q: string): Promise<string[]> => {
      const res = await get(`Location?near=${encodeURIComponent(q)}`);
      expect(res.status).toBe(200);
      return ((res.body as Bundle).entry ?? []).map((e) => e.resource?.id ?? '').sort();
    };
    expect(await near('52.3676|4.9041|5|km')).toEqual(['ams']);
    // Amsterdam–Utrecht is about 35 km, Amsterdam–Paris about 430 km.
    expect(await near('52.3676|4.9041|40|km')).toEqual(['ams', 'utr']);
    expect(await near('52.3676|4.9041|30|km')).toEqual(['ams']);
    expect(await near('52.3676|4.9041|440000|m')).toEqual(['ams', 'par', 'utr']);
    expect(await near('52.3676|4.9041|250|[mi_i]')).toEqual(['ams', 'utr']);
    // Across the antimeridian: Fiji and Samoa are about 1,100 km apart.
    expect(await near('-17.7134|178.065|1200|km')).toEqual(['fiji', 'samoa']);
    expect(await near('-17.7134|178.065|1000|km')).toEqual(['fiji']);
    for (const bad of ['91|0', 'a|b', '1|2|3|kg', '1|2|-3', '1']) {
      const res = await get(`Location?near=${encodeURIComponent(bad)}`);
      expect(res.status).toBe(400);
      expect(res.body.issue[0].expression).toEqual(['near']);
    }
    const cs = await get('metadata');
    const loc = cs.body.rest[0].resource.find((r: { type: string }) => r.type === 'Location');
    expect(loc.searchParam.map((p: { name: string }) => p.name)).toContain('near');
  });

  test('the searchset self link carries only the parameters that were applied', async () => {
    const res = await get('Patient?gender=female&bogus=1&name=&_type=Observation&_count=5');
    expect(res.status).toBe(200);
    const self = new URL((res.body.link as Link[]).find((l) => l.relation === 'self')?.url ?? '');
    expect([...self.searchParams.keys()].sort()).toEqual(['_count', 'gender']);
    const strict = await get('Patient?gender=female&bogus=1').set('Prefer', 'handling=strict');
    expect(strict.status).toBe(400);
  });

  test('Binary: raw POST/PUT store the bytes; a non-FHIR Accept reads them back; _format=json gives the FHIR form', async () => {
    const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.from([0, 1, 2, 255, 254]), Buffer.from('\n%%EOF')]);
    const created = await request(app.http).post('/fhir/Binary').set('Content-Type', 'application/pdf').set('X-Security-Context', 'Patient/0').send(pdf);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ resourceType: 'Binary', contentType: 'application/pdf', data: pdf.toString('base64'), securityContext: { reference: 'Patient/0' } });
    const id = created.body.id as string;
    const raw = await request(app.http).get(`/fhir/Binary/${id}`).set('Accept', 'application/pdf').buffer(true).parse(rawBytes);
    expect(raw.status).toBe(200);
    expect(raw.headers['content-type']).toBe('application/pdf');
    expect(raw.headers['x-security-context']).toBe('Patient/0');
    expect(raw.headers['x-content-type-options']).toBe('nosniff');
    expect(Buffer.compare(raw.body as Buffer, pdf)).toBe(0);
    const fhir = await request(app.http).get(`/fhir/Binary/${id}?_format=json`).set('Accept', 'application/pdf');
    expect(fhir.status).toBe(200);
    expect(fhir.body.resourceType).toBe('Binary');
    expect((await get(`Binary/${id}`)).body.resourceType).toBe('Binary');
    expect((await request(app.http).get(`/fhir/Binary/${id}`).set('Accept', 'image/png')).status).toBe(406);
    const replaced = await request(app.http).put(`/fhir/Binary/${id}`).set('Content-Type', 'text/plain; charset=utf-8').send('plain text now');
    expect(replaced.status).toBe(200);
    const text = await request(app.http).get(`/fhir/Binary/${id}`).set('Accept', 'text/*');
    expect(text.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(text.text).toBe('plain text now');
  });

  test('Binary: FHIR XML is not taken for raw bytes (415); a CDA document as application/xml is', async () => {
    const xml = await request(app.http).post('/fhir/Binary').set('Content-Type', 'application/fhir+xml').send('<Binary xmlns="http://hl7.org/fhir"/>');
    expect(xml.status).toBe(415);
    const cda = await request(app.http).post('/fhir/Binary').set('Content-Type', 'application/xml').send('<ClinicalDocument/>');
    expect(cda.status).toBe(201);
    expect(Buffer.from(cda.body.data, 'base64').toString()).toBe('<ClinicalDocument/>');
    const head = await request(app.http).head(`/fhir/Binary/${cda.body.id as string}`).set('Accept', 'application/xml');
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe(String('<ClinicalDocument/>'.length));
  });

  test('Binary: raw uploads respect MAX_BODY', async () => {
    const big = Buffer.alloc(app.config.maxBodyBytes + 1, 1);
    const res = await request(app.http).post('/fhir/Binary').set('Content-Type', 'application/octet-stream').send(big);
    expect(res.status).toBe(413);
  });

  test('a note posted as a raw Binary is read by $extract', async () => {
    const patient = (await request(app.http).post('/fhir/Patient').set('Content-Type', FHIR).send({ resourceType: 'Patient' })).body as { id: string };
    const bin = await request(app.http).post('/fhir/Binary').set('Content-Type', 'text/plain; charset=utf-8').send('Impression: malignant ascites. ECOG 1.');
    expect(bin.status).toBe(201);
    const doc = await request(app.http).post('/fhir/DocumentReference').set('Content-Type', FHIR).send({
      resourceType: 'DocumentReference', status: 'current', subject: { reference: `Patient/${patient.id}` },
      content: [{ attachment: { contentType: 'text/plain; charset=utf-8', language: 'en', url: `Binary/${bin.body.id as string}` } }],
    });
    expect(doc.status).toBe(201);
    const res = await request(app.http).post(`/fhir/DocumentReference/${doc.body.id as string}/$extract`).set('Content-Type', FHIR).send('{"resourceType":"Parameters"}');
    expect(res.status).toBe(200);
    const conditions = ((res.body as Bundle).entry ?? []).map((e) => e.resource).filter((r): r is Condition => r?.resourceType === 'Condition');
    expect(conditions.some((c) => /ascites/i.test(JSON.stringify(c)))).toBe(true);
  }, 60_000);
});
