/**
 * npm run eval:nlp [-- --verbose] [--dev DIR] [--corpus DIR] [--notes FILE]: scores the offline engine per split — dev
 * (../shared/nlp/dev), tune, held-out, held-out-2, held-out-3, held-out-4, held-out-5, held-out-6, held-out-7, held-out-8, held-out-9 and held-out-10 (test/nlp/corpus/<split>/, when present) — through the real pipeline (each note
 * stored as a DocumentReference, `$extract`, the written resources scored), per language, and measures the rules
 * engine's own throughput. The held-out splits are only ever printed as totals (--verbose never lists its notes).
 */
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Bundle, DocumentReference, Patient, Resource } from 'fhir/r4';
import { createApp } from '../server/app';
import { loadConfig } from '../server/config';
import type { ExtractInput } from '../server/nlp/finding';
import { createConceptIndex, type ConceptIndex } from '../server/nlp/eval/concept-index';
import { DEFAULT_CORPUS_DIR, DEFAULT_DEV_DIR, DEFAULT_SYNTHEA_NOTES, readCorpusSplit, readDevCorpus, readDocumentReferenceNotes } from '../server/nlp/eval/corpus';
import { findingsFromResources } from '../server/nlp/eval/from-fhir';
import { scoreNote, type GoldNote, type NoteScore } from '../server/nlp/eval/score';
import { compileRulesResources, createRulesExtractor, type RulesExtractor, type RulesResources } from '../server/nlp/rules/engine';
import { printSplit, type SplitScore } from './lib/nlp-report';
import { measureRules, notesOf2to4Kb, type Throughput } from './nlp-rules';
import { fmt, summarize } from './lib/stats';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

type Rate = Throughput;

/** Notes per second on this (single) thread, by wall clock and by CPU time (other load on the machine inflates only the first). */
const throughput = (ex: RulesExtractor, inputs: ExtractInput[], minMs: number): Rate => measureRules(ex, inputs, minMs);

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

function printPipeline(p: PipelineScore, inspectable: boolean): void {
  const grounding = (p.dropped['quote-not-found'] ?? 0) + (p.dropped['empty-quote'] ?? 0);
  const other = Object.entries(p.dropped).filter(([r]) => r !== 'quote-not-found' && r !== 'empty-quote').map(([r, n]) => `${r} ${n}`);
  console.log(`  grounding     ${grounding} findings dropped by the grounding check (server /metrics${other.length ? `; other drops: ${other.join(', ')}` : ''})`);
  const written = ['Condition', 'Observation', 'FamilyMemberHistory', 'Provenance', 'Task'].map((t) => `${p.written[t] ?? 0} ${t}`).join(', ');
  const s = summarize(p.extractMs);
  console.log(`  pipeline      written: ${written}; $extract round trip p50 ${fmt(s.p50, 0)} ms, p95 ${fmt(s.p95, 0)} ms (store + extract, one at a time)`);
  if (p.unmapped.length) console.log(`  UNMAPPED      ${p.unmapped.length} resources whose codes mappings/ cannot name${inspectable ? `:\n    ${p.unmapped.join('\n    ')}` : ''}`);
}

interface SplitNotes { name: string; notes: GoldNote[]; inspectable: boolean }

function readSplits(): SplitNotes[] {
  const corpus = arg('--corpus') ?? DEFAULT_CORPUS_DIR();
  return [
    { name: 'dev', notes: readDevCorpus(arg('--dev') ?? DEFAULT_DEV_DIR()), inspectable: true },
    { name: 'tune', notes: readCorpusSplit('tune', corpus), inspectable: true },
    { name: 'held-out', notes: readCorpusSplit('held-out', corpus), inspectable: false },
    { name: 'held-out-2', notes: readCorpusSplit('held-out-2', corpus), inspectable: false },
    { name: 'held-out-3', notes: readCorpusSplit('held-out-3', corpus), inspectable: false },
    { name: 'held-out-4', notes: readCorpusSplit('held-out-4', corpus), inspectable: false },
    { name: 'held-out-5', notes: readCorpusSplit('held-out-5', corpus), inspectable: false },
    { name: 'held-out-6', notes: readCorpusSplit('held-out-6', corpus), inspectable: false },
    { name: 'held-out-7', notes: readCorpusSplit('held-out-7', corpus), inspectable: false },
    { name: 'held-out-8', notes: readCorpusSplit('held-out-8', corpus), inspectable: false },
    { name: 'held-out-9', notes: readCorpusSplit('held-out-9', corpus), inspectable: false },
    { name: 'held-out-10', notes: readCorpusSplit('held-out-10', corpus), inspectable: false },
  ];
}

function byLanguage(notes: GoldNote[], scores: NoteScore[]): Map<string, NoteScore[]> {
  const out = new Map<string, NoteScore[]>();
  notes.forEach((n, i) => out.set(n.language, [...(out.get(n.language) ?? []), scores[i]]));
  return out;
}

const inputsOf = (notes: GoldNote[]): ExtractInput[] => notes.map((n) => ({ text: n.text, language: n.language, documentDate: n.date }));

async function main(): Promise<void> {
  const verbose = process.argv.includes('--verbose');
  const t0 = performance.now();
  const resources = compileRulesResources();
  const ex = createRulesExtractor(resources);
  console.log(`rules engine ${ex.version}: ${resources.dictionary.entryCount} dictionary entries compiled in ${(performance.now() - t0).toFixed(0)} ms`);

  const splits = readSplits().filter((s) => s.notes.length);
  if (!splits.length) throw new Error('no annotated notes found (../shared/nlp/dev, test/nlp/corpus/<split>, or --dev/--corpus DIR)');
  const index = createConceptIndex(resources.mappings);
  for (const split of splits) {
    const pipeline = await scoreThroughPipeline(resources, index, split.notes);
    const rate = throughput(ex, inputsOf(split.notes), 1500);
    const scored: SplitScore = { name: split.name, inspectable: split.inspectable, scores: pipeline.scores, languages: byLanguage(split.notes, pipeline.scores), notesPerSecond: rate.perCpuSec };
    printSplit(scored, verbose);
    printPipeline(pipeline, split.inspectable);
  }

  console.log('\nThroughput (one core, rules engine only; notes/CPU-s is the fair figure on a shared machine):');
  const all = inputsOf(splits.flatMap((s) => s.notes));
  console.log(rateLine('annotated notes', throughput(ex, all, 3000)));
  // the 2–4 KB target: dev and tune notes joined into notes of 2–4 KB (as bench/nlp-rules does)
  const sized = notesOf2to4Kb(splits.filter((s) => s.inspectable).flatMap((s) => s.notes));
  console.log(rateLine('dev+tune joined, 2–4 KB', throughput(ex, sized, 3000), `, ${sized.length} notes`));
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
