/** The review queue: $review-summary per patient, and the standard searches the review page relies on. */
import request from 'supertest';
import { driversUnderTest } from '../support/databases';
import type { TestApp } from '../support/test-app';
import { fixedClock } from '../support/test-clock';
import { FHIR, PROVISIONAL_TAG, part, seedFindings, verifyParams, startReviewApp } from './fixtures';

describe.each(driversUnderTest())('review queue on %s', (kind) => {
  let app: TestApp;
  // Injected: "longest waiting first" is checked on instants the test chose, not on how fast it ran.
  const clock = fixedClock('2025-02-01T09:00:00Z');
  beforeAll(async () => { app = await startReviewApp(kind, { clock }); });
  afterAll(async () => { await app.dispose(); });
  const api = () => request(app.http);

  test('$review-summary counts pending findings per patient, longest waiting first, with names', async () => {
    const empty = await api().get('/fhir/$review-summary');
    expect(empty.status).toBe(200);
    expect(empty.body).toEqual({ resourceType: 'Parameters', parameter: [{ name: 'total', valueInteger: 0 }] });

    const adamsAt = clock.set('2025-02-01T09:00:00Z');
    const first = await seedFindings(app, 'qa', 'Adams');
    const bakerAt = clock.set('2025-02-01T09:05:00Z');
    const second = await seedFindings(app, 'qb', 'Baker');
    clock.set('2025-02-01T09:10:00Z');
    // a second pending Condition for Baker, and one of Adams's findings decided
    await api().put(`/fhir/Condition/qb-cond2`).set('Content-Type', FHIR).send({ ...second.condition, id: 'qb-cond2' });
    await api().post(`/fhir/Observation/${first.observation.id}/$verify`).set('Content-Type', FHIR)
      .send(verifyParams('confirm', { reviewer: `Practitioner/${first.doctor.id}` }));

    const res = await api().get('/fhir/$review-summary');
    expect(res.status).toBe(200);
    expect(part(res.body, 'total')?.valueInteger).toBe(4);
    const subjects = res.body.parameter.filter((p: any) => p.name === 'subject').map((p: any) => Object.fromEntries(
      p.part.map((x: any) => [x.name, x.valueInteger ?? x.valueInstant ?? x.valueReference]),
    ));
    expect(subjects.map((s: any) => s.subject)).toEqual([
      { reference: 'Patient/qa-pat', display: 'Jane Adams' },
      { reference: 'Patient/qb-pat', display: 'Jane Baker' },
    ]);
    expect(subjects.map((s: any) => [s.pending, s.conditions, s.observations])).toEqual([[1, 1, 0], [3, 2, 1]]);
    const adamsCondition = (await api().get(`/fhir/Condition/${first.condition.id}`)).body;
    expect(subjects[0].oldestPending).toBe(adamsCondition.meta.lastUpdated);
    expect(subjects.map((s: any) => s.oldestPending)).toEqual([adamsAt.toISOString(), bakerAt.toISOString()]);
    expect((await api().post('/fhir/$review-summary').set('Content-Type', FHIR).send({ resourceType: 'Parameters' })).status).toBe(405);
  });

  test('provisional Conditions of a patient with their source note (_tag, subject, _sort, _include)', async () => {
    const s = await seedFindings(app, 'qs');
    const q = new URLSearchParams({ _tag: PROVISIONAL_TAG, subject: `Patient/${s.patient.id}`, _sort: '_lastUpdated', _include: 'Condition:evidence-detail' });
    const res = await api().get(`/fhir/Condition?${q}`);
    expect(res.status).toBe(200);
    const byMode = (mode: string) => res.body.entry.filter((e: any) => e.search.mode === mode).map((e: any) => `${e.resource.resourceType}/${e.resource.id}`);
    expect(byMode('match')).toEqual([`Condition/${s.condition.id}`]);
    expect(byMode('include')).toEqual([`DocumentReference/${s.note.id}`]);

    const oq = new URLSearchParams({ _tag: PROVISIONAL_TAG, subject: `Patient/${s.patient.id}`, _include: 'Observation:derived-from' });
    const obs = (await api().get(`/fhir/Observation?${oq}`)).body;
    expect(obs.entry.map((e: any) => [e.search.mode, e.resource.resourceType])).toEqual([['match', 'Observation'], ['include', 'DocumentReference']]);

    await api().post(`/fhir/Condition/${s.condition.id}/$verify`).set('Content-Type', FHIR).send(verifyParams('refute', { reviewer: `Practitioner/${s.doctor.id}` }));
    expect((await api().get(`/fhir/Condition?${q}`)).body.entry ?? []).toEqual([]);
    const refuted = await api().get(`/fhir/Condition?_tag=${encodeURIComponent('https://twinfhir.org/fhir/CodeSystem/twinfhir|refuted')}&subject=Patient/${s.patient.id}`);
    expect(refuted.body.entry.map((e: any) => e.resource.id)).toEqual([s.condition.id]);
  });
});
