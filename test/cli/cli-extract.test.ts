/** `twinfhir extract`: a note file goes in, the provisional findings of its extraction Task come out. */
import { writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import path from 'node:path';
import type { Bundle } from 'fhir/r4';
import request from 'supertest';
import { driversUnderTest } from '../support/databases';
import { type TestApp, startTestApp } from '../support/test-app';
import { cli, listen, tempDir } from './cli-support';

describe.each(driversUnderTest())('twinfhir extract on %s', (kind) => {
  let app: TestApp;
  let server: Server;
  let base: string;
  beforeAll(async () => { app = await startTestApp(kind, { NLP_WORKERS: '1', NLP_POLL_MS: '50' }); ({ server, base } = await listen(app)); });
  afterAll(async () => { await new Promise((r) => server.close(r)); await app.dispose(); });

  test('prints each provisional finding with its quote; --json gives a collection Bundle', async () => {
    const patient = await request(app.http).post('/fhir/Patient').set('Content-Type', 'application/fhir+json').send({ resourceType: 'Patient', name: [{ family: 'Cli' }] });
    const file = path.join(tempDir(), 'note.txt');
    writeFileSync(file, 'Assessment: high-grade serous ovarian carcinoma, FIGO IIIC. CA-125 was 845 U/mL on 2026-03-10.');
    const run = await cli(['--server', base, 'extract', file, '--patient', patient.body.id as string, '--timeout', '60']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Condition\/\S+ \[provisional\] .*363443007.* — "[^"]*ovarian carcinoma[^"]*"$/m);
    expect(run.stdout).toMatch(/^Observation\/\S+ \[provisional\] .*10334-1.* = 845 U\/mL — "CA-125 was 845 U\/mL"/m);
    expect(run.stderr).toMatch(/\d+ provisional findings/);
    const json = await cli(['--server', base, 'extract', file, '--patient', patient.body.id as string, '--json']);
    const bundle = JSON.parse(json.stdout) as Bundle;
    expect(bundle.type).toBe('collection');
    expect(bundle.entry?.map((e) => e.resource?.resourceType)).toEqual(expect.arrayContaining(['Condition', 'Observation']));
  }, 120_000);

  test('a note for an unknown content type is refused before anything is sent', async () => {
    const file = path.join(tempDir(), 'note.xyz');
    writeFileSync(file, 'x');
    const run = await cli(['--server', base, 'extract', file, '--patient', 'p1']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/--content-type/);
  });
});
