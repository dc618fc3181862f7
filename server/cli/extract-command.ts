/**
 * `twinfhir extract FILE --patient ID`: posts a note as a DocumentReference, waits for its extraction Task
 * (the server's NLP worker), and prints the provisional findings it produced with their evidence quotes.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type Client from 'fhir-kit-client';
import type { Bundle, Condition, DocumentReference, Extension, Observation, Resource, Task } from 'fhir/r4';
import { NLP_EVIDENCE_URL, TWINFHIR_CODESYSTEM } from '../core/canonical-urls';
import { RequestFailure } from './request-failure';
import { type RetryPolicy, withRetries } from './retry';

export interface ExtractOptions {
  file: string;
  patient: string;
  contentType?: string;
  timeoutSeconds: number;
  pollMs: number;
  json: boolean;
  /** Retries per request on 408/429/5xx or no answer; the default is for tests and scripts that want none. */
  retry?: RetryPolicy;
  /** Told about each retry (the CLI prints it), so a slow server is visible rather than silent. */
  onRetry?: (message: string) => void;
}

export type ExtractOutcome = { kind: 'completed'; findings: Resource[] } | { kind: 'failed'; reason: string } | { kind: 'timeout'; status: string };

const MAX_NOTE_BYTES = 20 * 1024 * 1024;
const TYPES: Record<string, string> = { '.txt': 'text/plain', '.md': 'text/markdown', '.html': 'text/html', '.htm': 'text/html', '.pdf': 'application/pdf' };

/** The system of the per-run identifier that makes the note's POST safe to retry (If-None-Exist on it). */
const RUN_ID_SYSTEM = 'urn:ietf:rfc:3986';

export function noteDocument(opts: ExtractOptions, runId: string): DocumentReference {
  const size = statSync(opts.file).size;
  if (size > MAX_NOTE_BYTES) throw new Error(`${opts.file} is ${size} bytes; notes up to ${MAX_NOTE_BYTES} bytes are accepted`);
  const contentType = opts.contentType ?? TYPES[path.extname(opts.file).toLowerCase()];
  if (!contentType) throw new Error(`cannot tell the content type of ${opts.file}; pass --content-type (text/plain, text/markdown, text/html, application/pdf)`);
  return {
    resourceType: 'DocumentReference', identifier: [{ system: RUN_ID_SYSTEM, value: runId }], status: 'current', subject: { reference: `Patient/${opts.patient}` }, date: new Date().toISOString(),
    content: [{ attachment: { contentType, title: path.basename(opts.file), data: readFileSync(opts.file).toString('base64') } }],
  };
}

async function extractionTask(client: Client, documentId: string): Promise<Task | undefined> {
  const found = (await client.search({ resourceType: 'Task', searchParams: { focus: `DocumentReference/${documentId}`, _sort: '-_lastUpdated', _count: '1' } })) as unknown as Bundle;
  return found.entry?.[0]?.resource as Task | undefined;
}

async function outputs(client: Client, task: Task): Promise<Resource[]> {
  const refs = (task.output ?? []).map((o) => o.valueReference?.reference).filter((r): r is string => Boolean(r));
  const out: Resource[] = [];
  for (const ref of refs) {
    const [resourceType, id] = ref.split('/');
    out.push(await client.read({ resourceType: resourceType, id }));
  }
  return out;
}

const NO_RETRIES: RetryPolicy = { retries: 0, baseMs: 0, maxMs: 0 };

export async function runExtract(client: Client, opts: ExtractOptions): Promise<ExtractOutcome> {
  const policy = opts.retry ?? NO_RETRIES;
  const retried = <T>(what: string, fn: () => Promise<T>): Promise<T> =>
    withRetries(policy, fn, (f, attempt) => opts.onRetry?.(`${what}: ${f.message}; retry ${attempt} of ${policy.retries}`));
  // One identifier per run, sent as If-None-Exist: a POST whose answer was lost and is retried finds the
  // document it already stored instead of storing (and extracting) the note twice.
  const runId = `urn:uuid:${randomUUID()}`;
  const body = noteDocument(opts, runId);
  const created = (await retried('storing the note', () => client.create({
    resourceType: 'DocumentReference', body: body as never, options: { headers: { 'If-None-Exist': `identifier=${encodeURIComponent(`${RUN_ID_SYSTEM}|${runId}`)}` } },
  }))) as unknown as DocumentReference;
  if (!created.id) throw new RequestFailure(0, 'the server did not return the stored DocumentReference');
  const documentId = created.id;
  const deadline = Date.now() + opts.timeoutSeconds * 1000;
  let status = 'not created';
  while (Date.now() < deadline) {
    const task = await retried('polling the extraction Task', () => extractionTask(client, documentId));
    status = task?.status ?? status;
    if (task?.status === 'completed') {
      const found = await retried('reading the findings', () => outputs(client, task));
      return { kind: 'completed', findings: found.filter((r) => r.resourceType !== 'Provenance') };
    }
    if (task?.status === 'failed') return { kind: 'failed', reason: task.statusReason?.text ?? 'no reason given' };
    await sleep(opts.pollMs);
  }
  return { kind: 'timeout', status };
}

function evidenceQuote(r: Resource): string {
  const ext = ((r as Resource & { extension?: Extension[] }).extension ?? []).find((e) => e.url === NLP_EVIDENCE_URL);
  return ext?.extension?.find((e) => e.url === 'quote')?.valueString ?? '';
}

/** One line per finding: type, review state, code, value, and the quote it rests on. */
export function findingLine(r: Resource): string {
  const state = r.meta?.tag?.find((t) => t.system === TWINFHIR_CODESYSTEM)?.code ?? '';
  const coded = r as Condition | Observation;
  const coding = coded.code?.coding?.[0];
  const code = coding ? `${coding.display ?? coding.code ?? ''} (${coding.system ?? ''}|${coding.code ?? ''})` : coded.code?.text ?? '';
  const q = (r as Observation).valueQuantity;
  const value = q ? ` = ${q.value ?? ''} ${q.unit ?? q.code ?? ''}` : (r as Observation).valueCodeableConcept ? ` = ${(r as Observation).valueCodeableConcept?.text ?? (r as Observation).valueCodeableConcept?.coding?.[0]?.display ?? ''}` : '';
  return `${r.resourceType}/${r.id ?? ''} [${state}] ${code}${value} — "${evidenceQuote(r)}"`;
}
