/**
 * Retention: a finished export's status and files are deleted EXPORT_RETENTION_MS after it completed (a job
 * on the runner, due at that time). And `_elements` keeps only the named elements, tagged SUBSETTED.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { driversUnderTest } from '../support/databases';
import { type TestApp, startTestApp } from '../support/test-app';
import { download, kickOff, waitForManifest } from './export-helpers';

describe.each(driversUnderTest())('export retention and _elements (%s)', (kind) => {
  let app: TestApp;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'twinfhir-export-test-'));
    // Long enough for the test to see the finished job and its files (two requests after it completed) under load.
    app = await startTestApp(kind, { EXPORT_DIR: dir, EXPORT_RETENTION_MS: '6000' });
    const res = await request(app.http).put('/fhir/Patient/p1').set('Content-Type', 'application/fhir+json')
      .send({ resourceType: 'Patient', id: 'p1', gender: 'female', birthDate: '1970-01-01', name: [{ family: 'Expiry' }] });
    expect(res.status).toBe(201);
  });
  afterAll(async () => {
    await app.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  test('status and files are gone after the retention time', async () => {
    const status = await kickOff(app.http, '/fhir/$export?_type=Patient');
    const manifest = await waitForManifest(app.http, status);
    const res = await request(app.http).get(status);
    expect(Date.parse(String(res.headers.expires))).toBeGreaterThan(Date.now() - 1000);
    const jobId = new URLSearchParams(status.split('?')[1]).get('_jobId') ?? '';
    expect(existsSync(path.join(dir, jobId))).toBe(true);
    const until = Date.now() + 30_000;
    while ((await request(app.http).get(status)).status !== 404 && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
    expect((await request(app.http).get(status)).status).toBe(404);
    expect((await request(app.http).get(manifest.output[0].url.replace(/^https?:\/\/[^/]+/, ''))).status).toBe(404);
    expect(existsSync(path.join(dir, jobId))).toBe(false);
  }, 60_000);

  test('_elements keeps the named elements (plus id and meta) and tags the resource SUBSETTED', async () => {
    const manifest = await waitForManifest(app.http, await kickOff(app.http, '/fhir/$export?_type=Patient&_elements=gender'));
    const [patient] = await download(app.http, manifest.output[0].url);
    expect(Object.keys(patient).sort()).toEqual(['gender', 'id', 'meta', 'resourceType']);
    expect((patient.meta as { tag: { code: string }[] }).tag.map((t) => t.code)).toContain('SUBSETTED');
  });
});
