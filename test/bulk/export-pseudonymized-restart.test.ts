/**
 * A pseudonymised export survives a restart: the app is stopped while the job runs, a new app on the same
 * database (same PSEUDONYMIZATION_KEY) rebuilds the transform from the stored profile name and finishes;
 * the result equals, line for line, an uninterrupted export of the same data — the pseudonyms written
 * before the restart and after it belong to one consistent mapping (references still resolve).
 */
import type { App } from '../../server/app';
import { driversUnderTest } from '../support/databases';
import { restartFixture, untilPagesCommitted } from './export-restart-fixture';
import { download, kickOff, loadBundles, type Manifest, syntheaFiles, waitForManifest } from './export-helpers';
import { referencesOf } from './pseudonymize-helpers';

const KEY = 'k6H1wqf3VbXJ4m0rT8yZpL2sN9dC5eA7gU1iO3hK6jQ=';
const QUERY = '/fhir/$export?_type=Patient,Encounter,Observation,Condition&_pseudonymize=gdpr-default';

async function linesOf(app: App, manifest: Manifest): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const o of manifest.output) out[o.type] = (await download(app.http, o.url)).map((r) => JSON.stringify(r)).sort();
  return out;
}

describe.each(driversUnderTest())('pseudonymised $export across a restart (%s)', (kind) => {
  const fixture = restartFixture(kind, { PSEUDONYMIZATION_KEY: KEY });
  const open = (workers: number): Promise<App> => fixture.open(workers);

  test('stopped mid-job, it finishes with the same pseudonyms as an uninterrupted export', async () => {
    let app = await open(1);
    await loadBundles(app.http, syntheaFiles(1));
    const status = await kickOff(app.http, QUERY);
    await untilPagesCommitted(app.http, status);
    await app.close();
    app = await open(0);
    const job = await app.store.bulkExport.getJob(new URLSearchParams(status.split('?')[1]).get('_jobId') ?? '');
    expect(job?.status).toBe('running');
    expect(job?.progress.types.some((t) => t.done || t.lines > 0)).toBe(true);
    await app.close();

    app = await open(1);
    try {
      const resumed = await waitForManifest(app.http, status);
      const uninterrupted = await waitForManifest(app.http, await kickOff(app.http, QUERY));
      const a = await linesOf(app, resumed);
      expect(a).toEqual(await linesOf(app, uninterrupted));
      expect(a.Patient).toHaveLength(1);
      const all = Object.values(a).flat().map((l) => JSON.parse(l) as { resourceType: string; id: string });
      const keys = new Set(all.map((r) => `${r.resourceType}/${r.id}`));
      const refs = all.flatMap(referencesOf).filter((ref) => /^(Patient|Encounter)\//.test(ref));
      expect(refs.length).toBeGreaterThan(10);
      expect(refs.filter((ref) => !keys.has(ref))).toEqual([]);
    } finally {
      await app.close();
    }
  }, 300_000);
});
