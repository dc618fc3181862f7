/**
 * Large Bundles are written entry by entry (issue 12: a page of big resources must not block the event
 * loop while it is serialised): over real HTTP the text is exactly JSON.stringify's, compact and pretty,
 * whether it went in one piece or chunked.
 */
import express from 'express';
import fc from 'fast-check';
import request from 'supertest';
import { hasEntries, writeBundle } from '../../server/http/bundle-writer';

/** The raw body as text, decoded once at the end (a chunk may end inside a multi-byte character). */
const text = (res: unknown, cb: (err: Error | null, body: string) => void): void => {
  const r = res as NodeJS.ReadableStream;
  const parts: Buffer[] = [];
  r.on('data', (d: Buffer) => parts.push(d));
  r.on('end', () => cb(null, Buffer.concat(parts).toString('utf8')));
};

function appFor(bundle: unknown, pretty: boolean): express.Express {
  const app = express();
  app.get('/b', (_req, res) => {
    res.status(200).set('Content-Type', 'application/fhir+json');
    if (hasEntries(bundle)) void writeBundle(res, bundle, pretty);
    else res.send(JSON.stringify(bundle, null, pretty ? 2 : undefined));
  });
  return app;
}

const entry = fc.record({ fullUrl: fc.string(), resource: fc.record({ resourceType: fc.constant('Patient'), id: fc.string(), extra: fc.jsonValue({ maxDepth: 3 }) }) });
const bundle = fc.record({ resourceType: fc.constant('Bundle'), type: fc.constant('searchset'), link: fc.array(fc.record({ relation: fc.string(), url: fc.string() }), { maxLength: 2 }), entry: fc.array(entry, { maxLength: 6 }) });

describe('Bundle writer', () => {
  it('property: compact and pretty text equal JSON.stringify of the Bundle', async () => {
    await fc.assert(fc.asyncProperty(bundle, fc.boolean(), async (b, pretty) => {
      const res = await request(appFor(b, pretty)).get('/b').buffer(true).parse(text);
      expect(res.body).toBe(JSON.stringify(b, null, pretty ? 2 : undefined));
    }), { seed: 1215, numRuns: 60 });
  });

  it('a 6 MB page is sent chunked, parses back equal, and the event loop turned meanwhile', async () => {
    const big = { resourceType: 'Bundle', type: 'searchset', total: 30, entry: Array.from({ length: 30 }, (_, i) => ({ fullUrl: `P/${i}`, resource: { resourceType: 'Patient', id: `p${i}`, text: 'é'.repeat(100_000) } })) };
    let turns = 0;
    const timer = setInterval(() => { turns++; }, 0);
    const res = await request(appFor(big, false)).get('/b').buffer(true).parse(text);
    clearInterval(timer);
    expect(res.headers['transfer-encoding']).toBe('chunked');
    expect(JSON.parse(res.body as string)).toEqual(big);
    expect(turns).toBeGreaterThan(3);
  });

  it('a small Bundle keeps Content-Length (sent in one piece)', async () => {
    const small = { resourceType: 'Bundle', type: 'searchset', entry: [{ resource: { resourceType: 'Patient', id: 'a' } }, { resource: { resourceType: 'Patient', id: 'b' } }] };
    const res = await request(appFor(small, true)).get('/b');
    expect(res.headers['content-length']).toBeDefined();
    expect(res.text).toBe(JSON.stringify(small, null, 2));
  });
});
