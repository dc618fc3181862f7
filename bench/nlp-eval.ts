/**
 * npm run eval:nlp [-- --verbose] [--dev DIR] [--notes FILE]: scores the offline engine on ../shared/nlp/dev through the
 * real pipeline (each note stored as a DocumentReference, `$extract`, the written resources scored), and measures the
 * rules engine's own throughput.
 */
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Bundle, DocumentReference, Patient, Resource } from 'fhir/r4';
import { createApp } from '../server/app';
import { loadConfig } from '../server/config';
import type { ExtractInput } from '../server/nlp/finding';
import { createConceptIndex, type ConceptIndex } from '../server/nlp/eval/concept-index';
import { DEFAULT_DEV_DIR, DEFAULT_SYNTHEA_NOTES, readDevCorpus, readDocumentReferenceNotes } from '../server/nlp/eval/corpus';
import { findingsFromResources } from '../server/nlp/eval/from-fhir';
import { aggregate, scoreNote, type CorpusScore, type GoldNote, type NoteScore, type Prf } from '../server/nlp/eval/score';
import { compileRulesResources, createRulesExtractor, type RulesExtractor, type RulesResources } from '../server/nlp/rules/engine';
import { fmt, summarize } from './lib/stats';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const pct = (x: number): string => (100 * x).toFixed(1).padStart(5);
const line = (label: string, p: Prf): string =>
  `  ${label.padEnd(13)} P ${pct(p.precision)} %  R ${pct(p.recall)} %  F1 ${pct(p.f1)} %   (tp ${p.tp}, fp ${p.fp}, fn ${p.fn})`;

function printScore(s: CorpusScore, verbose: boolean): void {
  if (verbose) {
    for (const n of s.notes) if (n.details.length) console.log(`${n.id}:\n    ${n.details.join('\n    ')}`);
  }
  console.log(`\nDevelopment corpus: ${s.notes.length} notes, scored through the pipeline ($extract, PGlite)`);
  console.log(line('conditions', s.conditions));
  console.log(line('observations', s.observations));
  console.log(line('overall', s.overall));
  console.log(`  attributes    ${pct(s.attributeAccuracy)} % correct (${s.attributes.correct}/${s.attributes.total}; ${s.attributes.missingCondition} on conditions not found)`);
  console.log(`  possible      ${s.possible.emitted}/${s.possible.gold} uncertain gold mentions emitted as unconfirmed Conditions (reported, not scored)`);
  const e = s.contextErrors;
  console.log(`  negated/family/hypothetical mentions that became present Conditions: ${s.contextErrorTotal} (negated ${e.negated ?? 0}, family ${e.family ?? 0}, hypothetical ${e.hypothetical ?? 0})`);
}

interface Rate { perSec: number; perCpuSec: number; notes: number; meanKb: number }

/** Notes per second on this (single) thread, by wall clock and by CPU time (other load on the machine inflates only the first). */
function throughput(ex: RulesExtractor, inputs: ExtractInput[], minMs: number): Rate {
  for (const i of inputs.slice(0, 50)) ex.extractSync(i); // warm-up (JIT)
  let n = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  do {
    for (const i of inputs) ex.extractSync(i);
    n += inputs.length;
  } while (performance.now() - t0 < minMs);
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const meanKb = inputs.reduce((s, i) => s + Buffer.byteLength(i.text), 0) / inputs.length / 1024;
  return { perSec: (n / ms) * 1000, perCpuSec: n / ((cpu.user + cpu.system) / 1e6), notes: n, meanKb };
}

const rateLine = (label: string, r: Rate, extra = ''): string =>
  `  ${label.padEnd(22)} ${r.perSec.toFixed(0).padStart(6)} notes/s wall, ${r.perCpuSec.toFixed(0).padStart(6)} notes/CPU-s  (mean ${r.meanKb.toFixed(1)} KB/note${extra})`;

const JSON_TYPE = 'application/fhir+json';

async function post<T>(url: string, body: unknown): Promise<T> {
  const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': JSON_TYPE, Accept: JSON_TYPE }, body: JSON.stringify(body) });
  if (res.status >= 300) throw new Error(`${res.status} from ${url}: ${(await res.text()).slice(0, 500)}`);
  return (await res.json()) as T;
}

/** Stores the note as it would arrive from an EHR (its own Patient, text/plain base64 with language and date) and extracts it now. */
async function extractNote(base: string, note: GoldNote): Promise<Resource[]> {
  const patient = await post<Patient & { id: string }>(`${base}/Patient`, { resourceType: 'Patient', identifier: [{ system: 'urn:twinfhir:eval', value: note.id }] });
  const doc: DocumentReference = {
    resourceType: 'DocumentReference', status: 'current', subject: { reference: `Patient/${patient.id}` },
    ...(note.date ? { date: `${note.date}T12:00:00Z`, context: { period: { start: note.date } } } : {}),
    content: [{ attachment: { contentType: 'text/plain; charset=utf-8', language: note.language, data: Buffer.from(note.text, 'utf8').toString('base64') } }],
  };
  const stored = await post<DocumentReference & { id: string }>(`${base}/DocumentReference`, doc);
  const bundle = await post<Bundle>(`${base}/DocumentReference/${stored.id}/$extract`, { resourceType: 'Parameters' });
  return (bundle.entry ?? []).flatMap((e) => (e.resource ? [e.resource] : []));
}

