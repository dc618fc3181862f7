/**
 * An export survives a restart: the app is stopped in the middle of a job (its runner releases the job
 * between pages), bytes a crash would have written after the last committed page are appended to the
 * file being written, and a new app on the same database finishes the job — no duplicates, no gaps.
 */
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import request from 'supertest';
import { type App, createApp } from '../../server/app';
import { loadConfig } from '../../server/config';
import { createTestDatabase, driversUnderTest, type TestDatabase } from '../support/databases';
import { exportedKeys, kickOff, loadBundles, searchIds, syntheaFiles, waitForManifest } from './export-helpers';

describe.each(driversUnderTest())('$export across a restart (%s)', (kind) => {
  let db: TestDatabase;
  let dir: string;
  let dataDir: string;
  const open = (workers: number): Promise<App> => createApp(loadConfig({
    DATA_DIR: dataDir, LOG_LEVEL: 'silent', NLP_WORKERS: '0', TWIN_WORKERS: '0', EXPORT_DIR: dir, EXPORT_PAGE_SIZE: '5', EXPORT_WORKERS: String(workers),
    ...(db.databaseUrl ? { DATABASE_URL: db.databaseUrl } : {}),
  }), { logger: pino({ level: 'silent' }) });

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    dir = mkdtempSync(path.join(os.tmpdir(), 'twinfhir-export-test-'));
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'twinfhir-export-db-'));
  });
  afterAll(async () => {
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('stopped mid-job with a torn page on disk, it finishes exactly once per resource', async () => {
    let app = await open(1);
    await loadBundles(app.http, syntheaFiles(1));
    const status = await kickOff(app.http, '/fhir/$export?_type=Patient,Encounter,Observation,Condition,Procedure');
    const jobId = new URLSearchParams(status.split('?')[1]).get('_jobId') ?? '';
    // Wait until some pages are committed, then stop while the job runs.
    for (;;) {
      const res = await request(app.http).get(status);
      expect(res.status).toBe(202);
      expect(res.headers['retry-after']).toMatch(/^\d+$/);
      if (/, [1-9]\d* resources/.test(String(res.headers['x-progress']))) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    await app.close();
    // Between runs: a crash would leave bytes after the committed offset of the file being written.
    app = await open(0);
    const job = await app.store.bulkExport.getJob(jobId);
    expect(job?.status).toBe('running');
    const current = job?.progress.types.find((t) => !t.done);
    expect(current).toBeDefined();
    appendFileSync(path.join(dir, jobId, `${current?.type}.ndjson`), '{"resourceType":"Observation","id":"torn-wr');
    await app.close();

    app = await open(1);
    try {
      const manifest = await waitForManifest(app.http, status);
      const keys = await exportedKeys(app.http, manifest);
      for (const o of manifest.output) {
        const exported = keys.get(o.type) ?? [];
        expect(new Set(exported).size).toBe(exported.length);
        expect([...exported].sort()).toEqual((await searchIds(app.http, `/fhir/${o.type}`)).sort());
      }
      expect(manifest.output.map((o) => o.type).sort()).toEqual(['Condition', 'Encounter', 'Observation', 'Patient', 'Procedure']);
    } finally {
      await app.close();
    }
  }, 300_000);
});
