/** Every Synthea bundle in ../shared/data/synthea-r4-bundles loads as a transaction, and reads back. */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { type TestApp, startTestApp } from '../support/test-app';

const DIR = path.resolve(__dirname, '../../../shared/data/synthea-r4-bundles/bundles');

describe('Synthea R4 transaction bundles', () => {
  let app: TestApp;
  beforeAll(async () => { app = await startTestApp(process.env.TEST_DATABASE_URL ? 'pg' : 'pglite'); });
  afterAll(async () => { await app.dispose(); });

  test('all bundles load; every entry is created; references point at stored resources', async () => {
    const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));
    // Organizations and practitioners first, as a real load would.
    files.sort((a, b) => Number(/^[a-z]/.test(b)) - Number(/^[a-z]/.test(a)) || a.localeCompare(b));
    let entries = 0;
    const failures: string[] = [];
    let sampleObservation: string | undefined;
    for (const f of files) {
      const bundle = JSON.parse(readFileSync(path.join(DIR, f), 'utf8')) as { entry: unknown[] };
      const res = await request(app.http).post('/fhir').set('Content-Type', 'application/fhir+json').set('Prefer', 'return=minimal').send(bundle);
      if (res.status !== 200) {
        failures.push(`${f}: ${res.status} ${JSON.stringify(res.body.issue?.[0]).slice(0, 300)}`);
        continue;
      }
      entries += bundle.entry.length;
      expect(res.body.entry).toHaveLength(bundle.entry.length);
      expect(res.body.entry.every((e: { response: { status: string } }) => e.response.status.startsWith('201'))).toBe(true);
      sampleObservation ??= res.body.entry.map((e: { response: { location: string } }) => e.response.location).find((l: string) => l.includes('/Observation/'));
    }
    expect(failures).toEqual([]);
    expect(entries).toBe(17_293);
    const obs = await request(app.http).get(new URL(sampleObservation as string).pathname.replace(/\/_history\/\d+$/, ''));
    expect(obs.status).toBe(200);
    const subject = await request(app.http).get(`/fhir/${obs.body.subject.reference as string}`);
    expect(subject.status).toBe(200);
    expect(subject.body.resourceType).toBe('Patient');
  }, 600_000);
});