/** Findings the server dropped before writing, by reason, from its own /metrics. */
async function droppedByReason(origin: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${origin}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^twinfhir_nlp_findings_dropped_total\{[^}]*reason="([^"]+)"[^}]*\} (\d+)/gm)) out[m[1]] = (out[m[1]] ?? 0) + Number(m[2]);
  return out;
}

interface PipelineScore { scores: NoteScore[]; written: Record<string, number>; unmapped: string[]; dropped: Record<string, number>; extractMs: number[] }

/** One in-process app on in-memory PGlite for the whole run; every note goes through HTTP and `$extract`. */
async function scoreThroughPipeline(resources: RulesResources, index: ConceptIndex, dev: GoldNote[]): Promise<PipelineScore> {
  const config = loadConfig({ DATA_DIR: ':memory:', NLP_ENGINE: 'rules', NLP_WORKERS: '0', TWIN_WORKERS: '0', LOG_LEVEL: 'silent' });
  const app = await createApp(config);
  const server = app.http.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const out: PipelineScore = { scores: [], written: {}, unmapped: [], dropped: {}, extractMs: [] };
    for (const note of dev) {
      const t0 = performance.now();
      const written = await extractNote(`${origin}/fhir`, note);
      out.extractMs.push(performance.now() - t0);
      for (const r of written) out.written[r.resourceType] = (out.written[r.resourceType] ?? 0) + 1;
      const converted = findingsFromResources(written, index);
      out.unmapped.push(...converted.unmapped.map((u) => `${note.id}: ${u}`));
      out.scores.push(scoreNote(resources, note, converted.findings));
    }
    out.dropped = await droppedByReason(origin);
    return out;
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await app.close();
  }
}

function printPipeline(p: PipelineScore): void {
  const grounding = (p.dropped['quote-not-found'] ?? 0) + (p.dropped['empty-quote'] ?? 0);
  const other = Object.entries(p.dropped).filter(([r]) => r !== 'quote-not-found' && r !== 'empty-quote').map(([r, n]) => `${r} ${n}`);
  console.log(`  grounding     ${grounding} findings dropped by the grounding check (server /metrics${other.length ? `; other drops: ${other.join(', ')}` : ''})`);
  const written = ['Condition', 'Observation', 'FamilyMemberHistory', 'Provenance', 'Task'].map((t) => `${p.written[t] ?? 0} ${t}`).join(', ');
  const s = summarize(p.extractMs);
  console.log(`  pipeline      written: ${written}; $extract round trip p50 ${fmt(s.p50, 0)} ms, p95 ${fmt(s.p95, 0)} ms (store + extract, one at a time)`);
  if (p.unmapped.length) console.log(`  UNMAPPED      ${p.unmapped.length} resources whose codes mappings/ cannot name:\n    ${p.unmapped.join('\n    ')}`);
}

async function main(): Promise<void> {
  const verbose = process.argv.includes('--verbose');
  const t0 = performance.now();
  const resources = compileRulesResources();
  const ex = createRulesExtractor(resources);
  console.log(`rules engine ${ex.version}: ${resources.dictionary.entryCount} dictionary entries compiled in ${(performance.now() - t0).toFixed(0)} ms`);

  const dev = readDevCorpus(arg('--dev') ?? DEFAULT_DEV_DIR());
  if (!dev.length) throw new Error('no development notes found (expected ../shared/nlp/dev beside the repository, or --dev DIR)');
  const pipeline = await scoreThroughPipeline(resources, createConceptIndex(resources.mappings), dev);
  printScore(aggregate(pipeline.scores), verbose);
  printPipeline(pipeline);

  console.log('\nThroughput (one core, rules engine only):');
  const devInputs = dev.map((n) => ({ text: n.text, language: n.language, documentDate: n.date }));
  console.log(rateLine('dev notes', throughput(ex, devInputs, 3000)));
  // the 2–4 KB target: development notes joined in pairs
  const pairs = devInputs.map((n, i) => ({ ...n, text: `${n.text}\n\n${devInputs[(i + 5) % devInputs.length].text}` }));
  console.log(rateLine('dev notes, 2–4 KB', throughput(ex, pairs, 3000)));
  const synthea = readDocumentReferenceNotes(arg('--notes') ?? DEFAULT_SYNTHEA_NOTES());
  if (synthea.length) {
    const r = throughput(ex, synthea.map((n) => ({ text: n.text, documentDate: n.date })), 3000);
    console.log(rateLine('Synthea notes', r, `, ${synthea.length} notes`));
  } else {
    console.log('  Synthea notes  not found (../shared/data/synthea-ndjson-notes)');
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack ?? err.message : err);
  process.exit(1);
});
