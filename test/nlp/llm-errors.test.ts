/** The llm engine when the model server misbehaves: malformed output, 429 + Retry-After, 5xx, timeouts, refused connections. */
import { PermanentExtractionError, TransientExtractionError } from '../../server/nlp/errors';
import { createLlmExtractor, type LlmExtractorOptions } from '../../server/nlp/llm/llm-extractor';
import { modelFinding, startFakeLlmServer, type FakeLlmServer, type ScriptStep } from '../support/fake-llm-server';
import { rulesResources } from './helpers';

const note = 'Secret-Note-7731: high-grade serous ovarian carcinoma, no ascites.';
const reply: ScriptStep = { reply: { findings: [modelFinding({ concept: 'ovarian_cancer', quote: 'high-grade serous ovarian carcinoma' })] } };

const servers: FakeLlmServer[] = [];
afterEach(async () => { await Promise.all(servers.splice(0).map((s) => s.close())); });

async function run(script: ScriptStep[], extra: Partial<LlmExtractorOptions> = {}) {
  const server = await startFakeLlmServer(script);
  servers.push(server);
  const sleeps: number[] = [];
  const engine = createLlmExtractor({
    baseUrl: server.baseUrl, model: 'm', resources: rulesResources(), cache: null,
    sleep: async (ms) => { sleeps.push(ms); }, ...extra,
  });
  const result = await engine.extract({ text: note }).then((findings) => ({ findings, error: undefined }), (error: unknown) => ({ findings: undefined, error }));
  return { ...result, server, sleeps };
}

/** No error may carry the note text (or a server body that echoes it) into logs. */
function expectClean(error: unknown): void {
  expect(error).toBeInstanceOf(Error);
  expect(`${(error as Error).message} ${String((error as Error).cause ?? '')}`).not.toContain('Secret-Note');
}

describe('malformed output', () => {
  it('asks again and succeeds', async () => {
    const r = await run([{ raw: '{"findings": [{"concept": "ovar' }, { raw: '{"items": []}' }, reply]);
    expect(r.error).toBeUndefined();
    expect(r.findings!.map((f) => f.concept)).toEqual(['ovarian_cancer']);
    expect(r.server.requests).toHaveLength(3);
  });

  it('accepts JSON in a markdown fence', async () => {
    const r = await run([{ raw: '```json\n{"findings": []}\n```' }]);
    expect(r).toMatchObject({ error: undefined, findings: [] });
  });

  it('gives up with a PermanentExtractionError after maxRetries', async () => {
    const r = await run([{ raw: 'Sure! Here are the findings: Secret-Note-7731' }, { raw: 'nope' }, { raw: '[]' }, reply]);
    expect(r.error).toBeInstanceOf(PermanentExtractionError);
    expectClean(r.error);
    expect(r.server.requests).toHaveLength(3);
  });

  it('treats malformed tool-call arguments the same way', async () => {
    const r = await run([{ raw: '{"findings": [' }, reply], { method: 'function_calling', maxRetries: 1 });
    expect(r.findings).toHaveLength(1);
    expect(r.server.requests.map((q) => q.mode)).toEqual(['tools', 'tools']);
  });
});

describe('rate limits and outages', () => {
  const tooMany = (retryAfter: string): ScriptStep => ({ status: 429, headers: { 'retry-after': retryAfter }, body: { error: { message: 'rate limited: Secret-Note-7731' } } });

  it('waits as long as Retry-After says, then succeeds', async () => {
    const r = await run([tooMany('2'), reply]);
    expect(r.error).toBeUndefined();
    expect(r.findings).toHaveLength(1);
    expect(r.sleeps).toEqual([2000]);
    expect(r.server.requests).toHaveLength(2);
  });

  it('honours the header for real (Retry-After: 1 delays the retry by about a second)', async () => {
    const started = Date.now();
    const r = await run([tooMany('1'), reply], { sleep: undefined });
    expect(r.findings).toHaveLength(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('after too many 429s throws a TransientExtractionError carrying retryAfterMs', async () => {
    const r = await run([tooMany('3'), tooMany('3'), tooMany('5'), reply], { maxTransientRetries: 2 });
    expect(r.error).toBeInstanceOf(TransientExtractionError);
    expect((r.error as TransientExtractionError).retryAfterMs).toBe(5000);
    expect(r.sleeps).toEqual([3000, 3000]);
    expect(r.server.requests).toHaveLength(3);
    expectClean(r.error);
  });

  it('does not sit out a Retry-After longer than maxRetryWaitMs: the job queue reschedules', async () => {
    const r = await run([tooMany('120'), reply], { maxRetryWaitMs: 30_000 });
    expect(r.error).toBeInstanceOf(TransientExtractionError);
    expect((r.error as TransientExtractionError).retryAfterMs).toBe(120_000);
    expect(r.server.requests).toHaveLength(1);
  });

  it('retries 5xx with growing backoff, then gives up transiently', async () => {
    const ok = await run([{ status: 503 }, { status: 502 }, reply]);
    expect(ok.findings).toHaveLength(1);
    expect(ok.sleeps).toHaveLength(2);
    expect(ok.sleeps[1]).toBeGreaterThan(ok.sleeps[0]);
    const failed = await run([{ status: 500 }, { status: 500 }, { status: 500 }, reply]);
    expect(failed.error).toBeInstanceOf(TransientExtractionError);
    expect((failed.error as Error).message).toMatch(/HTTP 500/);
  });

  it('fails permanently, without retrying, on 4xx (and never quotes the server body)', async () => {
    const r = await run([{ status: 400, body: { error: { message: 'context too long: Secret-Note-7731' } } }, reply]);
    expect(r.error).toBeInstanceOf(PermanentExtractionError);
    expect(r.server.requests).toHaveLength(1);
    expectClean(r.error);
  });
});

describe('timeouts and connection errors', () => {
  it('a request that outlives timeoutMs is a TransientExtractionError', async () => {
    const r = await run([{ delayMs: 3000, then: reply }], { timeoutMs: 250, maxTransientRetries: 0 });
    expect(r.error).toBeInstanceOf(TransientExtractionError);
    expect((r.error as Error).message).toMatch(/timed out/);
    // the client gave up while the server was still sitting on its reply (not after it arrived)
    expect(r.server.requests.map((q) => q.answered)).toEqual([false]);
  });

  it('a timeout is retried like any outage', async () => {
    const r = await run([{ delayMs: 3000, then: reply }, reply], { timeoutMs: 250 });
    expect(r.findings).toHaveLength(1);
    expect(r.server.requests).toHaveLength(2);
  });

  it('a refused connection is a TransientExtractionError', async () => {
    const engine = createLlmExtractor({ baseUrl: 'http://127.0.0.1:9/v1', model: 'm', resources: rulesResources(), maxTransientRetries: 0 });
    const error = await engine.extract({ text: note }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientExtractionError);
    expect((error as Error).message).toMatch(/unreachable/);
    expectClean(error);
  });
});
