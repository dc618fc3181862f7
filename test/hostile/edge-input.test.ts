/**
 * Strings and bodies checked at the edge (issue 12): control characters, lone surrogates, invalid
 * UTF-8, malformed JSON and bodies that lie about their Content-Encoding are 4xx OperationOutcomes.
 */
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import request from 'supertest';
import { driversUnderTest } from '../support/databases';
import { startTestApp, type TestApp } from '../support/test-app';

const FHIR = 'application/fhir+json';

describe.each(driversUnderTest())('edge input on %s', (kind) => {
  let app: TestApp;
  beforeAll(async () => { app = await startTestApp(kind); });
  afterAll(async () => { await app.dispose(); });
  const post = (body: string | Buffer, headers: Record<string, string> = {}) =>
    // serialize: superagent would JSON-encode a Buffer as {"type":"Buffer",...}; send the bytes as they are
    request(app.http).post('/fhir/Patient').set({ 'Content-Type': FHIR, ...headers }).serialize((b: unknown) => b as string).send(body);
  const outcome = (res: request.Response, status: number): { diagnostics: string; expression?: string[] } => {
    expect(res.status).toBe(status);
    expect(res.body.resourceType).toBe('OperationOutcome');
    expect(res.text).not.toMatch(/at .*\.(ts|js):\d+/);
    return res.body.issue[0];
  };

  it('NUL and other forbidden control characters in a body string are 400 naming the element', async () => {
    const nul = outcome(await post('{"resourceType":"Patient","name":[{"family":"a\\u0000b"}]}'), 400);
    expect(nul.expression).toEqual(['Patient.name[0].family']);
    expect(nul.diagnostics).toMatch(/U\+0000/);
    expect(outcome(await post('{"resourceType":"Patient","gender":"male\\u001f"}'), 400).expression).toEqual(['Patient.gender']);
    expect(outcome(await post('{"resourceType":"Patient","name":[{"text":"x"}],"b\\u0001":1}'), 400).diagnostics).toMatch(/element name/);
  });

  it('tab, CR and LF are allowed', async () => {
    expect((await post(JSON.stringify({ resourceType: 'Patient', name: [{ text: 'a\tb\r\nc' }] }))).status).toBe(201);
  });

  it('a lone surrogate is 400; a proper pair is fine', async () => {
    expect(outcome(await post('{"resourceType":"Patient","name":[{"family":"\\ud800"}]}'), 400).diagnostics).toMatch(/surrogate/);
    expect(outcome(await post('{"resourceType":"Patient","name":[{"family":"x\\udc00"}]}'), 400).diagnostics).toMatch(/surrogate/);
    expect((await post('{"resourceType":"Patient","name":[{"family":"\\ud83d\\ude00"}]}')).status).toBe(201);
  });

  it('invalid UTF-8 and malformed JSON are 400', async () => {
    const bytes = Buffer.concat([Buffer.from('{"resourceType":"Patient","name":[{"family":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}]}')]);
    expect(outcome(await post(bytes), 400).diagnostics).toMatch(/UTF-8/);
    outcome(await post('{"resourceType":'), 400);
    outcome(await post('nul\u0000l'), 400);
  });

  it('a body that claims gzip, deflate or br but is not is 400; an unknown encoding is 415', async () => {
    const plain = JSON.stringify({ resourceType: 'Patient' });
    for (const enc of ['gzip', 'deflate', 'br']) {
      expect(outcome(await post(plain, { 'Content-Encoding': enc }), 400).diagnostics).toMatch(/Content-Encoding|could not be read/);
    }
    const truncated = gzipSync(plain).subarray(0, 12);
    outcome(await post(truncated, { 'Content-Encoding': 'gzip' }), 400);
    outcome(await post(plain, { 'Content-Encoding': 'compress' }), 415);
    outcome(await post(plain, { 'Content-Encoding': 'x-bogus' }), 415);
  });

  it('real gzip, deflate and br bodies are accepted', async () => {
    const plain = JSON.stringify({ resourceType: 'Patient', name: [{ family: 'Zip' }] });
    for (const [enc, body] of [['gzip', gzipSync(plain)], ['deflate', deflateSync(plain)], ['br', brotliCompressSync(plain)]] as const) {
      expect((await post(body, { 'Content-Encoding': enc })).status).toBe(201);
    }
  });

  it('arbitrary bytes under any Content-Encoding never give a 5xx', async () => {
    const bytes = fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ maxLength: 200 }).map((b) => Uint8Array.from(gzipSync(b).subarray(0, 10 + (b.length % 20)))));
    await fc.assert(
      fc.asyncProperty(bytes, fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'x-unknown'), async (b, enc) => {
        const res = await post(Buffer.from(b), { 'Content-Encoding': enc });
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
      }),
      { numRuns: 60, seed: 12 },
    );
  });

  it('arbitrary strings in a body never give a 5xx; forbidden ones are 400', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 20 }), async (s) => {
        const res = await post(JSON.stringify({ resourceType: 'Patient', name: [{ family: s }] }));
        expect(res.status).toBeLessThan(500);
        // eslint-disable-next-line no-control-regex -- matching control characters is the point
        const forbidden = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/.test(s) || !isWellFormed(s);
        if (forbidden) expect(res.status).toBe(400);
      }),
      { numRuns: 60, seed: 12 },
    );
  });
});

function isWellFormed(s: string): boolean {
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);
}
