/** $verify: stale versions, two reviewers on one version, decided findings, batch atomicity; through the real app. */
import request from 'supertest';
import { anonymousContext, asOrigin } from '../../server/core/access-context';
import { driversUnderTest } from '../support/databases';
import type { TestApp } from '../support/test-app';
import type { Condition } from 'fhir/r4';
import { FHIR, part, seedFindings, verifyParams, startReviewApp } from './fixtures';

type Target = { target: string; decision: string; note?: string; resource?: unknown };
function batch(reviewer: string, targets: Target[]) {
  return {
    resourceType: 'Parameters',
    parameter: [
      { name: 'reviewer', valueReference: { reference: reviewer } },
      ...targets.map((t) => ({
        name: 'target',
        part: [
          { name: 'target', valueReference: { reference: t.target } },
          { name: 'decision', valueCode: t.decision },
          ...(t.note ? [{ name: 'note', valueString: t.note }] : []),
          ...(t.resource ? [{ name: 'resource', resource: t.resource }] : []),
        ],
      })),
    ],
  };
}

describe.each(driversUnderTest())('$verify conflicts and batches on %s', (kind) => {
  let app: TestApp;
  beforeAll(async () => { app = await startReviewApp(kind); });
  afterAll(async () => { await app.dispose(); });
  const api = () => request(app.http);
  const verify = (path: string, body: object) => api().post(`/fhir/${path}/$verify`).set('Content-Type', FHIR).send(body);
  const version = async (path: string) => (await api().get(`/fhir/${path}`)).body.meta.versionId;
  const provenanceCount = async (target: string) => (await api().get(`/fhir/Provenance?target=${target}`)).body.entry?.length ?? 0;

  test('two reviewers deciding on the same version: the second gets 409 and the first decision stands', async () => {
    const s = await seedFindings(app, 'two');
    const first = await verify(`Condition/${s.condition.id}`, verifyParams('confirm', { reviewer: `Practitioner/${s.doctor.id}`, version: 1 }));
    expect(first.status).toBe(200);
    const second = await verify(`Condition/${s.condition.id}`, verifyParams('refute', { reviewer: `Practitioner/${s.otherDoctor.id}`, version: 1 }));
    expect(second.status).toBe(409);
    expect(second.body.resourceType).toBe('OperationOutcome');
    expect(second.body.issue[0].diagnostics).toMatch(/already verified/);
    const cond = (await api().get(`/fhir/Condition/${s.condition.id}`)).body;
    expect(cond.verificationStatus.coding[0].code).toBe('confirmed');
    expect(cond.meta.versionId).toBe('2');
    expect(await provenanceCount(`Condition/${s.condition.id}`)).toBe(2);
  });

  test('concurrent decisions on one finding: exactly one wins, the other is a 409', async () => {
    const s = await seedFindings(app, 'race');
    const [a, b] = await Promise.all([
      verify(`Observation/${s.observation.id}`, verifyParams('confirm', { reviewer: `Practitioner/${s.doctor.id}`, version: 1 })),
      verify(`Observation/${s.observation.id}`, verifyParams('refute', { reviewer: `Practitioner/${s.otherDoctor.id}`, version: 1 })),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    expect(await version(`Observation/${s.observation.id}`)).toBe('2');
    expect(await provenanceCount(`Observation/${s.observation.id}`)).toBe(2);
  });

  test('a stale version (the finding changed after it was reviewed) is a 409; If-Match too', async () => {
    const s = await seedFindings(app, 'stale');
    // e.g. a re-extraction rewrote the provisional finding (clients cannot: the review guard refuses their edits)
    const rewrite = asOrigin(anonymousContext('re-extraction'), 'nlp-extraction');
    const upd = await app.store.transaction((tx) => tx.update(rewrite, { ...s.condition, onsetDateTime: '2024-01' } as Condition & { id: string }));
    expect(upd.stored.versionId).toBe(2);
    const reviewer = `Practitioner/${s.doctor.id}`;
    const res = await verify(`Condition/${s.condition.id}`, verifyParams('confirm', { reviewer, version: 1 }));
    expect(res.status).toBe(409);
    expect(res.body.issue[0].diagnostics).toMatch(/changed since version 1.*now at version 2/);
    const ifMatch = await api().post(`/fhir/Condition/${s.condition.id}/$verify`).set('Content-Type', FHIR).set('If-Match', 'W/"1"').send(verifyParams('confirm', { reviewer }));
    expect(ifMatch.status).toBe(409);
    const contradicting = await api().post(`/fhir/Condition/${s.condition.id}/$verify`).set('Content-Type', FHIR).set('If-Match', 'W/"2"').send(verifyParams('confirm', { reviewer, version: 1 }));
    expect(contradicting.status).toBe(400);
    expect(await version(`Condition/${s.condition.id}`)).toBe('2');
    expect((await verify(`Condition/${s.condition.id}`, verifyParams('confirm', { reviewer, version: 2 }))).status).toBe(200);
  });

  test('errors: unknown, deleted, not a finding, bad parameters, reviewer missing or unknown', async () => {
    const s = await seedFindings(app, 'err');
    const reviewer = `Practitioner/${s.doctor.id}`;
    const status = async (path: string, body: object) => (await verify(path, body)).status;
    expect(await status('Condition/nope', verifyParams('confirm', { reviewer }))).toBe(404);
    const plain = await api().post('/fhir/Condition').set('Content-Type', FHIR).send({ resourceType: 'Condition', subject: { reference: `Patient/${s.patient.id}` } });
    expect(await status(`Condition/${plain.body.id}`, verifyParams('confirm', { reviewer }))).toBe(422);
    await api().delete(`/fhir/Condition/${plain.body.id}`);
    expect(await status(`Condition/${plain.body.id}`, verifyParams('confirm', { reviewer }))).toBe(410);
    const path = `Condition/${s.condition.id}`;
    expect(await status(path, verifyParams('confirm'))).toBe(400);
    expect(await status(path, verifyParams('confirm', { reviewer: 'Practitioner/ghost' }))).toBe(422);
    expect(await status(path, verifyParams('confirm', { reviewer: `Patient/${s.patient.id}` }))).toBe(400);
    expect(await status(path, verifyParams('approve', { reviewer }))).toBe(400);
    expect(await status(path, { resourceType: 'Parameters', parameter: [{ name: 'decison', valueCode: 'confirm' }] })).toBe(400);
    expect(await status(path, { resourceType: 'Condition' })).toBe(400);
    expect((await api().get(`/fhir/${path}/$verify`)).status).toBe(405);
    expect(await version(path)).toBe('1');
  });

  test('batch: several decisions in one transaction, results in order', async () => {
    const a = await seedFindings(app, 'ba');
    const b = await seedFindings(app, 'bb');
    const reviewer = `Practitioner/${a.doctor.id}`;
    const amendedObs = { ...b.observation, valueQuantity: { ...b.observation.valueQuantity, value: 41.2 } };
    const res = await api().post('/fhir/$verify').set('Content-Type', FHIR).send(batch(reviewer, [
      { target: `Condition/${a.condition.id}/_history/1`, decision: 'confirm', note: 'ok' },
      { target: `Observation/${a.observation.id}`, decision: 'refute' },
      { target: `Observation/${b.observation.id}/_history/1`, decision: 'amend', resource: amendedObs },
    ]));
    expect(res.status).toBe(200);
    const results = res.body.parameter.filter((p: any) => p.name === 'result');
    expect(results.map((r: any) => part(r, 'target')?.valueReference?.reference)).toEqual([
      `Condition/${a.condition.id}/_history/2`, `Observation/${a.observation.id}/_history/2`, `Observation/${b.observation.id}/_history/2`,
    ]);
    expect(results.map((r: any) => part(r, 'decision')?.valueCode)).toEqual(['confirm', 'refute', 'amend']);
    expect((part(results[0], 'provenance')?.resource as any).reason).toEqual([{ text: 'ok' }]);
    expect((await api().get(`/fhir/Observation/${b.observation.id}`)).body.valueQuantity.value).toBe(41.2);
  });

  test('batch atomicity: one bad entry and nothing changes', async () => {
    const s = await seedFindings(app, 'atom');
    const reviewer = `Practitioner/${s.doctor.id}`;
    const badAmend = { ...s.observation, status: 'final', valueQuantity: { value: 'x' } };
    const cases: Target[][] = [
      [{ target: `Condition/${s.condition.id}`, decision: 'confirm' }, { target: `Observation/${s.observation.id}`, decision: 'amend', resource: badAmend }],
      [{ target: `Condition/${s.condition.id}`, decision: 'confirm' }, { target: 'Observation/missing', decision: 'confirm' }],
      [{ target: `Condition/${s.condition.id}`, decision: 'confirm' }, { target: `Observation/${s.observation.id}/_history/7`, decision: 'confirm' }],
      [{ target: `Condition/${s.condition.id}`, decision: 'confirm' }, { target: `Condition/${s.condition.id}`, decision: 'refute' }],
      [{ target: `Condition/${s.condition.id}`, decision: 'confirm' }, { target: `Patient/${s.patient.id}`, decision: 'confirm' }],
    ];
    const statuses: number[] = [];
    for (const targets of cases) {
      const res = await api().post('/fhir/$verify').set('Content-Type', FHIR).send(batch(reviewer, targets));
      statuses.push(res.status);
      expect(res.body.resourceType).toBe('OperationOutcome');
    }
    expect(statuses).toEqual([422, 404, 409, 400, 400]);
    const failed = await api().post('/fhir/$verify').set('Content-Type', FHIR).send(batch(reviewer, cases[1]));
    expect(failed.body.issue[0].diagnostics).toMatch(/^target\[1\] Observation\/missing: /);
    expect(await version(`Condition/${s.condition.id}`)).toBe('1');
    expect(await version(`Observation/${s.observation.id}`)).toBe('1');
    expect(await provenanceCount(`Condition/${s.condition.id}`)).toBe(1);
    expect((await api().post('/fhir/$verify').set('Content-Type', FHIR).send({ resourceType: 'Parameters', parameter: [] })).status).toBe(400);
  });

  test('$verify inside a transaction Bundle commits with the bundle', async () => {
    const s = await seedFindings(app, 'inbundle');
    const res = await api().post('/fhir').set('Content-Type', FHIR).send({
      resourceType: 'Bundle', type: 'transaction',
      entry: [{ resource: verifyParams('confirm', { reviewer: `Practitioner/${s.doctor.id}` }), request: { method: 'POST', url: `Condition/${s.condition.id}/$verify` } }],
    });
    expect(res.status).toBe(200);
    expect(res.body.entry[0].response.status).toMatch(/^200/);
    expect(await version(`Condition/${s.condition.id}`)).toBe('2');
  });
});
