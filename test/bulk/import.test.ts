/**
 * Bulk $import end to end through the real express app and store (issue 14 point 3): uploads and
 * Binary inputs, ids kept, one version per resource, bad lines reported with their line numbers while
 * good lines land, the review guard per line, external URLs refused, cancel, the status URL's shape.
 */
import type { Patient } from 'fhir/r4';
import request from 'supertest';
import { driversUnderTest } from '../support/databases';
import { type TestApp, startTestApp } from '../support/test-app';
import { NDJSON, awaitImport, countOf, lineOf, statusPath, uploadImport } from './import-support';

const FHIR = 'application/fhir+json';
// supertest listens on a new port per request: a fixed public base makes absolute URLs stable.
const BASE = 'http://fhir.test/fhir';
const patient = (id: string, family: string): Patient => ({ resourceType: 'Patient', id, name: [{ family }], gender: 'female', birthDate: '1970-01-01' });
const line = (r: object): string => JSON.stringify(r);

const parameters = (...inputs: { type?: string; url: string }[]) => ({
  resourceType: 'Parameters',
  parameter: [
    { name: 'inputFormat', valueCode: 'application/fhir+ndjson' },
    { name: 'inputSource', valueUri: 'https://source.example.org/fhir' },
    { name: 'storageDetail', part: [{ name: 'type', valueCode: 'https' }] },
    ...inputs.map((i) => ({ name: 'input', part: [...(i.type ? [{ name: 'type', valueCode: i.type }] : []), { name: 'url', valueUri: i.url }] })),
  ],
});

