/**
 * bench/hot-path: in-process costs on the write and extraction paths, formerly asserted as time limits
 * in tests (which only flake on a busy machine): validator start-up and per-resource validation,
 * search-index extraction per resource (both on Synthea resources; budgets 500 µs and 1,000 µs),
 * and HTML note → text with its offset map for a 10,000-row table (budget 5 s, typically ~25 ms).
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { DocumentReference, Resource } from 'fhir/r4';
import { fromRoot } from '../server/core/paths';
import { loadNoteText } from '../server/nlp/attachment';
import { createSearchRegistry } from '../server/search/registry';
import { createValidator } from '../server/validation';
import { fmt } from './lib/stats';

const FILES = Number(process.env.BENCH_HOT_FILES ?? 10);
const ROUNDS = Number(process.env.BENCH_HOT_ROUNDS ?? 6);

function syntheaResources(): Resource[] {
  const dir = fromRoot('..', 'shared', 'data', 'synthea-r4-bundles', 'bundles');
  const files = readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'index.json').sort().slice(0, FILES);
  return files.flatMap((f) => (JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as { entry?: { resource: Resource }[] }).entry ?? []).map((e) => e.resource);
}

const msSince = (t: bigint): number => Number(process.hrtime.bigint() - t) / 1e6;

/** Best of ROUNDS passes over `items` in µs per item: the machine is shared, the minimum is the code's own cost. */
function bestMicrosPerItem<T>(items: T[], fn: (item: T) => unknown): number {
  let best = Infinity;
  for (let round = 0; round < ROUNDS; round++) {
    const t = process.hrtime.bigint();
    for (const item of items) fn(item);
    best = Math.min(best, (msSince(t) * 1000) / items.length);
  }
  return best;
}

function benchValidator(resources: Resource[]): void {
  let t = process.hrtime.bigint();
  const v = createValidator();
  const constructMs = msSince(t);
  t = process.hrtime.bigint();
  for (const r of resources) v.validate(r); // first pass compiles each type's schema once
  const warmMs = msSince(t);
  const micros = bestMicrosPerItem(resources, (r) => v.validate(r));
  const types = new Set(resources.map((r) => r.resourceType)).size;
  console.log(`  validator     start-up ${fmt(constructMs, 0)} ms; first pass over ${resources.length} resources of ${types} types ${fmt(warmMs, 0)} ms (compiles schemas)`);
  console.log(`  validate      ${fmt(micros)} µs/resource, best of ${ROUNDS} (${fmt(1e6 / micros, 0)} resources/s on one core; budget 500 µs)`);
}

function benchExtraction(resources: Resource[]): void {
  const registry = createSearchRegistry();
  for (const r of resources) registry.extract(r); // compile plans, warm up
  const micros = bestMicrosPerItem(resources, (r) => registry.extract(r));
  console.log(`  index extract ${fmt(micros)} µs/resource, best of ${ROUNDS} (budget 1,000 µs)`);
}

async function benchHtml(): Promise<void> {
  const row = '<tr><td>CA-125</td><td>412&nbsp;U/mL</td><td>M&uuml;ller</td></tr>\n';
  const html = `<table>${row.repeat(10_000)}</table>`;
  const doc: DocumentReference = { resourceType: 'DocumentReference', status: 'current', content: [{ attachment: { contentType: 'text/html', data: Buffer.from(html).toString('base64') } }] };
  const times: number[] = [];
  let chars = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const t = process.hrtime.bigint();
    chars = (await loadNoteText(doc, async () => null)).text.length;
    times.push(msSince(t));
  }
  console.log(`  html → text   ${fmt(html.length / 1024, 0)} KiB, 10,000 rows → ${chars} chars: best ${fmt(Math.min(...times))} ms, worst ${fmt(Math.max(...times))} ms of ${ROUNDS} (budget 5,000 ms)`);
}

export async function benchHotPath(): Promise<void> {
  console.log('hot-path: in-process costs (one core)');
  const resources = syntheaResources();
  benchValidator(resources);
  benchExtraction(resources);
  await benchHtml();
}
