/**
 * Property tests of two new input paths on both drivers: `Location?near` (random values never 5xx;
 * random valid ones return exactly the seeded positions whose great-circle distance is within the
 * radius, computed here independently) and raw Binary uploads (random bytes and media types never
 * 5xx; what is stored reads back byte for byte).
 */
import fc from 'fast-check';
import request from 'supertest';
import { driversUnderTest } from '../support/databases';
import { type TestApp, startTestApp } from '../support/test-app';
import { leaks } from './helpers';

const RUNS = Number(process.env.FUZZ_RUNS ?? 60);
/** Jest's limit for a property test: generous per run, so FUZZ_RUNS can scale a run up. */
const TIMEOUT = 60_000 + RUNS * 500;
const SEED = Number(process.env.FUZZ_SEED ?? 777);
const R = 6_371_008.8;

function haversine(lat1: number, lng1: number, lat2: number, lng2: number): number {
  const rad = Math.PI / 180;
  const h = Math.sin(((lat2 - lat1) * rad) / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(((lng2 - lng1) * rad) / 2) ** 2;
  return 2 * R * Math.asin(Math.min(1, Math.sqrt(h)));
}

function rawBytes(res: request.Response, cb: (err: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
}

// Positions spread over the globe, near the poles and on both sides of the antimeridian too.
const POINTS: [number, number][] = [];
for (let lat = -88; lat <= 88; lat += 22) for (let lng = -179; lng <= 179; lng += 29.8) POINTS.push([lat, Math.round(lng * 1000) / 1000]);

describe.each(driversUnderTest())('near and Binary input on %s', (kind) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(kind);
    const entry = POINTS.map(([latitude, longitude], i) => ({
      resource: { resourceType: 'Location', id: `g${i}`, position: { latitude, longitude } }, request: { method: 'PUT', url: `Location/g${i}` },
    }));
    expect((await request(app.http).post('/fhir').set('Content-Type', 'application/fhir+json').send({ resourceType: 'Bundle', type: 'transaction', entry })).status).toBe(200);
  });
  afterAll(async () => { await app.dispose(); });

  test('random near values never give a 5xx', async () => {
    const part = fc.oneof(fc.double({ noNaN: false }).map(String), fc.constantFrom('', 'km', 'm', '[mi_i]', 'kg', '-0', '1e3', '90.0000000000000001', '|'), fc.string({ maxLength: 6 }));
    await fc.assert(fc.asyncProperty(fc.array(part, { maxLength: 5 }), async (parts) => {
      const res = await request(app.http).get(`/fhir/Location?near=${encodeURIComponent(parts.join('|'))}`);
      expect(res.status).toBeLessThan(500);
      expect(leaks(res.text)).toBe(false);
    }), { seed: SEED, numRuns: RUNS });
  }, TIMEOUT);

  test('valid near values return exactly the positions within the great-circle distance', async () => {
    const lat = fc.double({ min: -90, max: 90, noNaN: true }).map((v) => Math.round(v * 1e4) / 1e4);
    const lng = fc.double({ min: -180, max: 180, noNaN: true }).map((v) => Math.round(v * 1e4) / 1e4);
    const km = fc.integer({ min: 1, max: 8000 });
    await fc.assert(fc.asyncProperty(lat, lng, km, async (la, lo, d) => {
      const res = await request(app.http).get(`/fhir/Location?near=${la}|${lo}|${d}|km&_count=1000`);
      expect(res.status).toBe(200);
      const got = ((res.body.entry ?? []) as { resource: { id: string } }[]).map((e) => e.resource.id).sort();
      // Points within a metre of the boundary may fall either way with float rounding: leave them out.
      const inside = POINTS.flatMap(([a, b], i) => (haversine(la, lo, a, b) <= d * 1000 - 1 ? [`g${i}`] : [])).sort();
      const edge = new Set(POINTS.flatMap(([a, b], i) => (Math.abs(haversine(la, lo, a, b) - d * 1000) <= 1 ? [`g${i}`] : [])));
      expect(got.filter((id) => !edge.has(id))).toEqual(inside);
    }), { seed: SEED + 1, numRuns: RUNS });
  }, TIMEOUT);

  test('random raw Binary uploads never give a 5xx, and stored bytes read back exactly', async () => {
    const type = fc.oneof(
      fc.constantFrom('application/pdf', 'image/png', 'text/plain; charset=utf-8', 'application/octet-stream', 'application/xml', 'text/html', 'application/fhir+xml', 'x', '/', 'a/b c', 'application/pdf; x="y"'),
      fc.string({ maxLength: 20 }).filter((s) => /^[\x20-\x7e]*$/.test(s)),
    );
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), type, async (bytes, contentType) => {
      const body = Buffer.from(bytes);
      const res = await request(app.http).post('/fhir/Binary').set('Content-Type', contentType).send(body);
      expect(res.status).toBeLessThan(500);
      expect(leaks(res.text)).toBe(false);
      if (res.status !== 201 || res.body.resourceType !== 'Binary' || !res.body.data) return;
      const media = String(res.body.contentType).split(';')[0].trim();
      const back = await request(app.http).get(`/fhir/Binary/${res.body.id as string}`).set('Accept', media).buffer(true).parse(rawBytes);
      expect(back.status).toBe(200);
      expect(Buffer.compare(back.body as Buffer, body)).toBe(0);
    }), { seed: SEED + 2, numRuns: RUNS });
  }, TIMEOUT);
});
