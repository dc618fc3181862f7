/**
 * Random Bundle entry shapes (null, numbers, strings, arrays, odd requests and resources) against
 * the real app on both drivers: never a 5xx, never a leak, and a refused transaction leaves what is
 * stored exactly as it was (its valid first entry included).
 */
import fc from 'fast-check';
import request from 'supertest';
import { driversUnderTest } from '../support/databases';
import { type TestApp, startTestApp } from '../support/test-app';
import { bundleEntry as entry, validFirstEntry as validFirst } from './arbitraries';
import { leaks, storedFingerprint } from './helpers';

const RUNS = Number(process.env.FUZZ_RUNS ?? 60);
/** Jest's limit for a property test: generous per run, so FUZZ_RUNS can scale a run up. */
const TIMEOUT = 60_000 + RUNS * 500;
const SEED = Number(process.env.FUZZ_SEED ?? 4242);

describe.each(driversUnderTest())('bundle entry shapes on %s', (kind) => {
  let app: TestApp;
  beforeAll(async () => { app = await startTestApp(kind); });
  afterAll(async () => { await app.dispose(); });

  test('transactions: no 5xx; a refused one changes nothing that is stored', async () => {
    let refused = 0;
    await fc.assert(fc.asyncProperty(fc.array(entry, { minLength: 1, maxLength: 4 }), async (entries) => {
      const before = await storedFingerprint(app);
      const res = await request(app.http).post('/fhir').set('Content-Type', 'application/fhir+json')
        .send({ resourceType: 'Bundle', type: 'transaction', entry: [validFirst, ...entries] });
      expect(res.status).toBeLessThan(500);
      expect(leaks(res.text)).toBe(false);
      if (res.status !== 200) {
        refused++;
        expect(res.body.resourceType).toBe('OperationOutcome');
        expect(await storedFingerprint(app)).toBe(before);
      }
    }), { seed: SEED, numRuns: RUNS });
    // The generator is meant to be hostile: most transactions must have been refused.
    expect(refused).toBeGreaterThan(RUNS / 2);
  }, TIMEOUT);

  test('batches: 200 with a response per entry, none of them a 5xx', async () => {
    await fc.assert(fc.asyncProperty(fc.array(entry, { minLength: 1, maxLength: 4 }), async (entries) => {
      const res = await request(app.http).post('/fhir').set('Content-Type', 'application/fhir+json').send({ resourceType: 'Bundle', type: 'batch', entry: entries });
      expect(res.status).toBe(200);
      expect(leaks(res.text)).toBe(false);
      const responses = (res.body.entry as { response: { status: string } }[]);
      expect(responses).toHaveLength(entries.length);
      for (const r of responses) expect(Number(r.response.status.slice(0, 3))).toBeLessThan(500);
    }), { seed: SEED + 1, numRuns: RUNS });
  }, TIMEOUT);

  test('the issue reproducers: null, number, string and array entries → 400 naming Bundle.entry[i]', async () => {
    for (const [i, bad] of [null, 5, 'x', [1]].entries()) {
      const before = await storedFingerprint(app);
      const res = await request(app.http).post('/fhir').set('Content-Type', 'application/fhir+json')
        .send({ resourceType: 'Bundle', type: 'transaction', entry: [validFirst, bad] });
      expect(res.status).toBe(400);
      expect(res.body.issue[0].expression).toEqual(['Bundle.entry[1]']);
      expect(await storedFingerprint(app)).toBe(before);
      const batch = await request(app.http).post('/fhir').set('Content-Type', 'application/fhir+json').send({ resourceType: 'Bundle', type: 'batch', entry: [bad] });
      expect(batch.status).toBe(200);
      expect(batch.body.entry[0].response.status).toBe('400 Bad Request');
      expect(batch.body.entry[0].response.outcome.issue[0].expression).toEqual(['Bundle.entry[0]']);
      void i;
    }
    const stored = await request(app.http).post('/fhir/Bundle').set('Content-Type', 'application/fhir+json')
      .send({ resourceType: 'Bundle', type: 'batch-response', entry: [{ response: 5 }] });
    expect(stored.status).toBe(422);
    expect(stored.body.issue[0].expression).toEqual(['Bundle.entry[0].response']);
  });
});
