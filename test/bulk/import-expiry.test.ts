/**
 * Import retention: an ended import job (completed or cancelled) and its error file are removed
 * IMPORT_RETENTION_MS after it ended by a runner job due then; its status URL answers 404 from that instant on.
 */
import request from 'supertest';
import { driversUnderTest } from '../support/databases';
import { type TestApp, startTestApp } from '../support/test-app';
import { awaitImport, statusPath, uploadImport } from './import-support';

// The test must see the ended job (status, Expires, error file: four requests after it ended) before it expires:
// 1.5 s was missed on a loaded machine (and with 400 ms per status request); 6 s keeps 3x that margin.
const RETENTION_MS = 6000;

describe.each(driversUnderTest())('$import retention (%s)', (kind) => {
  let app: TestApp;
  beforeAll(async () => { app = await startTestApp(kind, { IMPORT_RETENTION_MS: String(RETENTION_MS), BASE_URL: 'http://fhir.test/fhir' }); });
  afterAll(async () => { await app.dispose(); });

  async function until404(path: string): Promise<number> {
    const stop = Date.now() + 30_000;
    while ((await request(app.http).get(path)).status !== 404 && Date.now() < stop) await new Promise((r) => setTimeout(r, 200));
    return (await request(app.http).get(path)).status;
  }
  const idOf = (path: string): string => path.split('/').pop() ?? '';
  /** The runner's expire job removes the row itself (not just the status check): poll the store. */
  async function removed(id: string): Promise<boolean> {
    const stop = Date.now() + 30_000;
    while ((await app.store.bulkImport.get(id)) && Date.now() < stop) await new Promise((r) => setTimeout(r, 200));
    return (await app.store.bulkImport.get(id)) === null;
  }

  test('a completed job, its manifest and its error file are gone after the retention time', async () => {
    const path = await uploadImport(app.http, '{"resourceType":"Patient","id":"ret-1"}\nnot json\n');
    const { manifest } = await awaitImport(app.http, path);
    const done = await request(app.http).get(path);
    expect(done.status).toBe(200);
    const expires = Date.parse(String(done.headers.expires));
    expect(expires).toBeGreaterThan(Date.now() - RETENTION_MS);
    expect(expires).toBeLessThanOrEqual(Date.now() + RETENTION_MS + 1000);
    const errors = statusPath(manifest.error[0].url);
    expect((await request(app.http).get(errors)).status).toBe(200);
    expect(await until404(path)).toBe(404);
    expect((await request(app.http).get(errors)).status).toBe(404);
    expect(await removed(idOf(path))).toBe(true);
    // What the job wrote stays.
    expect((await request(app.http).get('/fhir/Patient/ret-1')).status).toBe(200);
  }, 60_000);

  test('a cancelled job expires too', async () => {
    const path = await uploadImport(app.http, '{"resourceType":"Patient","id":"ret-2"}\n');
    expect((await request(app.http).delete(path)).status).toBe(202);
    expect(await until404(path)).toBe(404);
    expect(await removed(idOf(path))).toBe(true);
  }, 60_000);
});
