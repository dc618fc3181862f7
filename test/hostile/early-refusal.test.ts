/**
 * A single-resource write (create, update, patch) announced over MAX_RESOURCE_BYTES is refused with
 * 413 before its body is read (issue 12): the server answers while the upload has barely started, so
 * it never holds tens of MB only to refuse them. Bodies without a usable Content-Length (chunked,
 * compressed) are bounded by the same limit while they are read.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import request from 'supertest';
import { declaredPlainLength, routeBodyLimit } from '../../server/http/body-read';
import { driversUnderTest } from '../support/databases';
import { type Listening, listenOnLoopback, startTestApp, type TestApp } from '../support/test-app';

const LIMIT = 8 * 1024;

describe('route body limits, pure', () => {
  it('single-resource writes get MAX_RESOURCE_BYTES; searches, operations, Bundles to the base and reads get none', () => {
    for (const [method, path] of [['POST', '/Patient'], ['PUT', '/Patient/a1'], ['PUT', '/Patient'], ['PATCH', '/Observation/o-1']]) expect(routeBodyLimit(method, path, LIMIT)).toBe(LIMIT);
    for (const [method, path] of [['POST', '/'], ['POST', '/Patient/_search'], ['POST', '/Patient/$validate'], ['POST', '/$import'], ['GET', '/Patient'], ['DELETE', '/Patient/a1']]) expect(routeBodyLimit(method, path, LIMIT)).toBeUndefined();
    expect(routeBodyLimit('POST', '/Patient', undefined)).toBeUndefined();
  });

  it('property: the declared length counts only when it is a plain (uncompressed) decimal length', () => {
    const encoding = fc.option(fc.constantFrom('gzip', 'br', 'deflate', 'identity', ' Identity ', 'x-zip'), { nil: undefined });
    const length = fc.oneof(fc.nat({ max: 1e9 }).map(String), fc.string({ maxLength: 12 }));
    fc.assert(fc.property(encoding, fc.option(length, { nil: undefined }), (enc, len) => {
      const headers: IncomingHttpHeaders = { ...(enc !== undefined ? { 'content-encoding': enc } : {}), ...(len !== undefined ? { 'content-length': len } : {}) };
      const plain = enc === undefined || enc.trim().toLowerCase() === 'identity';
      const usable = len !== undefined && /^\s*\d{1,15}\s*$/.test(len);
      expect(declaredPlainLength(headers)).toBe(plain && usable ? Number(len) : undefined);
    }), { seed: 1215, numRuns: 400 });
  });
});

/** Sends headers announcing `length` bytes and only `sent` of them; resolves with the answer the server gives meanwhile. */
function announce(port: number, method: string, path: string, length: number, sent: number): Promise<{ status: number; body: { resourceType?: string; issue?: { code: string; diagnostics: string }[] } }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers: { 'Content-Type': 'application/fhir+json', 'Content-Length': String(length) } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => { text += d.toString(); });
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as never }); req.destroy(); });
    });
    req.on('error', reject);
    req.write('{'.padEnd(sent, ' ')); // the rest of the announced body never comes
  });
}

/** POSTs `body` in two writes: chunked when no Content-Length is given in `headers`. */
function post(port: number, path: string, body: Buffer, headers: Record<string, string> = {}): Promise<{ status: number; body: { issue: { diagnostics: string }[] } }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path, headers: { 'Content-Type': 'application/fhir+json', ...headers } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => { text += d.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as never }));
    });
    req.on('error', reject);
    req.write(body.subarray(0, 10));
    req.end(body.subarray(10));
  });
}

describe.each(driversUnderTest())('early 413 over HTTP on %s', (kind) => {
  let app: TestApp;
  let listening: Listening;
  let port: number;
  beforeAll(async () => {
    app = await startTestApp(kind, { MAX_RESOURCE_BYTES: '8kb', MAX_BODY: '2mb' });
    listening = await listenOnLoopback(app);
    port = listening.port;
  });
  afterAll(async () => {
    await listening.close();
    await app.dispose();
  });

  it('a create, update or patch announced over the limit is 413 while its body is still unsent', async () => {
    for (const [method, path] of [['POST', '/fhir/Patient'], ['PUT', '/fhir/Patient/early-1'], ['PATCH', '/fhir/Patient/early-1']]) {
      const res = await announce(port, method, path, 1024 * 1024, 16);
      expect(res.status).toBe(413);
      expect(res.body.resourceType).toBe('OperationOutcome');
      expect(res.body.issue?.[0].code).toBe('too-costly');
      expect(res.body.issue?.[0].diagnostics).toMatch(/1048576 bytes.*MAX_RESOURCE_BYTES/);
    }
    expect((await request(app.http).get('/fhir/Patient/early-1')).status).toBe(404);
  });

  it('a chunked or gzip body over the limit is 413 naming MAX_RESOURCE_BYTES; the same size to a transaction is read', async () => {
    const big = JSON.stringify({ resourceType: 'Patient', name: [{ text: 'x'.repeat(2 * LIMIT) }] });
    const chunked = await post(port, '/fhir/Patient', Buffer.from(big));
    const gzipped = await post(port, '/fhir/Patient', gzipSync(big), { 'Content-Encoding': 'gzip', 'Content-Length': String(gzipSync(big).length) });
    for (const res of [chunked, gzipped]) {
      expect(res.status).toBe(413);
      expect(res.body.issue[0].diagnostics).toMatch(/MAX_RESOURCE_BYTES/);
    }
    expect(gzipSync(big).length).toBeLessThan(LIMIT); // refused by what it inflates to, not by its Content-Length
    const txn = { resourceType: 'Bundle', type: 'transaction', entry: [1, 2, 3].map((i) => ({ resource: { resourceType: 'Patient', name: [{ family: 'Early', text: 'y'.repeat(LIMIT / 2) }] }, request: { method: 'POST', url: 'Patient' }, fullUrl: `urn:uuid:00000000-0000-4000-8000-00000000000${i}` })) };
    expect((await request(app.http).post('/fhir').set('Content-Type', 'application/fhir+json').send(JSON.stringify(txn))).status).toBe(200);
  });

  it('property: a write is refused before reading exactly when it is a single resource announced over the limit', async () => {
    const target = fc.constantFrom(['POST', '/fhir/Patient'], ['PUT', '/fhir/Observation/p-1'], ['PATCH', '/fhir/Patient/p-1'], ['POST', '/fhir/Patient/_search'], ['POST', '/fhir/Patient/$validate']);
    await fc.assert(fc.asyncProperty(target, fc.integer({ min: LIMIT - 64, max: LIMIT + 64 }), async ([method, path], length) => {
      const single = !path.includes('_search') && !path.includes('$');
      if (!(single && length > LIMIT)) return; // anything else waits for its body: covered by the example above
      const res = await announce(port, method, path, length, 1);
      expect(res.status).toBe(413);
    }), { seed: 1216, numRuns: 40 });
    // and just at the limit, the whole body is read and judged on what it is (here: not JSON → 400)
    const atLimit = await request(app.http).post('/fhir/Patient').set('Content-Type', 'application/fhir+json').send('x'.repeat(LIMIT));
    expect(atLimit.status).toBe(400);
  });
});
