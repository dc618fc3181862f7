/**
 * bench/llm: the llm engine's own overhead per note, model time excluded: prompt building, the LangChain client,
 * HTTP, schema validation, grounding, coding and merging. A local OpenAI-compatible fake server answers at once
 * from the development notes' gold annotations; its own handling time (measured with node's http diagnostics
 * channels) is subtracted from each extract()'s wall time. Notes: development notes joined in pairs of 2–4 KB.
 * Both the cache-miss path (every note unique) and the cache-hit path are measured, one note at a time.
 * BENCH_LLM_DEV_DIR overrides where the development notes are read from.
 */
import diagnostics from 'node:diagnostics_channel';
import type { ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { DEFAULT_DEV_DIR, readDevCorpus } from '../server/nlp/eval/corpus';
import type { GoldNote } from '../server/nlp/eval/score';
import type { ExtractInput } from '../server/nlp/finding';
import { createLlmExtractor, type LlmExtractor } from '../server/nlp/llm/llm-extractor';
import { compileRulesResources } from '../server/nlp/rules/engine';
import { modelFinding, startFakeLlmServer } from '../test/support/fake-llm-server';
import { fmt, summarize } from './lib/stats';

const ROUNDS = Number(process.env.BENCH_LLM_ROUNDS ?? 10);
const TARGET_MS = 50;
const MIN_BYTES = 2048;
const MAX_BYTES = 4096;

/** Every gold item of the corpus as the model would state it; a note's answer is the items quoted in it. */
function goldAnswers(dev: GoldNote[]): Array<{ quote: string; item: Record<string, unknown> }> {
  return dev.flatMap((n) => [
    ...n.gold.conditions.map((c) => ({ quote: c.quote, item: modelFinding({ concept: c.concept, quote: c.quote, assertion: c.assertion, ...(c.attributes ?? {}) }) })),
    ...n.gold.observations.map((o) => ({ quote: o.quote, item: modelFinding({ concept: o.concept, quote: o.quote, value: o.value, unit: o.unit ?? null, date: o.date ?? null }) })),
    ...n.gold.not_conditions.map((c) => ({ quote: c.quote, item: modelFinding({ concept: c.concept, quote: c.quote, assertion: c.assertion }) })),
  ]);
}

/** Development notes joined in pairs (as eval:nlp's 2–4 KB throughput line does), kept when 2–4 KB. */
function pairedNotes(dev: GoldNote[]): ExtractInput[] {
  const out: ExtractInput[] = [];
  for (let step = 1; step < dev.length && out.length < 48; step++) {
    for (let i = 0; i < dev.length; i++) {
      const b = dev[(i + step) % dev.length];
      const text = `${dev[i].text}\n\n${b.text}`;
      const bytes = Buffer.byteLength(text);
      if (dev[i].language === b.language && bytes >= MIN_BYTES && bytes <= MAX_BYTES) out.push({ text, language: dev[i].language, documentDate: dev[i].date });
    }
  }
  return out.slice(0, 48);
}

/** Milliseconds the in-process fake server spent handling requests (request start → response finished). */
function serverClock(): { take(): number; close(): void } {
  const started = new WeakMap<ServerResponse, number>();
  let spent = 0;
  const onStart = (m: unknown): void => { started.set((m as { response: ServerResponse }).response, performance.now()); };
  const onFinish = (m: unknown): void => {
    const t0 = started.get((m as { response: ServerResponse }).response);
    if (t0 !== undefined) spent += performance.now() - t0;
  };
  diagnostics.subscribe('http.server.request.start', onStart);
  diagnostics.subscribe('http.server.response.finish', onFinish);
  return {
    take: () => { const s = spent; spent = 0; return s; },
    close: () => {
      diagnostics.unsubscribe('http.server.request.start', onStart);
      diagnostics.unsubscribe('http.server.response.finish', onFinish);
    },
  };
}

interface Sample { overheadMs: number; serverMs: number; findings: number }

async function timed(engine: LlmExtractor, input: ExtractInput, clock: { take(): number }): Promise<Sample> {
  clock.take();
  const t0 = performance.now();
  const findings = await engine.extract(input);
  const wall = performance.now() - t0;
  const serverMs = clock.take();
  return { overheadMs: wall - serverMs, serverMs, findings: findings.length };
}

function report(label: string, samples: Sample[]): void {
  const s = summarize(samples.map((x) => x.overheadMs));
  const server = summarize(samples.map((x) => x.serverMs));
  const findings = samples.reduce((n, x) => n + x.findings, 0) / Math.max(1, samples.length);
  const verdict = s.p95 < TARGET_MS ? 'within' : 'OVER';
  console.log(`  ${label.padEnd(10)} p50 ${fmt(s.p50, 2)} ms, p95 ${fmt(s.p95, 2)} ms, max ${fmt(s.max, 1)} ms over ${s.n} notes `
    + `(fake server p50 ${fmt(server.p50, 2)} ms subtracted; ${fmt(findings, 1)} findings/note) — ${verdict} the ${TARGET_MS} ms target`);
}

export async function benchLlmOverhead(): Promise<void> {
  const dev = readDevCorpus(process.env.BENCH_LLM_DEV_DIR ?? DEFAULT_DEV_DIR());
  if (!dev.length) throw new Error('no development notes found (expected ../shared/nlp/dev beside the repository, or BENCH_LLM_DEV_DIR)');
  const gold = goldAnswers(dev);
  const notes = pairedNotes(dev);
  const server = await startFakeLlmServer({ answer: (note) => gold.filter((g) => note.includes(g.quote)).map((g) => g.item) });
  const clock = serverClock();
  try {
    const dropped: Record<string, number> = {};
    const diagnostics = { dropped: (_e: string, reason: string, n = 1): void => { dropped[reason] = (dropped[reason] ?? 0) + n; } };
    const engine = createLlmExtractor({ baseUrl: server.baseUrl, model: 'bench-model', resources: compileRulesResources(), maxConcurrency: 1 });
    // a run number makes every note new to the cache: each extract() goes to the server
    const unique = (n: ExtractInput, run: number): ExtractInput => ({ ...n, text: `${n.text}\n\nRun ${run}.`, diagnostics });
    for (let i = 0; i < 20; i++) await timed(engine, unique(notes[i % notes.length], -1 - i), clock); // warm-up (JIT, connections)
    const miss: Sample[] = [];
    for (let r = 0; r < ROUNDS; r++) for (const n of notes) miss.push(await timed(engine, unique(n, r), clock));
    for (const n of notes) await engine.extract(unique(n, ROUNDS)); // fills the cache, whatever ROUNDS evicted
    const hit: Sample[] = [];
    for (let r = 0; r < ROUNDS; r++) for (const n of notes) hit.push(await timed(engine, unique(n, ROUNDS), clock));
    const kb = notes.reduce((s, n) => s + Buffer.byteLength(n.text), 0) / notes.length / 1024;
    console.log(`llm engine overhead per note, model time excluded (${notes.length} notes of 2–4 KB, mean ${kb.toFixed(1)} KB, one at a time, ${server.requests.length} model requests):`);
    report('cache miss', miss);
    report('cache hit', hit);
    const drops = Object.entries(dropped).map(([r, n]) => `${r} ${n}`).join(', ');
    console.log(`  engine drops over all runs (gold answers, so expected only where a gold item is not a finding): ${drops || 'none'}`);
  } finally {
    clock.close();
    await server.close();
  }
}
