/** $verify on findings written by the real NLP pipeline ($extract, offline rules engine): the two sides agree on the contract. */
import request from 'supertest';
import { driversUnderTest } from '../support/databases';
import type { TestApp } from '../support/test-app';
import { FHIR, part, seedFindings, startReviewApp, verifyParams } from './fixtures';

describe.each(driversUnderTest())('$verify on extracted findings on %s', (kind) => {
  let app: TestApp;
  beforeAll(async () => { app = await startReviewApp(kind); });
  afterAll(async () => { await app.dispose(); });
  const api = () => request(app.http);

  test('extract a note, confirm a Condition, amend an Observation; re-extraction leaves them alone', async () => {
    const s = await seedFindings(app, 'nlp');
    const extracted = await api().post(`/fhir/DocumentReference/${s.note.id}/$extract`).set('Content-Type', FHIR).send({ resourceType: 'Parameters' });
    expect(extracted.status).toBe(200);
    const written = extracted.body.entry.map((e: any) => e.resource);
    const condition = written.find((r: any) => r.resourceType === 'Condition');
    const observation = written.find((r: any) => r.resourceType === 'Observation');
    const extraction = written.find((r: any) => r.resourceType === 'Provenance');
    expect([condition, observation, extraction].every(Boolean)).toBe(true);
    const reviewer = `Practitioner/${s.doctor.id}`;

    const confirmed = await api().post(`/fhir/Condition/${condition.id}/$verify`).set('Content-Type', FHIR).set('If-Match', `W/"${condition.meta.versionId}"`)
      .send(verifyParams('confirm', { reviewer }));
    expect(confirmed.status).toBe(200);
    const prov = part(confirmed.body, 'provenance')?.resource as any;
    expect(prov.entity).toContainEqual({ role: 'derivation', what: { reference: `Provenance/${extraction.id}` } });

    const amendedValue = { ...observation, valueQuantity: { ...observation.valueQuantity, value: 41.2 } };
    const amended = await api().post(`/fhir/Observation/${observation.id}/$verify`).set('Content-Type', FHIR)
      .send(verifyParams('amend', { reviewer, resource: amendedValue, version: Number(observation.meta.versionId) }));
    expect(amended.status).toBe(200);
    expect((part(amended.body, 'resource')?.resource as any).valueQuantity.value).toBe(41.2);

    const trail = (await api().get(`/fhir/Provenance?target=Condition/${condition.id}`)).body.entry.map((e: any) => e.resource.id).sort();
    expect(trail).toEqual([extraction.id, prov.id].sort());

    await api().post(`/fhir/DocumentReference/${s.note.id}/$extract`).set('Content-Type', FHIR).send({ resourceType: 'Parameters' });
    const after = (await api().get(`/fhir/Condition/${condition.id}`)).body;
    expect(after.verificationStatus.coding[0].code).toBe('confirmed');
    expect((await api().get(`/fhir/Observation/${observation.id}`)).body.valueQuantity.value).toBe(41.2);
  });
});
