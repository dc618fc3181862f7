/**
 * An export is a snapshot as of its transactionTime: resources changed after the kick-off are exported in
 * the version current at that instant (from the history), deleted ones as they were, new ones not at all.
 * The job is kicked off on an app without a runner and the data changed before a runner picks it up, so the
 * changes land in the middle of the export deterministically.
 */
import request from 'supertest';
import type { App } from '../../server/app';
import { systemContext } from '../../server/core/access-context';
import { driversUnderTest } from '../support/databases';
import { restartFixture } from './export-restart-fixture';
import { download, kickOff, waitForManifest } from './export-helpers';

type Json = { resourceType: string; id: string; meta?: { versionId?: string }; [k: string]: unknown };

const obs = (id: string, status: string, value: number): Json => ({
  resourceType: 'Observation', id, status, code: { text: 'glucose' }, subject: { reference: 'Patient/snap-p' }, valueQuantity: { value, unit: 'mmol/L' },
});

async function put(app: App, r: Json): Promise<void> {
  const res = await request(app.http).put(`/fhir/${r.resourceType}/${r.id}`).set('Content-Type', 'application/fhir+json').send(r);
  expect([200, 201]).toContain(res.status);
}

describe.each(driversUnderTest())('$export as of its transactionTime (%s)', (kind) => {
  const fixture = restartFixture(kind);

  test('updates, deletes and creates after the kick-off do not show; what was current then does', async () => {
    let app = await fixture.open(0);
    const status = await (async () => {
      try {
        await put(app, { resourceType: 'Patient', id: 'snap-p', name: [{ family: 'Before' }] });
        for (let i = 0; i < 12; i++) await put(app, obs(`snap-${i}`, 'final', i));
        const kicked = await kickOff(app.http, '/fhir/$export?_type=Patient,Observation&_since=2000-01-01T00:00:00Z');
        await put(app, { resourceType: 'Patient', id: 'snap-p', name: [{ family: 'After' }] });
        await put(app, obs('snap-3', 'amended', 300));
        await put(app, obs('snap-3', 'corrected', 3000));
        expect((await request(app.http).delete('/fhir/Observation/snap-7')).status).toBeLessThan(300);
        await put(app, obs('snap-new', 'final', 99));
        return kicked;
      } finally {
        await app.close();
      }
    })();
    app = await fixture.open(1);
    try {
      const manifest = await waitForManifest(app.http, status);
      const byType = new Map<string, Json[]>();
      for (const o of manifest.output) byType.set(o.type, [...(byType.get(o.type) ?? []), ...(await download(app.http, o.url))]);
      const patients = byType.get('Patient') ?? [];
      expect(patients.map((p) => p.name)).toEqual([[{ family: 'Before' }]]);
      const observations = new Map((byType.get('Observation') ?? []).map((o) => [o.id, o]));
      expect([...observations.keys()].sort()).toEqual(Array.from({ length: 12 }, (_, i) => `snap-${i}`).sort());
      expect(observations.get('snap-3')).toMatchObject({ status: 'final', valueQuantity: { value: 3 }, meta: { versionId: '1' } });
      expect(observations.get('snap-7')).toMatchObject({ status: 'final', meta: { versionId: '1' } });
      expect(manifest.output.find((o) => o.type === 'Observation')?.count).toBe(12);
      // …while the server itself has moved on.
      expect(JSON.parse((await request(app.http).get('/fhir/Observation/snap-3')).text).status).toBe('corrected');
      // The store's export read confines a restricted context by its row restriction, on the snapshot version too.
      const until = new Date(manifest.transactionTime);
      const read = (patient: string) => app.store.bulkExport.rows({ ...systemContext('t'), readRestriction: { patient, exemptTypes: [] } }, { resourceType: 'Observation', filters: [], until }, '0', 100);
      expect((await read('snap-p')).map((r) => (JSON.parse(r.json) as Json).id).sort()).toEqual([...observations.keys()].sort());
      expect(await read('someone-else')).toEqual([]);
    } finally {
      await app.close();
    }
  }, 300_000);
});
