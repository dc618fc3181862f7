/**
 * Issue 10's done-when: every write in the system passes the store's write hooks. A counting hook is registered
 * at composition time and every write path is driven through the real app — REST create/update/patch/delete,
 * a transaction Bundle, the extraction hook's Task, the NLP job (Task updates, findings, Device, Provenance),
 * twin refresh, $verify and $extract — then every version the store holds is matched against what the hook saw.
 */
import type { Bundle, Composition, Condition, Patient, Practitioner } from 'fhir/r4';
import request from 'supertest';
import { systemContext } from '../../server/core/access-context';
import type { ResourceChange, WriteHook } from '../../server/store/types';
import { driversUnderTest } from '../support/databases';
import { type TestApp, startTestApp } from '../support/test-app';
import { FHIR_JSON, noteDocument, post, search, settledTask } from './helpers';

interface Seen { key: string; kind: ResourceChange['kind']; requestId: string; origin?: string }
const NOTE = 'CA-125 was 845 U/mL. High-grade serous ovarian carcinoma, FIGO IIIC.';

describe.each(driversUnderTest())('every write passes the store hooks on %s', (kind) => {
  const seen: Seen[] = [];
  const counting: WriteHook = async (_tx, ctx, change) => {
    seen.push({ key: `${change.resourceType}/${change.id}/${change.stored.versionId}`, kind: change.kind, requestId: ctx.requestId, ...(ctx.origin ? { origin: ctx.origin } : {}) });
  };
  let app: TestApp;
  let patient: Patient & { id: string };
  const api = (tag: string) => ({
    post: (path: string, body: unknown) => request(app.http).post(`/fhir/${path}`).set('X-Request-Id', tag).set('Content-Type', FHIR_JSON).send(JSON.stringify(body)),
    put: (path: string, body: unknown) => request(app.http).put(`/fhir/${path}`).set('X-Request-Id', tag).set('Content-Type', FHIR_JSON).send(JSON.stringify(body)),
    patch: (path: string, body: unknown) => request(app.http).patch(`/fhir/${path}`).set('X-Request-Id', tag).set('Content-Type', 'application/json-patch+json').send(JSON.stringify(body)),
    delete: (path: string) => request(app.http).delete(`/fhir/${path}`).set('X-Request-Id', tag),
  });
  const by = (tag: string | RegExp): string[] => seen.filter((s) => (typeof tag === 'string' ? s.requestId === tag : tag.test(s.requestId))).map((s) => `${s.kind} ${s.key.split('/')[0]}`);
  const until = async (what: string, ok: () => Promise<boolean>): Promise<void> => {
    for (const end = Date.now() + 20_000; !(await ok());) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  beforeAll(async () => {
    app = await startTestApp(kind, { NLP_WORKERS: '1', NLP_POLL_MS: '50', TWIN_WORKERS: '1', TWIN_DEBOUNCE_MS: '20', TWIN_POLL_MS: '100' }, { hooks: [counting] });
  }, 60_000);
  afterAll(async () => app?.dispose());

  test('REST create, update, patch and delete', async () => {
    const created = await api('rest-create').post('Patient', { resourceType: 'Patient', name: [{ family: 'Hooked' }] });
    expect(created.status).toBe(201);
    patient = created.body as Patient & { id: string };
    expect((await api('rest-update').put(`Patient/${patient.id}`, { ...patient, gender: 'female' })).status).toBe(200);
    expect((await api('rest-patch').patch(`Patient/${patient.id}`, [{ op: 'add', path: '/birthDate', value: '1960-01-01' }])).status).toBe(200);
    const basic = await post(app, { resourceType: 'Basic', code: { text: 'scratch' } });
    expect((await api('rest-delete').delete(`Basic/${basic.id}`)).status).toBe(200);
    expect(by('rest-create')).toEqual(['create Patient']);
    expect(by('rest-update')).toEqual(['update Patient']);
    expect(by('rest-patch')).toEqual(['update Patient']);
    expect(by('rest-delete')).toEqual(['delete Basic']);
  });

  test('a transaction Bundle', async () => {
    const bundle: Bundle = {
      resourceType: 'Bundle', type: 'transaction', entry: [
        { fullUrl: 'urn:uuid:0b6a7d3c-1111-4a4a-9d9d-000000000001', resource: { resourceType: 'Encounter', status: 'finished', class: { code: 'AMB' }, subject: { reference: `Patient/${patient.id}` } }, request: { method: 'POST', url: 'Encounter' } },
        { resource: { resourceType: 'Observation', status: 'final', code: { text: 'weight' }, subject: { reference: `Patient/${patient.id}` }, encounter: { reference: 'urn:uuid:0b6a7d3c-1111-4a4a-9d9d-000000000001' } }, request: { method: 'POST', url: 'Observation' } },
        { resource: { ...patient, gender: 'other' }, request: { method: 'PUT', url: `Patient/${patient.id}` } },
      ],
    };
    expect((await api('bundle').post('', bundle)).status).toBe(200);
    expect(by('bundle').sort()).toEqual(['create Encounter', 'create Observation', 'update Patient']);
  });

  test('a note: its Task (written by the extraction hook), the NLP job, and the twin refresh', async () => {
    const doc = await api('note').post('DocumentReference', noteDocument(patient.id, NOTE));
    expect(doc.status).toBe(201);
    // the extraction hook's own Task write passes the hooks (nested: seen before the later hooks see the note)
    expect(by('note').sort()).toEqual(['create DocumentReference', 'create Task']);
    expect((await settledTask(app, doc.body.id as string)).status).toBe('completed');
    const job = by(/^nlp-job-/);
    expect(job.filter((c) => c === 'update Task')).toHaveLength(2); // in-progress, completed
    expect(job).toEqual(expect.arrayContaining(['create Device', 'create Condition', 'create Observation', 'create Provenance']));
    await until('the twin', async () => seen.some((s) => s.key.startsWith(`Composition/twin-${patient.id}/`)));
    const twin = seen.filter((s) => s.key.startsWith(`Composition/twin-${patient.id}/`));
    expect(twin.every((s) => /^twin-job-/.test(s.requestId) && s.origin === 'twin-builder')).toBe(true);
  });

  test('$verify and $extract', async () => {
    const reviewer = await post<Practitioner>(app, { resourceType: 'Practitioner', name: [{ family: 'Reviewer' }] });
    const [finding] = await search<Condition>(app, `Condition?subject=Patient/${patient.id}&_tag=https://twinfhir.org/fhir/CodeSystem/twinfhir|provisional`);
    const verify = await api('verify').post(`Condition/${finding.id}/$verify`, {
      resourceType: 'Parameters', parameter: [{ name: 'decision', valueCode: 'confirm' }, { name: 'reviewer', valueReference: { reference: `Practitioner/${reviewer.id}` } }],
    });
    expect(verify.status).toBe(200);
    expect(by('verify').sort()).toEqual(['create Provenance', 'update Condition']);
    const [doc] = await search<{ resourceType: 'DocumentReference'; id: string }>(app, `DocumentReference?subject=Patient/${patient.id}`);
    expect((await api('extract').post(`DocumentReference/${doc.id}/$extract`, { resourceType: 'Parameters' })).status).toBe(200);
    // unreviewed findings replaced (deleted + created), the reviewed one kept, the run's Task written completed
    expect(by('extract')).toEqual(expect.arrayContaining(['delete Observation', 'create Observation', 'create Provenance', 'create Task']));
    expect(by('extract')).not.toContain('delete Condition');
  });

  test('every version the store holds passed the hooks exactly once', async () => {
    await until('the twin refresh to settle', async () => {
      const depth = (await app.store.jobs.depth()).twin;
      return !depth || depth.waiting + depth.running === 0;
    });
    // The audit recorder writes the earlier requests' AuditEvents in the background: a batch whose hooks have run
    // but which has not committed yet is in `seen` and not in the history read below. Write them all first.
    await app.audit?.flush();
    const stored: string[] = [];
    const ctx = systemContext('check');
    for (let cursor: string | undefined, first = true; first || cursor; first = false) {
      const page = await app.store.history(ctx, { count: 1000, ...(cursor ? { cursor } : {}) });
      stored.push(...page.entries.map((e) => `${e.resourceType}/${e.id}/${e.versionId}`));
      cursor = page.nextCursor;
    }
    const keys = seen.map((s) => s.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect([...keys].sort()).toEqual([...stored].sort());
    expect(stored.length).toBeGreaterThan(20);
    const twins = await search<Composition>(app, `Composition?subject=Patient/${patient.id}`);
    expect(twins).toHaveLength(1);
  });
});
