/**
 * `twinfhir export` against a real test server over HTTP: kick-off, polling with progress on stderr, every
 * file downloaded into the folder with the counts the manifest gives; --type/--type-filter/--patient/--group;
 * a refused kick-off exits 3 with the server's OperationOutcome text; usage errors exit 2.
 */
import { readFileSync, readdirSync } from 'node:fs';
import type { Server } from 'node:http';
import path from 'node:path';
import request from 'supertest';
import { driversUnderTest } from '../support/databases';
import { type TestApp, startTestApp } from '../support/test-app';
import { cli, listen, tempDir } from './cli-support';

const lines = (file: string): { resourceType: string; id: string; subject?: { reference?: string } }[] =>
  readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { resourceType: string; id: string });

describe.each(driversUnderTest())('twinfhir export on %s', (kind) => {
  let app: TestApp;
  let server: Server;
  let base: string;
  beforeAll(async () => {
    app = await startTestApp(kind, { EXPORT_DIR: tempDir() });
    ({ server, base } = await listen(app));
    const entry = ['ann', 'bob'].flatMap((p) => [
      { resource: { resourceType: 'Patient', id: p, name: [{ family: p }] }, request: { method: 'PUT', url: `Patient/${p}` } },
      ...[1, 2, 3].map((i) => ({
        resource: { resourceType: 'Observation', id: `${p}-${i}`, status: 'final', code: { text: 'x' }, subject: { reference: `Patient/${p}` },
          category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: i === 1 ? 'laboratory' : 'vital-signs' }] }] },
        request: { method: 'PUT', url: `Observation/${p}-${i}` },
      })),
    ]);
    entry.push({ resource: { resourceType: 'Group', id: 'g', type: 'person', actual: true, member: [{ entity: { reference: 'Patient/bob' } }] } as never, request: { method: 'PUT', url: 'Group/g' } });
    const res = await request(app.http).post('/fhir').set('Content-Type', 'application/fhir+json').send({ resourceType: 'Bundle', type: 'transaction', entry });
    expect(res.status).toBe(200);
  }, 120_000);
  afterAll(async () => { await new Promise((r) => server.close(r)); await app.dispose(); });

  test('system export: every file downloaded with its count, progress on stderr', async () => {
    const out = tempDir();
    const run = await cli(['--server', base, 'export', '--out', out, '--type', 'Patient,Observation', '--poll-max', '1']);
    expect(run.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['Observation.ndjson', 'Patient.ndjson']);
    expect(lines(path.join(out, 'Observation.ndjson'))).toHaveLength(6);
    expect(run.stdout).toMatch(/Observation\.ndjson\tObservation\t6$/m);
    expect(run.stderr).toMatch(/exported 8 resources in 2 files/);
  }, 120_000);

  test('--type-filter, --patient ids and --group narrow the export', async () => {
    const filtered = tempDir();
    expect((await cli(['--server', base, 'export', '-o', filtered, '-t', 'Observation', '--type-filter', 'Observation?category=laboratory', '--poll-max', '1'])).code).toBe(0);
    expect(lines(path.join(filtered, 'Observation.ndjson')).map((r) => r.id).sort()).toEqual(['ann-1', 'bob-1']);
    const one = tempDir();
    expect((await cli(['--server', base, 'export', '-o', one, '--patient', 'ann', '-t', 'Observation', '--poll-max', '1'])).code).toBe(0);
    expect(lines(path.join(one, 'Observation.ndjson')).every((r) => r.subject?.reference === 'Patient/ann')).toBe(true);
    const group = tempDir();
    expect((await cli(['--server', base, 'export', '-o', group, '--group', 'g', '--poll-max', '1'])).code).toBe(0);
    expect(lines(path.join(group, 'Patient.ndjson')).map((r) => r.id)).toEqual(['bob']);
  }, 120_000);

  test('a refused kick-off exits 3 with the reason; bad usage exits 2', async () => {
    const refused = await cli(['--server', base, 'export', '-o', tempDir(), '-t', 'Bogus']);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/HTTP 400.*unknown resource type 'Bogus'/);
    expect((await cli(['--server', base, 'export'])).code).toBe(2);
    expect((await cli(['--server', base, 'export', '-o', tempDir(), '--patient', '--group', 'g'])).code).toBe(2);
    const help = await cli(['export', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--type-filter/);
  });

  test('no server at the URL exits 3', async () => {
    const run = await cli(['--server', 'http://127.0.0.1:9/fhir', 'export', '-o', tempDir()]);
    expect(run.code).toBe(3);
  });
});
