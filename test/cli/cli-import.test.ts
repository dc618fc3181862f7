/**
 * `twinfhir import` against a listening server: Bundles and NDJSON land, bad lines and refused entries are
 * reported with their OperationOutcome, progress is printed, and a run killed half-way resumes with no
 * duplicates and no gaps.
 */
import { writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import path from 'node:path';
import fc from 'fast-check';
import request from 'supertest';
import { driversUnderTest } from '../support/databases';
import { type TestApp, startTestApp } from '../support/test-app';
import { bundledCli, cli, listen, spawnCli, tempDir } from './cli-support';

const patient = (i: number, extra: object = {}) => JSON.stringify({ resourceType: 'Patient', identifier: [{ system: 'urn:cli-test', value: `p${i}` }], name: [{ family: `Line${i}` }], ...extra });

describe.each(driversUnderTest())('twinfhir import on %s', (kind) => {
  let app: TestApp;
  let server: Server;
  let base: string;
  beforeAll(async () => { app = await startTestApp(kind); ({ server, base } = await listen(app)); });
  afterAll(async () => { await new Promise((r) => server.close(r)); await app.dispose(); });
  const count = async (query: string): Promise<number> => (await request(app.http).get(`/fhir/${query}${query.includes('?') ? '&' : '?'}_summary=count`)).body.total as number;

  test('a folder of a transaction Bundle and NDJSON: everything lands; a bad line and a refused entry are reported', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'a-bundle.json'), JSON.stringify({
      resourceType: 'Bundle', type: 'transaction',
      entry: [{ fullUrl: 'urn:uuid:4a0c2f44-0b53-4b6e-a0c4-a5c1b4a9d001', resource: { resourceType: 'Patient', name: [{ family: 'Bundled' }] }, request: { method: 'POST', url: 'Patient' } }],
    }));
    const lines = Array.from({ length: 120 }, (_, i) => patient(i, { identifier: [{ system: 'urn:cli-a', value: `${i}` }] }));
    lines[40] = '{ this is not json';
    lines[77] = patient(77, { identifier: [{ system: 'urn:cli-a', value: '77' }], gender: 'robot' });
    writeFileSync(path.join(dir, 'b-patients.ndjson'), `${lines.join('\n')}\n`);
    const run = await cli(['--server', base, 'import', dir, '--progress', 'plain', '--chunk-size', '25']);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/imported 119 resources from 2 files/);
    expect(run.stdout).toMatch(/b-patients\.ndjson line 41: not sent line 41: not JSON/);
    expect(run.stdout).toMatch(/b-patients\.ndjson line 78: 4\d\d error .*gender/);
    expect(run.stderr).toMatch(/progress: 121\/121 resources/);
    expect(await count('Patient?identifier=urn:cli-a|')).toBe(118);
    expect(await count('Patient?family=Bundled')).toBe(1);
  });

  test('a re-run with the resume log skips what landed; stable ids never duplicate', async () => {
    const dir = tempDir();
    const state = path.join(dir, 'state.log');
    writeFileSync(path.join(dir, 'p.ndjson'), Array.from({ length: 60 }, (_, i) => patient(i, { identifier: [{ system: 'urn:cli-b', value: `${i}` }] })).join('\n'));
    const first = await cli(['--server', base, 'import', path.join(dir, 'p.ndjson'), '--state', state, '--progress', 'none', '--chunk-size', '20']);
    expect(first.code).toBe(0);
    const again = await cli(['--server', base, 'import', path.join(dir, 'p.ndjson'), '--state', state, '--progress', 'none', '--chunk-size', '20']);
    expect(again.stdout).toMatch(/0 requests sent, 3 skipped/);
    const noState = await cli(['--server', base, 'import', path.join(dir, 'p.ndjson'), '--progress', 'none']);
    expect(noState.code).toBe(0);
    expect(await count('Patient?identifier=urn:cli-b|')).toBe(60);
  });

  test('killed half-way (SIGKILL), then resumed: exactly every resource once', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'many.ndjson');
    const state = path.join(dir, 'state.log');
    const n = 800;
    writeFileSync(file, Array.from({ length: n }, (_, i) => patient(i, { identifier: [{ system: 'urn:cli-kill', value: `${i}` }] })).join('\n'));
    const child = spawnCli(await bundledCli(), ['--server', base, 'import', file, '--state', state, '--progress', 'plain', '--chunk-size', '10', '--concurrency', '2']);
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (/progress: ([1-9]\d{2,})\//.test(child.stderrText())) { clearInterval(timer); child.kill('SIGKILL'); resolve(); }
      }, 20);
      child.once('exit', () => { clearInterval(timer); reject(new Error(`finished before it could be killed: ${child.stderrText()}`)); });
    });
    const partial = await count('Patient?identifier=urn:cli-kill|');
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(n);
    const resumed = await cli(['--server', base, 'import', file, '--state', state, '--progress', 'none', '--chunk-size', '10']);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(/[1-9]\d* skipped as already imported/);
    expect(await count('Patient?identifier=urn:cli-kill|')).toBe(n);
  }, 120_000);

  test('any NDJSON content: exit 0 or 1, never a crash, and the summary accounts for every line', async () => {
    const line = fc.oneof(fc.string({ maxLength: 40 }), fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)),
      fc.integer({ min: 0, max: 999 }).map((i) => patient(i, { identifier: [{ system: 'urn:cli-prop', value: `${i}` }] })));
    await fc.assert(fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 12 }), async (lines) => {
      const file = path.join(tempDir(), 'prop.ndjson');
      writeFileSync(file, lines.join('\n'));
      const run = await cli(['--server', base, 'import', file, '--progress', 'none', '--chunk-size', '5', '--retries', '1']);
      expect([0, 1]).toContain(run.code);
      const m = /imported (\d+) resources .* (\d+) failed/.exec(run.stdout);
      expect(m).not.toBeNull();
      expect(Number(m?.[1]) + Number(m?.[2])).toBe(lines.filter((l) => l.trim()).length);
    }), { numRuns: 25, seed: 20261206 });
  });
});

