/**
 * Replays the known-bad inputs in test/fuzz/corpus against the real app (issue 12). A corpus file:
 *   { description, source, setup?: { resource }, request: { method, path (below /fhir; `{id}` = the
 *     setup resource's id), headers, json | text | base64 }, expect: { status: [allowed statuses] } }
 * Every reply must have an allowed status, never a 5xx, and be an OperationOutcome (or a 2xx FHIR body)
 * without a stack trace or SQL. Files in another shape (other fuzzers' seeds) are skipped here.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { driversUnderTest } from '../support/databases';
import { startTestApp, type TestApp } from '../support/test-app';

interface CorpusCase {
  description: string;
  setup?: { resource: { resourceType: string } };
  request: { method: string; path: string; headers?: Record<string, string>; json?: unknown; text?: string; base64?: string };
  expect: { status: number[] };
}

const DIR = path.resolve(__dirname, '../fuzz/corpus');
const cases = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .map((f) => [f, JSON.parse(readFileSync(path.join(DIR, f), 'utf8')) as Partial<CorpusCase>] as const)
  .filter((c): c is readonly [string, CorpusCase] => !!c[1].request && Array.isArray(c[1].expect?.status));

function bodyOf(r: CorpusCase['request']): string | Buffer | undefined {
  if (r.base64 !== undefined) return Buffer.from(r.base64, 'base64');
  if (r.text !== undefined) return r.text;
  return r.json === undefined ? undefined : JSON.stringify(r.json);
}

describe.each(driversUnderTest())('issue 12 corpus on %s', (kind) => {
  let app: TestApp;
  beforeAll(async () => { app = await startTestApp(kind); });
  afterAll(async () => { await app.dispose(); });

  it('has the issue reproducers', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  it.each(cases)('%s', async (_file, c) => {
    let id = '';
    if (c.setup) {
      const created = await request(app.http).post(`/fhir/${c.setup.resource.resourceType}`).set('Content-Type', 'application/fhir+json').send(JSON.stringify(c.setup.resource));
      expect(created.status).toBe(201);
      id = created.body.id;
    }
    const method = c.request.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete';
    let req = request(app.http)[method](`/fhir/${c.request.path.replace('{id}', id)}`).set(c.request.headers ?? {});
    const body = bodyOf(c.request);
    if (body !== undefined) req = req.serialize((b: unknown) => b as string).send(body);
    const res = await req;
    expect({ description: c.description, allowed: c.expect.status.includes(res.status), status: res.status }).toEqual({ description: c.description, allowed: true, status: res.status });
    expect(res.text).not.toMatch(/at .*\.(ts|js):\d+|SELECT |INSERT INTO/);
    if (res.status >= 400) expect(res.body.resourceType).toBe('OperationOutcome');
    if (c.setup) {
      const after = await request(app.http).get(`/fhir/${c.setup.resource.resourceType}/${id}`);
      if (res.status >= 400) expect(after.body.meta.versionId).toBe('1'); // a refused request changes nothing
    }
  });
});
