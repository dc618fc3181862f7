/**
 * bench/nlp: end-to-end latency from a stored DocumentReference to its committed provisional findings, on
 * PostgreSQL with the server's own NLP workers, under a steady load of BENCH_NLP_RATE notes/s (default 20)
 * for BENCH_NLP_SECONDS (default 30). Latency is measured with the server's clock: the completed Task's
 * meta.lastUpdated minus the document's meta.lastUpdated. Notes: the dev corpus and the Synthea notes.
 */
import type { DocumentReference, Patient, Task } from 'fhir/r4';
import { readDevCorpus, readDocumentReferenceNotes } from '../server/nlp/eval/corpus';
import { freshDatabase, startServer } from './lib/server';
import { fmt, summarize } from './lib/stats';

const RATE = Number(process.env.BENCH_NLP_RATE ?? 20);
const SECONDS = Number(process.env.BENCH_NLP_SECONDS ?? 30);
const JSON_TYPE = 'application/fhir+json';

async function postJson<T>(url: string, body: unknown): Promise<T> {
  const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': JSON_TYPE }, body: JSON.stringify(body) });
  if (res.status >= 300) throw new Error(`${res.status} from ${url}: ${(await res.text()).slice(0, 300)}`);
  return (await res.json()) as T;
}

async function taskOf(base: string, docId: string): Promise<Task | undefined> {
  const res = await fetch(`${base}/Task?focus=DocumentReference/${docId}`);
  const b = (await res.json()) as { entry?: { resource: Task }[] };
  return b.entry?.[0]?.resource;
}

/** Posts one note and resolves with its server-side document → findings latency (ms) once its Task is done. */
async function oneNote(base: string, patient: string, text: string, date?: string): Promise<{ ms: number; status: string }> {
  const doc: DocumentReference = {
    resourceType: 'DocumentReference', status: 'current', subject: { reference: `Patient/${patient}` },
    ...(date ? { date: date.length === 10 ? `${date}T12:00:00Z` : date } : {}),
    content: [{ attachment: { contentType: 'text/plain; charset=utf-8', data: Buffer.from(text).toString('base64') } }],
  };
  const stored = await postJson<DocumentReference & { id: string }>(`${base}/DocumentReference`, doc);
  const t0 = Date.parse(stored.meta?.lastUpdated ?? '');
  for (;;) {
    await new Promise((r) => setTimeout(r, 25));
    const task = await taskOf(base, stored.id);
    if (task && ['completed', 'failed', 'cancelled'].includes(task.status)) {
      return { ms: Date.parse(task.meta?.lastUpdated ?? '') - t0, status: task.status };
    }
  }
}

export async function benchNlp(): Promise<void> {
  const db = await freshDatabase('twinfhir_bench_nlp');
  const server = await startServer(db.url, { NLP_WORKERS: process.env.BENCH_NLP_WORKERS ?? '2', NLP_POLL_MS: '200' });
  try {
    const base = server.baseUrl;
    const notes = [...readDevCorpus().map((n) => ({ text: n.text, date: n.date })), ...readDocumentReferenceNotes()];
    const patients = await Promise.all(Array.from({ length: 20 }, (_, i) => postJson<Patient & { id: string }>(`${base}/Patient`, { resourceType: 'Patient', name: [{ family: `Bench${i}` }] })));
    const total = RATE * SECONDS;
    const runs: Promise<{ ms: number; status: string }>[] = [];
    const start = performance.now();
    for (let i = 0; i < total; i++) {
      const due = start + (i * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const n = notes[i % notes.length];
      runs.push(oneNote(base, patients[i % patients.length].id, n.text, n.date));
    }
    const results = await Promise.all(runs);
    const ok = results.filter((r) => r.status === 'completed');
    const s = summarize(ok.map((r) => r.ms).sort((a, b) => a - b));
    console.log(`nlp end-to-end (rules engine, ${process.env.BENCH_NLP_WORKERS ?? '2'} workers, ${RATE} notes/s for ${SECONDS} s, ${total} notes): ` +
      `${ok.length} completed, ${results.length - ok.length} not; document → findings p50 ${fmt(s.p50, 0)} ms, p95 ${fmt(s.p95, 0)} ms, p99 ${fmt(s.p99, 0)} ms, max ${fmt(s.max, 0)} ms; peak RSS ${fmt(server.peakRssMb(), 0)} MB`);
  } finally {
    await server.stop();
    await db.drop();
  }
}