describe('twinfhir usage errors', () => {
  test('property: --retries takes a whole number from 0 to 100 and nothing else (exit 2, before any request)', async () => {
    const invalid = fc.oneof(
      fc.integer({ min: 101 }), fc.integer({ max: -1 }),
      fc.double({ noInteger: true, noNaN: true }),
      fc.string({ maxLength: 12 }).filter((v) => { const n = Number(v); return !(Number.isInteger(n) && n >= 0 && n <= 100); }),
    ).map(String);
    await fc.assert(fc.asyncProperty(invalid, async (v) => {
      const run = await cli(['--server', 'http://127.0.0.1:9/fhir', 'extract', 'note.txt', '--patient', 'x', `--retries=${v}`]);
      expect(run.code).toBe(2);
    }), { numRuns: 60, seed: 20261207 });
  });

  test('missing arguments, bad numbers → exit 2 with help text; unreachable server → exit 3', async () => {
    expect((await cli(['import'])).code).toBe(2);
    const bad = await cli(['import', '.', '--concurrency', '0']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--concurrency must be a whole number/);
    expect((await cli(['extract', 'note.txt'])).code).toBe(2); // --patient is required
    const retries = await cli(['extract', 'note.txt', '--patient', 'x', '--retries', '-1']);
    expect(retries.code).toBe(2);
    expect(retries.stderr).toMatch(/--retries must be a whole number from 0 to 100/);
    const help = await cli(['import', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--chunk-size/);
    const dir = tempDir();
    writeFileSync(path.join(dir, 'n.txt'), 'Ovarian cancer.');
    const down = await cli(['--server', 'http://127.0.0.1:9/fhir', 'extract', path.join(dir, 'n.txt'), '--patient', 'x']);
    expect(down.code).toBe(3);
    expect(down.stderr).toMatch(/no answer from the server/);
  });
});
