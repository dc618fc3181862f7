/**
 * Patient- and Group-level $export confine the output to Patient compartments: a Group exports exactly
 * its members' compartments (compared type by type with compartment search), Patient level every
 * patient's; Group is a searchable resource; bad Groups and types outside the compartment are 4xx.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { driversUnderTest } from '../support/databases';
import { type TestApp, startTestApp } from '../support/test-app';
import { exportedKeys, kickOff, loadBundles, searchIds, syntheaFiles, waitForManifest } from './export-helpers';

const post = (app: TestApp, type: string, body: object) =>
  request(app.http).post(`/fhir/${type}`).set('Content-Type', 'application/fhir+json').send(body);

describe.each(driversUnderTest())('$export at Patient and Group level (%s)', (kind) => {
  let app: TestApp;
  let dir: string;
  let patients: string[];
  let groupId: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'twinfhir-export-test-'));
    app = await startTestApp(kind, { EXPORT_DIR: dir });
    await loadBundles(app.http, syntheaFiles(3));
    patients = (await searchIds(app.http, '/fhir/Patient')).map((k) => k.split('/')[1]).sort();
    const group = await post(app, 'Group', {
      resourceType: 'Group', type: 'person', actual: true,
      member: [{ entity: { reference: `Patient/${patients[0]}` } }, { entity: { reference: `Patient/${patients[1]}` }, inactive: true }],
    });
    groupId = JSON.parse(group.text).id;
  }, 300_000);
  afterAll(async () => {
    await app.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  test('Group is searchable by member', async () => {
    expect(await searchIds(app.http, `/fhir/Group?member=Patient/${patients[0]}`)).toEqual([`Group/${groupId}`]);
  });

  test('a Group exports exactly its active members\' compartments', async () => {
    const manifest = await waitForManifest(app.http, await kickOff(app.http, `/fhir/Group/${groupId}/$export`));
    const keys = await exportedKeys(app.http, manifest);
    expect(keys.get('Patient')).toEqual([`Patient/${patients[0]}`]);
    expect(keys.has('Organization')).toBe(false);
    for (const [type, exported] of [...keys].filter(([t]) => t !== 'Patient')) {
      expect([...exported].sort()).toEqual((await searchIds(app.http, `/fhir/Patient/${patients[0]}/${type}`)).sort());
    }
    const observations = await searchIds(app.http, `/fhir/Patient/${patients[0]}/Observation`);
    expect(keys.get('Observation')?.length).toBe(observations.length);
  }, 120_000);

  test('Patient level exports every patient\'s compartment and nothing outside it', async () => {
    const manifest = await waitForManifest(app.http, await kickOff(app.http, '/fhir/Patient/$export?_type=Patient,Encounter'));
    const keys = await exportedKeys(app.http, manifest);
    expect((keys.get('Patient') ?? []).map((k) => k.split('/')[1]).sort()).toEqual(patients);
    expect([...(keys.get('Encounter') ?? [])].sort()).toEqual((await searchIds(app.http, '/fhir/Encounter')).sort());
  }, 120_000);

  test('the patient parameter (POST Parameters) narrows a Patient-level export', async () => {
    const res = await request(app.http).post('/fhir/Patient/$export').set({ Prefer: 'respond-async', 'Content-Type': 'application/fhir+json' }).send({
      resourceType: 'Parameters', parameter: [{ name: 'patient', valueReference: { reference: `Patient/${patients[2]}` } }, { name: '_type', valueString: 'Patient,Condition' }],
    });
    expect(res.status).toBe(202);
    const manifest = await waitForManifest(app.http, String(res.headers['content-location']).replace(/^https?:\/\/[^/]+/, ''));
    const keys = await exportedKeys(app.http, manifest);
    expect(keys.get('Patient')).toEqual([`Patient/${patients[2]}`]);
    expect([...(keys.get('Condition') ?? [])].sort()).toEqual((await searchIds(app.http, `/fhir/Condition?patient=${patients[2]}`)).sort());
  }, 120_000);

  test('unknown, descriptive Groups and types outside the compartment are refused', async () => {
    const get = (p: string) => request(app.http).get(p).set('Prefer', 'respond-async');
    expect((await get('/fhir/Group/nope/$export')).status).toBe(404);
    const descriptive = JSON.parse((await post(app, 'Group', { resourceType: 'Group', type: 'person', actual: false })).text).id as string;
    expect((await get(`/fhir/Group/${descriptive}/$export`)).status).toBe(400);
    expect((await get('/fhir/Patient/$export?_type=Organization')).status).toBe(400);
    expect((await get('/fhir/Observation/$export')).status).toBe(404);
  });
});
