/**
 * bench/nlp-rules: throughput of the offline rules engine alone on ONE core (this thread, no workers) on notes of
 * 2–4 KB — annotated dev and tune notes joined until a note is 2–4 KB. Prints notes/s by wall clock and notes per
 * CPU-second: on a machine shared with other load the wall figure drops while the CPU figure stays fair.
 * BENCH_NLP_RULES_MS (default 5000) sets how long it runs.
 */
import { performance } from 'node:perf_hooks';
import type { ExtractInput } from '../server/nlp/finding';
import { readCorpusSplit, readDevCorpus } from '../server/nlp/eval/corpus';
import { compileRulesResources, createRulesExtractor, type RulesExtractor } from '../server/nlp/rules/engine';

const MIN_BYTES = 2048;
const MAX_BYTES = 4096;

/** Consecutive notes of one language joined (blank line between) into 2–4 KB notes; a note over 4 KB alone is cut at a line end. */
export function notesOf2to4Kb(notes: Array<{ text: string; language: 'en' | 'de'; date?: string }>): ExtractInput[] {
  const out: ExtractInput[] = [];
  for (const language of ['en', 'de'] as const) {
    let text = '';
    let date: string | undefined;
    for (const n of notes.filter((x) => x.language === language)) {
      const joined = text ? `${text}\n\n${n.text}` : n.text;
      if (Buffer.byteLength(joined) <= MAX_BYTES) { text = joined; date ??= n.date; } else if (!text) text = n.text.slice(0, n.text.lastIndexOf('\n', MAX_BYTES - 200));
      if (Buffer.byteLength(text) >= MIN_BYTES) { out.push({ text, language, documentDate: date }); text = ''; date = undefined; }
    }
  }
  return out.filter((n) => { const b = Buffer.byteLength(n.text ?? ''); return b >= MIN_BYTES && b <= MAX_BYTES; });
}

export interface Throughput { perSec: number; perCpuSec: number; notes: number; meanKb: number }

/** Runs the notes round-robin for at least `minMs` on this thread (after a JIT warm-up). */
export function measureRules(ex: RulesExtractor, inputs: ExtractInput[], minMs: number): Throughput {
  for (const i of inputs.slice(0, 50)) ex.extractSync(i);
  let n = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  do {
    for (const i of inputs) ex.extractSync(i);
    n += inputs.length;
  } while (performance.now() - t0 < minMs);
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const meanKb = inputs.reduce((s, i) => s + Buffer.byteLength(i.text ?? ''), 0) / inputs.length / 1024;
  return { perSec: (n / ms) * 1000, perCpuSec: n / ((cpu.user + cpu.system) / 1e6), notes: n, meanKb };
}

export function benchNlpRules(): Promise<void> {
  const ex = createRulesExtractor(compileRulesResources());
  const inputs = notesOf2to4Kb([...readDevCorpus(), ...readCorpusSplit('tune')]);
  const r = measureRules(ex, inputs, Number(process.env.BENCH_NLP_RULES_MS ?? 5000));
  console.log(`nlp rules engine, one core, ${inputs.length} notes of 2–4 KB (mean ${r.meanKb.toFixed(1)} KB), ${r.notes} extractions: ` +
    `${r.perSec.toFixed(0)} notes/s wall, ${r.perCpuSec.toFixed(0)} notes per CPU-second (target 500; the CPU figure is the fair one on a shared machine)`);
  return Promise.resolve();
}
