/**
 * The human step cannot be skipped (issue 11 point 6): PUT, PATCH, DELETE, POST and Bundles that would
 * decide or edit a machine finding without $verify are refused with 422 and change nothing; $verify still
 * decides, and clinicians may keep editing a decided finding's other elements.
 */
import type { Bundle, Condition } from 'fhir/r4';
import request from 'supertest';
import { driversUnderTest } from '../support/databases';
import type { TestApp } from '../support/test-app';
import { FHIR, TWIN_CS, type Seed, seedFindings, startReviewApp, verifyParams } from './fixtures';

const VER = 'http://terminology.hl7.org/CodeSystem/condition-ver-status';
const tags = (r: { meta?: { tag?: { system?: string; code?: string }[] } }) => (r.meta?.tag ?? []).filter((t) => t.system === TWIN_CS).map((t) => t.code);
const diagnostics = (body: { issue?: { diagnostics?: string }[] }) => (body.issue ?? []).map((i) => i.diagnostics ?? '').join(' ');

describe.each(driversUnderTest())('review guard on %s', (kind) => {
  let app: TestApp;
  let n = 0;
  beforeAll(async () => { app = await startReviewApp(kind); });
  afterAll(async () => { await app.dispose(); });
  const api = () => request(app.http);
  const seed = (): Promise<Seed> => seedFindings(app, `guard${++n}`);
  const get = async (path: string) => (await api().get(`/fhir/${path}`)).body;
  const put = (r: { resourceType: string; id?: string }) => api().put(`/fhir/${r.resourceType}/${r.id}`).set('Content-Type', FHIR).send(r);

  /** The finding is exactly as seeded: version 1, provisional, undecided. */
  async function expectUntouched(s: Seed): Promise<void> {
    const c = await get(`Condition/${s.condition.id}`);
    expect(c.meta.versionId).toBe('1');
    expect(tags(c)).toEqual(['provisional']);
    expect(c.verificationStatus.coding[0].code).toBe('unconfirmed');
  }

  test('the reported bypass: GET, set confirmed, drop meta, PUT back → 422 naming $verify, nothing changed', async () => {
    const s = await seed();
    const c = await get(`Condition/${s.condition.id}`);
    c.verificationStatus.coding[0].code = 'confirmed';
    delete c.meta;
    const res = await put(c);
    expect(res.status).toBe(422);
    expect(res.body.resourceType).toBe('OperationOutcome');
    expect(diagnostics(res.body)).toContain('$verify');
    await expectUntouched(s);
    const prov = await api().get(`/fhir/Provenance?target=Condition/${s.condition.id}`);
    expect(prov.body.total ?? prov.body.entry?.length ?? 0).toBe(1); // only the extraction's
  });

  test('editing the code or evidence of a provisional finding is refused; an identical PUT is not', async () => {
    const s = await seed();
    const c = await get(`Condition/${s.condition.id}`);
    const recoded = { ...c, code: { coding: [{ system: 'http://snomed.info/sct', code: '254837009', display: 'Malignant neoplasm of breast' }] } };
    expect((await put(recoded)).status).toBe(422);
    const noEvidence = { ...c, extension: [] };
    expect((await put(noEvidence)).status).toBe(422);
    await expectUntouched(s);
    expect((await put(c)).status).toBe(200);
  });

  test('JSON Patch and FHIRPath-free edits of status, tag or AI label are refused', async () => {
    const s = await seed();
    const patch = (path: string, ops: object[]) => api().patch(`/fhir/${path}`).set('Content-Type', 'application/json-patch+json').send(ops);
    expect((await patch(`Observation/${s.observation.id}`, [{ op: 'replace', path: '/status', value: 'final' }])).status).toBe(422);
    expect((await patch(`Condition/${s.condition.id}`, [{ op: 'replace', path: '/meta/tag/0/code', value: 'verified' }])).status).toBe(422);
    expect((await patch(`Condition/${s.condition.id}`, [{ op: 'remove', path: '/meta/security' }])).status).toBe(422);
    await expectUntouched(s);
    expect((await get(`Observation/${s.observation.id}`)).status).toBe('preliminary');
  });

  test('DELETE of a provisional finding without a reviewer → 422 pointing to $verify refute; it stays', async () => {
    const s = await seed();
    const res = await api().delete(`/fhir/Condition/${s.condition.id}`);
    expect(res.status).toBe(422);
    expect(diagnostics(res.body)).toContain('decision=refute');
    await expectUntouched(s);
  });

  test('creating a finding that claims to be verified, or AI-asserted without the provisional tag, is refused', async () => {
    const s = await seed();
    const { id: _id, meta, ...base } = s.condition;
    const post = (r: object) => api().post('/fhir/Condition').set('Content-Type', FHIR).send(r);
    const verified = { ...base, meta: { ...meta, tag: [{ system: TWIN_CS, code: 'verified' }] }, verificationStatus: { coding: [{ system: VER, code: 'confirmed' }] } };
    expect((await post(verified)).status).toBe(422);
    expect((await post({ ...base, meta: { security: meta?.security } })).status).toBe(422);
    expect((await post({ ...base, meta, verificationStatus: { coding: [{ system: VER, code: 'confirmed' }] } })).status).toBe(422);
    expect((await post({ ...base, meta })).status).toBe(201); // an external AI may add provisional findings
    expect((await post({ ...base, meta: { tag: [{ system: TWIN_CS, code: 'refuted' }] } })).status).toBe(422);
  });

  test('a transaction Bundle cannot do what a single request may not: all or nothing', async () => {
    const s = await seed();
    const c = await get(`Condition/${s.condition.id}`);
    c.verificationStatus.coding[0].code = 'confirmed';
    const bundle: Bundle = {
      resourceType: 'Bundle', type: 'transaction',
      entry: [
        { resource: { resourceType: 'Patient', id: `${s.patient.id}-new`, name: [{ family: 'Atomic' }] }, request: { method: 'PUT', url: `Patient/${s.patient.id}-new` } },
        { resource: c as Condition, request: { method: 'PUT', url: `Condition/${s.condition.id}` } },
      ],
    };
    const res = await api().post('/fhir').set('Content-Type', FHIR).send(bundle);
    expect(res.status).toBe(422);
    expect((await api().get(`/fhir/Patient/${s.patient.id}-new`)).status).toBe(404);
    await expectUntouched(s);
    const batch = await api().post('/fhir').set('Content-Type', FHIR).send({ ...bundle, type: 'batch' });
    expect(batch.status).toBe(200);
    expect(batch.body.entry.map((e: { response: { status: string } }) => e.response.status.slice(0, 3))).toEqual(['201', '422']);
    await expectUntouched(s);
  });

  test('after $verify the decision is final, while other clinical edits stay possible', async () => {
    const s = await seed();
    const v = await api().post(`/fhir/Condition/${s.condition.id}/$verify`).set('Content-Type', FHIR)
      .send(verifyParams('confirm', { reviewer: `Practitioner/${s.doctor.id}` }));
    expect(v.status).toBe(200);
    const c = await get(`Condition/${s.condition.id}`);
    expect(tags(c)).toEqual(['verified']);
    const undecide = structuredClone(c);
    undecide.verificationStatus.coding[0].code = 'unconfirmed';
    expect((await put(undecide)).status).toBe(422);
    const retag = structuredClone(c);
    retag.meta.tag = [{ system: TWIN_CS, code: 'refuted' }];
    expect((await put(retag)).status).toBe(422);
    const unlabel = structuredClone(c);
    unlabel.meta.security = [];
    expect((await put(unlabel)).status).toBe(422);
    const resolved = structuredClone(c);
    resolved.clinicalStatus.coding[0].code = 'resolved';
    const ok = await put(resolved);
    expect(ok.status).toBe(200);
    expect(ok.body.clinicalStatus.coding[0].code).toBe('resolved');
    expect(tags(ok.body)).toEqual(['verified']);
  });
});
