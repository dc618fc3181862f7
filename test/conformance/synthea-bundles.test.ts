/** Every Synthea bundle in ../shared/data/synthea-r4-bundles loads as a transaction, and reads back. */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { type ServerProcess, fhirFetch, startServerProcess } from '../support/server-process';

const DIR = path.resolve(__dirname, '../../../shared/data/synthea-r4-bundles/bundles');

describe('Synthea R4 transaction bundles', () => {
  // 17,293 resources: the compiled server in its own process, outside jest's slow sandbox.
  let server: ServerProcess;
  beforeAll(async () => { server = await startServerProcess(process.env.TEST_DATABASE_URL ? 'pg' : 'pglite'); });
  afterAll(async () => { expect(await server.stop()).toBe(0); });

  test('all bundles load; every entry is created; references point at stored resources', async () => {
    const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));
    // Organizations and practitioners first, as a real load would.
    files.sort((a, b) => Number(/^[a-z]/.test(b)) - Number(/^[a-z]/.test(a)) || a.localeCompare(b));
    let entries = 0;
    const failures: string[] = [];
    let sampleObservation: string | undefined;
    for (const f of files) {
      const text = readFileSync(path.join(DIR, f), 'utf8');
      const count = (JSON.parse(text) as { entry: unknown[] }).entry.length;
      const res = await fhirFetch(server.baseUrl, { body: text, headers: { Prefer: 'return=minimal' } });
      if (res.status !== 200) {
        failures.push(`${f}: ${res.status} ${JSON.stringify(res.body?.issue?.[0]).slice(0, 300)}`);
        continue;
      }
      entries += count;
      expect(res.body.entry).toHaveLength(count);
      expect(res.body.entry.every((e: { response: { status: string } }) => e.response.status.startsWith('201'))).toBe(true);
      sampleObservation ??= res.body.entry.map((e: { response: { location: string } }) => e.response.location).find((l: string) => l.includes('/Observation/'));
    }
    expect(failures).toEqual([]);
    expect(entries).toBe(17_293);
    const obs = await fhirFetch((sampleObservation as string).replace(/\/_history\/\d+$/, ''));
    expect(obs.status).toBe(200);
    const subject = await fhirFetch(`${server.baseUrl}/${obs.body.subject.reference as string}`);
    expect(subject.status).toBe(200);
    expect(subject.body.resourceType).toBe('Patient');
    const patients = await fhirFetch(`${server.baseUrl}/Patient?_total=accurate&_count=0`);
    expect(patients.body.total).toBe(80);
  }, 600_000);
});
