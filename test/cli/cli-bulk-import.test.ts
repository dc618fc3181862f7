/**
 * `twinfhir import --bulk`: NDJSON goes to the server's $import as an upload (ids kept, one request per
 * file instead of batch Bundles), progress comes from polling, refused lines are reported with their line
 * numbers from the error file; a server without $import in its CapabilityStatement gets the REST import.
 */
import { writeFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import request from 'supertest';
import { driversUnderTest } from '../support/databases';
import { type TestApp, startTestApp } from '../support/test-app';
import { cli, listen, tempDir } from './cli-support';

const patient = (i: number, extra: object = {}) => JSON.stringify({ resourceType: 'Patient', id: `bulk-cli-${i}`, name: [{ family: `Bulk${i}` }], ...extra });

describe.each(driversUnderTest())('twinfhir import --bulk on %s', (kind) => {
  let app: TestApp;
  let server: Server;
  let base: string;
  beforeAll(async () => { app = await startTestApp(kind); ({ server, base } = await listen(app)); });
  afterAll(async () => { await new Promise((r) => server.close(r)); await app.dispose(); });

  test('NDJSON lands through $import with ids kept; refused lines are listed with their numbers', async () => {
    const dir = tempDir();
    const lines = Array.from({ length: 50 }, (_, i) => patient(i));
    lines[9] = '{ not json';
    lines[19] = patient(19, { gender: 'robot' });
    writeFileSync(path.join(dir, 'patients.ndjson'), `${lines.join('\n')}\n`);
    const run = await cli(['--server', base, 'import', dir, '--bulk', '--progress', 'plain']);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/imported 48 resources from 1 files/);
    expect(run.stdout).toMatch(/patients\.ndjson line 10: 422 .*JSON/);
    expect(run.stdout).toMatch(/patients\.ndjson line 20: 422 \S/);
    expect(run.stderr).toMatch(/progress: 50\/50 resources/);
    expect(run.stderr).not.toMatch(/does not offer/);
    const read = await request(app.http).get('/fhir/Patient/bulk-cli-49');
    expect([read.status, read.body.meta?.versionId]).toEqual([200, '1']);
  });

  test('a server without $import: the REST import runs, and says so', async () => {
    const bare = createServer((req, res) => {
      res.setHeader('Content-Type', 'application/fhir+json');
      if (req.url?.endsWith('/metadata')) res.end(JSON.stringify({ resourceType: 'CapabilityStatement', rest: [{ mode: 'server', operation: [] }] }));
      else { res.statusCode = 400; res.end(JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid', diagnostics: 'no' }] })); }
    });
    await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r));
    try {
      const dir = tempDir();
      writeFileSync(path.join(dir, 'p.ndjson'), patient(1));
      const run = await cli(['--server', `http://127.0.0.1:${(bare.address() as AddressInfo).port}/fhir`, 'import', dir, '--bulk', '--progress', 'none', '--retries', '1']);
      expect(run.stderr).toMatch(/does not offer \$import: importing through the REST API/);
      expect(run.code).toBe(1);
    } finally {
      await new Promise((r) => bare.close(r));
    }
  });
});
