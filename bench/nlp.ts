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

/** Posts one note; returns its id and the server time it was stored. */
async function postNote(base: string, patient: string, text: string, date?: string): Promise<{ id: string; stored: number }> {
  const doc: DocumentReference = {
    resourceType: 'DocumentReference', status: 'current', subject: { reference: `Patient/${patient}` },
    ...(date ? { date: date.length === 10 ? `${date}T12:00:00Z` : date } : {}),
    content: [{ attachment: { contentType: 'text/plain; charset=utf-8', data: Buffer.from(text).toString('base64') } }],
  };
  const stored = await postJson<DocumentReference & { id: string }>(`${base}/DocumentReference`, doc);
  return { id: stored.id, stored: Date.parse(stored.meta?.lastUpdated ?? '') };
}

/**
 * Finished extraction Tasks, read with one search per poll (polling per document would itself load the
 * server): document id → [status, server time of the Task's last change].
 */
async function finishedTasks(base: string, into: Map<string, [string, number]>): Promise<void> {
  let url: string | undefined = `${base}/Task?code=https://twinfhir.org/fhir/CodeSystem/twinfhir|extract&status=completed,failed&_count=1000`;
  while (url) {
    const res = await fetch(url);
    const b = (await res.json()) as { entry?: { resource: Task }[]; link?: { relation: string; url: string }[] };
    for (const e of b.entry ?? []) {
      const doc = e.resource.focus?.reference?.split('/')[1];
      if (doc) into.set(doc, [e.resource.status, Date.parse(e.resource.meta?.lastUpdated ?? '')]);
    }
    url = b.link?.find((l) => l.relation === 'next')?.url;
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
    const posted: Promise<{ id: string; stored: number }>[] = [];
    const start = performance.now();
    for (let i = 0; i < total; i++) {
      const due = start + (i * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const n = notes[i % notes.length];
      posted.push(postNote(base, patients[i % patients.length].id, n.text, n.date));
    }
    const docs = await Promise.all(posted);
    const done = new Map<string, [string, number]>();
    for (let waited = 0; done.size < docs.length && waited < 120_000; waited += 250) {
      await finishedTasks(base, done);
      if (done.size < docs.length) await new Promise((r) => setTimeout(r, 250));
    }
    const ms = docs.filter((d) => done.get(d.id)?.[0] === 'completed').map((d) => (done.get(d.id)?.[1] ?? 0) - d.stored).sort((a, b) => a - b);
    const s = summarize(ms);
    console.log(`nlp end-to-end (rules engine, ${process.env.BENCH_NLP_WORKERS ?? '2'} workers, ${RATE} notes/s for ${SECONDS} s, ${total} notes): ` +
      `${ms.length} completed, ${total - ms.length} not; document → findings p50 ${fmt(s.p50, 0)} ms, p95 ${fmt(s.p95, 0)} ms, p99 ${fmt(s.p99, 0)} ms, max ${fmt(s.max, 0)} ms; peak RSS ${fmt(server.peakRssMb(), 0)} MB`);
  } finally {
    await server.stop();
    await db.drop();
  }
}
