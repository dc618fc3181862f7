/** `twinfhir extract`: a note file goes in, the provisional findings of its extraction Task come out. */
import { writeFileSync } from 'node:fs';
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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
    expect(run).toMatchObject({ code: 0 }); // on failure jest prints the whole run, stderr included
    expect(run.stdout).toMatch(/^Condition\/\S+ \[provisional\] .*363443007.* — "[^"]*ovarian carcinoma[^"]*"$/m);
    expect(run.stdout).toMatch(/^Observation\/\S+ \[provisional\] .*10334-1.* = 845 U\/mL — "CA-125 was 845 U\/mL"/m);
    expect(run.stderr).toMatch(/\d+ provisional findings/);
    const json = await cli(['--server', base, 'extract', file, '--patient', patient.body.id as string, '--json']);
    const bundle = JSON.parse(json.stdout) as Bundle;
    expect(bundle.type).toBe('collection');
    expect(bundle.entry?.map((e) => e.resource?.resourceType)).toEqual(expect.arrayContaining(['Condition', 'Observation']));
  }, 120_000);

  test('a lost answer to the POST and a 503 while polling are retried: one document, one extraction, findings printed', async () => {
    const patient = await request(app.http).post('/fhir/Patient').set('Content-Type', 'application/fhir+json').send({ resourceType: 'Patient', name: [{ family: 'Lossy' }] });
    const lossy = await lossyProxy(new URL(base));
    try {
      const file = path.join(tempDir(), 'note.txt');
      writeFileSync(file, 'Assessment: high-grade serous ovarian carcinoma, FIGO IIIC. CA-125 was 845 U/mL on 2026-03-10.');
      const run = await cli(['--server', lossy.base, 'extract', file, '--patient', patient.body.id as string, '--timeout', '60']);
      expect(run).toMatchObject({ code: 0 });
      expect(lossy.spoiled).toEqual(['POST', 'GET']);
      expect(run.stderr).toMatch(/storing the note: HTTP 502.*retry 1 of 5/);
      expect(run.stderr).toMatch(/polling the extraction Task: HTTP 503.*retry 1 of 5/);
      expect(run.stdout).toMatch(/^Condition\/\S+ \[provisional\] .*363443007/m);
      const docs = await request(app.http).get(`/fhir/DocumentReference?subject=Patient/${patient.body.id as string}`);
      expect(docs.body.total ?? docs.body.entry?.length).toBe(1);
    } finally {
      await new Promise((r) => lossy.server.close(r));
    }
  }, 120_000);

  test('--retries 0 gives up on the first lost answer with exit code 3 and the server\'s message', async () => {
    const lossy = await lossyProxy(new URL(base));
    try {
      const file = path.join(tempDir(), 'note.txt');
      writeFileSync(file, 'No findings here.');
      const run = await cli(['--server', lossy.base, 'extract', file, '--patient', 'p-none', '--retries', '0', '--timeout', '5']);
      expect(run.code).toBe(3);
      expect(run.stderr).toMatch(/HTTP 502/);
    } finally {
      await new Promise((r) => lossy.server.close(r));
    }
  });

  test('a note for an unknown content type is refused before anything is sent', async () => {
    const file = path.join(tempDir(), 'note.xyz');
    writeFileSync(file, 'x');
    const run = await cli(['--server', base, 'extract', file, '--patient', 'p1']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/--content-type/);
  });
});

/**
 * A proxy that loses the first POST's answer (the server stores the note, the client gets a 502) and
 * answers the first GET of a Task search with a 503 — what a client sees from a busy or flaky gateway.
 */
async function lossyProxy(target: URL): Promise<{ server: Server; base: string; spoiled: string[] }> {
  const spoiled: string[] = [];
  const server = http.createServer((req, res) => {
    const firstPost = req.method === 'POST' && !spoiled.includes('POST');
    const firstPoll = req.method === 'GET' && req.url?.includes('/Task?') && !spoiled.includes('GET');
    if (firstPoll) {
      spoiled.push('GET');
      res.writeHead(503, { 'Content-Type': 'application/fhir+json', 'Retry-After': '0' })
        .end(JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'transient', diagnostics: 'busy' }] }));
      return;
    }
    const upstream = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
      if (firstPost) {
        spoiled.push('POST');
        up.resume();
        up.on('end', () => res.writeHead(502, { 'Content-Type': 'text/plain' }).end('bad gateway'));
        return;
      }
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    req.pipe(upstream);
  });
  server.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}${target.pathname}`, spoiled };
}