describe.each(driversUnderTest())('$import on %s', (kind) => {
  let app: TestApp;
  beforeAll(async () => { app = await startTestApp(kind, { IMPORT_BATCH: '3', IMPORT_MAX_LINE: '2kb', BASE_URL: BASE }); });
  afterAll(async () => { await app.dispose(); });
  const api = () => request(app.http);

  test('an upload lands with its ids kept and one version each; re-importing an id updates it', async () => {
    const lines = Array.from({ length: 8 }, (_, i) => line(patient(`imp-${i}`, `Family${i}`)));
    const { manifest, errors } = await awaitImport(app.http, await uploadImport(app.http, `${lines.join('\n')}\n`, '?type=Patient'));
    expect(errors).toEqual([]);
    expect(countOf(manifest, 'Patient')).toBe(8);
    expect(Date.parse(manifest.transactionTime)).not.toBeNaN();
    for (let i = 0; i < 8; i++) {
      const res = await api().get(`/fhir/Patient/imp-${i}`);
      expect(res.status).toBe(200);
      expect(res.body.name[0].family).toBe(`Family${i}`);
      expect(res.body.meta.versionId).toBe('1');
    }
    await awaitImport(app.http, await uploadImport(app.http, line(patient('imp-0', 'Changed'))));
    const again = (await api().get('/fhir/Patient/imp-0')).body;
    expect(again.meta.versionId).toBe('2');
    expect(again.name[0].family).toBe('Changed');
  });

  test('lines without an id are created with server ids', async () => {
    const { manifest } = await awaitImport(app.http, await uploadImport(app.http, [1, 2].map(() => line({ resourceType: 'Organization', name: 'Imported org without id' })).join('\n')));
    expect(countOf(manifest, 'Organization')).toBe(2);
    const found = await api().get('/fhir/Organization?name=Imported%20org%20without%20id&_total=accurate');
    expect(found.body.total).toBe(2);
  });

  test('bad lines are reported with their line numbers while good lines land', async () => {
    const lines = [
      line(patient('good-1', 'One')),
      '{"resourceType": "Patient", "id": "broken"',
      line({ resourceType: 'Observation', id: 'wrong-type', status: 'final', code: { text: 'x' } }),
      line({ resourceType: 'Patient', id: 'invalid-gender', gender: 'sometimes' }),
      '',
      line(patient('too-long', 'x'.repeat(3000))),
      `{"resourceType":"Patient","id":"nul","name":[{"family":"a\u0000b"}]}`,
      '{"resourceType":"Patient","id":"raw-nul","name":[{"family":"a\x00b"}]}',
      line({ resourceType: 'NoSuchType', id: 'x' }),
      line({ resourceType: 'Patient', id: 'bad id!' }),
      '[1,2,3]',
      line(patient('good-2', 'Two')),
    ];
    const { manifest, errors } = await awaitImport(app.http, await uploadImport(app.http, lines.join('\r\n'), '?type=Patient'));
    expect(countOf(manifest, 'Patient')).toBe(2);
    expect(errors.map(lineOf)).toEqual([2, 3, 4, 6, 7, 8, 9, 10, 11]);
    expect(manifest.error[0].count).toBe(9);
    for (const e of errors) expect(e.issue[0].diagnostics).toMatch(/\$import\?type=Patient line \d+: /);
    expect(errors[4].issue[0].diagnostics).toContain('control character');
    expect(errors[3].issue[0].code).toBe('too-long');
    for (const id of ['good-1', 'good-2']) expect((await api().get(`/fhir/Patient/${id}`)).status).toBe(200);
    for (const id of ['wrong-type', 'invalid-gender', 'nul', 'raw-nul']) expect((await api().get(`/fhir/Patient/${id}`)).status).toBe(404);
    expect((await api().get('/fhir/Observation/wrong-type')).status).toBe(404);
  });

  test('the review guard refuses an AI-asserted finding claiming confirmed, per line as in REST', async () => {
    const finding = {
      resourceType: 'Condition', id: 'ai-confirmed', meta: { security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'AIAST' }] },
      verificationStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'confirmed' }] },
      code: { text: 'asthma' }, subject: { reference: 'Patient/good-1' },
    };
    const rest = await api().put('/fhir/Condition/ai-confirmed').set('Content-Type', FHIR).send(finding);
    expect(rest.status).toBe(422);
    const ok = { resourceType: 'Condition', id: 'plain', code: { text: 'asthma' }, subject: { reference: 'Patient/good-1' } };
    const { manifest, errors } = await awaitImport(app.http, await uploadImport(app.http, [line(ok), line(finding), line({ ...ok, id: 'plain-2' })].join('\n')));
    expect(countOf(manifest, 'Condition')).toBe(2);
    expect(errors.map(lineOf)).toEqual([2]);
    expect(errors[0].issue[0].code).toBe(rest.body.issue[0].code);
    expect((await api().get('/fhir/Condition/ai-confirmed')).status).toBe(404);
    expect((await api().get('/fhir/Condition/plain-2')).status).toBe(200);
  });

  test('Parameters kick-off reads NDJSON from this server\'s Binary (relative and absolute URL)', async () => {
    const ndjson = [line(patient('bin-1', 'Bin')), line(patient('bin-2', 'Bin'))].join('\n');
    const bin = await api().post('/fhir/Binary').set('Content-Type', NDJSON).send(ndjson);
    expect(bin.status).toBe(201);
    const id = bin.body.id as string;
    const absolute = `${BASE}/Binary/${id}`;
    const res = await api().post('/fhir/$import').set({ 'Content-Type': FHIR, Prefer: 'respond-async' })
      .send(parameters({ type: 'Patient', url: `Binary/${id}` }, { url: absolute }));
    expect(res.status).toBe(202);
    const { manifest, errors } = await awaitImport(app.http, statusPath(res.headers['content-location']));
    expect(errors).toEqual([]);
    expect(countOf(manifest, 'Patient')).toBe(4); // the same two lines twice: created, then updated
    expect((await api().get('/fhir/Patient/bin-2')).body.meta.versionId).toBe('2');
  });

  test.each([
    ['an external URL', 'https://evil.example.org/data.ndjson'],
    ['another server\'s Binary', 'https://other.example.org/fhir/Binary/abc'],
    ['a file URL', 'file:///etc/passwd'],
    ['a non-Binary resource', 'Patient/good-1'],
    ['a missing Binary', 'Binary/does-not-exist'],
  ])('%s as input url → 400, no job', async (_name, url) => {
    const res = await api().post('/fhir/$import').set({ 'Content-Type': FHIR, Prefer: 'respond-async' }).send(parameters({ url }));
    expect(res.status).toBe(400);
    expect(res.body.resourceType).toBe('OperationOutcome');
    expect(res.headers['content-location']).toBeUndefined();
  });

  test('kick-off without Prefer: respond-async, or without inputFormat → 400', async () => {
    expect((await api().post('/fhir/$import').set('Content-Type', NDJSON).send(line(patient('p', 'x')))).status).toBe(400);
    const noFormat = { resourceType: 'Parameters', parameter: [{ name: 'input', part: [{ name: 'url', valueUri: 'Binary/x' }] }] };
    expect((await api().post('/fhir/$import').set({ 'Content-Type': FHIR, Prefer: 'respond-async' }).send(noFormat)).status).toBe(400);
  });

  test('DELETE cancels: the status URL then answers 404', async () => {
    const many = Array.from({ length: 300 }, (_, i) => line(patient(`cancel-${i}`, 'Cancel'))).join('\n');
    const path = await uploadImport(app.http, many);
    const del = await api().delete(path);
    expect(del.status).toBe(202);
    expect((await api().get(path)).status).toBe(404);
    const written = (await api().get('/fhir/Patient?family=Cancel&_total=accurate&_count=0')).body.total as number;
    await new Promise((r) => setTimeout(r, 500));
    // Nothing is written after the cancel took effect (at most the batch in flight).
    expect((await api().get('/fhir/Patient?family=Cancel&_total=accurate&_count=0')).body.total).toBeLessThanOrEqual(written + 3);
  });

  test('unknown status ids → 404; other methods → 405', async () => {
    expect((await api().get('/fhir/$import-status/nope')).status).toBe(404);
    expect((await api().get('/fhir/$import-status/%2e%2e')).status).toBe(404);
    expect((await api().put('/fhir/$import-status/nope')).status).toBe(405);
  });
});
