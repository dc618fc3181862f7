/**
 * Hostile input to $import, as properties: any NDJSON (garbage, truncated JSON, control characters,
 * invalid UTF-8, over-long lines, valid resources in between) finishes the job with every valid line
 * written once and every other non-blank line reported; any Parameters body is answered 202 or 4xx,
 * never 5xx, and a refused kick-off leaves no job. The line splitter gives the same lines whatever
 * the chunking, and resuming at any line's end offset yields exactly the lines after it.
 */
import fc from 'fast-check';
import request from 'supertest';
import { ndjsonLines } from '../../server/bulk/import/ndjson-lines';
import { driversUnderTest } from '../support/databases';
import { type TestApp, startTestApp } from '../support/test-app';
import { awaitImport, countOf, lineOf } from './import-support';

async function* chunked(bytes: Buffer, cuts: number[]): AsyncGenerator<Uint8Array> {
  let at = 0;
  for (const c of [...cuts.map((x) => x % (bytes.length + 1))].sort((a, b) => a - b)) {
    yield bytes.subarray(at, Math.max(at, c));
    at = Math.max(at, c);
  }
  yield bytes.subarray(at);
}

async function collect(gen: AsyncIterable<{ number: number; end: number; bytes?: Buffer; tooLong?: number }>) {
  const out: { number: number; end: number; text?: string; tooLong?: number }[] = [];
  for await (const l of gen) out.push({ number: l.number, end: l.end, ...(l.bytes ? { text: l.bytes.toString('latin1') } : { tooLong: l.tooLong }) });
  return out;
}

describe('ndjsonLines', () => {
  test('chunking never changes the lines; resuming at a line end gives exactly the rest', async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(fc.string({ unit: fc.constantFrom('a', 'b', '{', '"', '\n', '\r', ' ') , maxLength: 40 }), { maxLength: 8 }).map((p) => p.join('')),
      fc.array(fc.nat(), { maxLength: 6 }), fc.integer({ min: 1, max: 12 }),
      async (text, cuts, max) => {
        const bytes = Buffer.from(text, 'latin1');
        const whole = await collect(ndjsonLines(chunked(bytes, []), { offset: 0, line: 0 }, max));
        expect(await collect(ndjsonLines(chunked(bytes, cuts), { offset: 0, line: 0 }, max))).toEqual(whole);
        const expected = text.split('\n');
        if (expected[expected.length - 1] === '') expected.pop();
        expect(whole.map((l) => l.number)).toEqual(expected.map((_, i) => i + 1));
        for (const [i, l] of whole.entries()) {
          // the limit counts the raw line (a CR before the newline included)
          if (expected[i].length <= max) expect(l.text).toBe(expected[i].replace(/\r$/, ''));
          else expect(l.tooLong).toBeGreaterThan(max);
          const rest = await collect(ndjsonLines(chunked(bytes.subarray(l.end), cuts), { offset: l.end, line: l.number }, max));
          expect(rest).toEqual(whole.slice(i + 1));
        }
      },
    ), { numRuns: 150 });
  });
});

const validPatient = (i: number) => JSON.stringify({ resourceType: 'Patient', id: `prop-${i}`, name: [{ family: `P${i}` }] });
const garbage = fc.oneof(
  fc.string({ maxLength: 60 }).map((s) => `x${s}`.replace(/\n/g, ' ')),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)).filter((s) => !s.includes('resourceType')),
  fc.constant('{"resourceType":"Patient","id":"trunc'),
  fc.constant('{"resourceType":"Patient","gender":"sometimes"}'),
  fc.constant('{"resourceType":"Patient","name":[{"family":"a\\u0000b"}]}'),
  fc.constant('{"resourceType":"Patient","id":"\u00ff\u00fe"}'),
  fc.constant(`{"resourceType":"Patient","text":"${'y'.repeat(5000)}"}`),
  fc.constant('{"resourceType":"Patient","id":"../../etc"}'),
  fc.constant('{"resourceType":"Binary","contentType":5}'),
);

describe.each(driversUnderTest())('hostile $import input on %s', (kind) => {
  let app: TestApp;
  let run = 0;
  beforeAll(async () => { app = await startTestApp(kind, { IMPORT_BATCH: '4', IMPORT_MAX_LINE: '4kb', BASE_URL: 'http://fhir.test/fhir' }); });
  afterAll(async () => { await app.dispose(); });

  test('any NDJSON: valid lines written once, every other non-blank line reported with its number', async () => {
    await fc.assert(fc.asyncProperty(fc.array(fc.oneof(fc.constant('valid'), garbage, fc.constant('')), { minLength: 1, maxLength: 14 }), async (kinds) => {
      const base = ++run * 100;
      const lines = kinds.map((k, i) => (k === 'valid' ? validPatient(base + i) : k));
      // invalid UTF-8 bytes ride along on some runs: a lone continuation byte
      const bytes = Buffer.concat(lines.map((l, i) => Buffer.concat([Buffer.from(l), i % 5 === 4 && l ? Buffer.from([0x80]) : Buffer.alloc(0), Buffer.from('\n')])));
      const res = await request(app.http).post('/fhir/$import').set({ 'Content-Type': 'application/fhir+ndjson', Prefer: 'respond-async' }).send(bytes);
      expect(res.status).toBe(202);
      const { manifest, errors } = await awaitImport(app.http, new URL(res.headers['content-location']).pathname);
      const validAt = lines.flatMap((_l, i) => (kinds[i] === 'valid' && i % 5 !== 4 ? [i + 1] : []));
      const nonBlank = lines.flatMap((l, i) => (l.trim() ? [i + 1] : []));
      expect(countOf(manifest, 'Patient') + errors.length).toBe(nonBlank.length);
      expect(errors.map(lineOf).sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual(nonBlank.filter((n) => !validAt.includes(n)));
      for (const n of validAt) {
        const p = await request(app.http).get(`/fhir/Patient/prop-${base + n - 1}`);
        expect([p.status, p.body.meta?.versionId]).toEqual([200, '1']);
      }
    }), { numRuns: 12 });
  });

  test('any Parameters body: 202 or 4xx with an OperationOutcome, never 5xx; a refused kick-off gets no status URL', async () => {
    const url = fc.oneof(fc.webUrl(), fc.constant('Binary/none'), fc.string({ maxLength: 30 }), fc.constant('http://fhir.test/fhir/Binary/x/../y'));
    const part = fc.record({ name: fc.constantFrom('type', 'url', 'other', ''), valueUri: url });
    const param = fc.oneof(
      fc.record({ name: fc.constantFrom('inputFormat', 'inputSource', 'x'), valueCode: fc.constantFrom('application/fhir+ndjson', 'text/csv', '') }),
      fc.record({ name: fc.constantFrom('input', 'storageDetail'), part: fc.array(part, { maxLength: 3 }) }),
      fc.record({ name: fc.constant('input'), valueString: fc.string() }),
      fc.jsonValue({ maxDepth: 2 }),
    );
    const body = fc.oneof(fc.record({ resourceType: fc.constant('Parameters'), parameter: fc.array(param, { maxLength: 5 }) }), fc.jsonValue({ maxDepth: 3 }));
    await fc.assert(fc.asyncProperty(body, async (b) => {
      const res = await request(app.http).post('/fhir/$import').set({ 'Content-Type': 'application/fhir+json', Prefer: 'respond-async' }).send(JSON.stringify(b));
      expect(res.status).toBeLessThan(500);
      expect(res.body.resourceType).toBe('OperationOutcome');
      if (res.status !== 202) expect(res.headers['content-location']).toBeUndefined();
    }), { numRuns: 60 });
  });
});
