/**
 * An export survives a restart: the app is stopped in the middle of a job (its runner releases the job
 * between pages), bytes a crash would have written after the last committed page are appended to the
 * file being written, and a new app on the same database finishes the job — no duplicates, no gaps.
 */
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import type { App } from '../../server/app';
import { driversUnderTest } from '../support/databases';
import { restartFixture, untilPagesCommitted } from './export-restart-fixture';
import { exportedKeys, kickOff, loadBundles, searchIds, syntheaFiles, waitForManifest } from './export-helpers';

describe.each(driversUnderTest())('$export across a restart (%s)', (kind) => {
  const fixture = restartFixture(kind);
  const open = (workers: number): Promise<App> => fixture.open(workers);

  test('stopped mid-job with a torn page on disk, it finishes exactly once per resource', async () => {
    let app = await open(1);
    await loadBundles(app.http, syntheaFiles(1));
    const status = await kickOff(app.http, '/fhir/$export?_type=Patient,Encounter,Observation,Condition,Procedure');
    const jobId = new URLSearchParams(status.split('?')[1]).get('_jobId') ?? '';
    await untilPagesCommitted(app.http, status);
    await app.close();
    // Between runs: a crash would leave bytes after the committed offset of the file being written.
    app = await open(0);
    const job = await app.store.bulkExport.getJob(jobId);
    expect(job?.status).toBe('running');
    const current = job?.progress.types.find((t) => !t.done);
    expect(current).toBeDefined();
    appendFileSync(path.join(fixture.dir, jobId, `${current?.type}.ndjson`), '{"resourceType":"Observation","id":"torn-wr');
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
