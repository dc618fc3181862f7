/** Replays every known-bad input of test/fuzz/corpus against the real app on both drivers (format: corpus/README.md). */
import { driversUnderTest } from '../support/databases';
import { type TestApp, startTestApp } from '../support/test-app';
import { leaks, loadCorpus, sendCase, statusMatches } from './helpers';

const corpus = loadCorpus();

describe.each(driversUnderTest())('fuzz corpus on %s', (kind) => {
  let app: TestApp;
  beforeAll(async () => { app = await startTestApp(kind); });
  afterAll(async () => { await app.dispose(); });

  test('the corpus is not empty', () => {
    expect(corpus.length).toBeGreaterThan(0);
  });

  test.each(corpus.map(({ label, c }) => [label, c] as const))('%s', async (_label, c) => {
    const res = await sendCase(app, c);
    const got = { status: res.status, body: res.text?.slice(0, 300) };
    expect(statusMatches(res.status, c.expectStatus) ? 'as expected' : got).toBe('as expected');
    expect(res.status).toBeLessThan(500);
    expect(leaks(res.text)).toBe(false);
    if (res.status >= 400 && res.text) expect(JSON.parse(res.text).resourceType).toBe('OperationOutcome');
  });
});
