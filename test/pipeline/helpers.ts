/** Shared helpers for the notes → findings pipeline tests: seeding documents and waiting for their Tasks. */
import type { Bundle, Condition, DocumentReference, FhirResource, Resource, Task } from 'fhir/r4';
import request from 'supertest';
import type { TestApp } from '../support/test-app';

export const FHIR_JSON = 'application/fhir+json';
export const PROVISIONAL = 'https://twinfhir.org/fhir/CodeSystem/twinfhir|provisional';
export const EVIDENCE_URL = 'https://twinfhir.org/fhir/StructureDefinition/nlp-evidence';

export const b64 = (s: string | Buffer): string => Buffer.from(s).toString('base64');

export function noteDocument(patientId: string, text: string, opts: { contentType?: string; language?: string; date?: string } = {}): DocumentReference {
  return {
    resourceType: 'DocumentReference',
    status: 'current',
    subject: { reference: `Patient/${patientId}` },
    date: opts.date ?? '2026-03-01T10:00:00Z',
    type: { coding: [{ system: 'http://loinc.org', code: '11506-3', display: 'Progress note' }] },
    content: [{ attachment: { contentType: opts.contentType ?? 'text/plain; charset=utf-8', ...(opts.language ? { language: opts.language } : {}), data: b64(text) } }],
  };
}

export async function post<T extends Resource>(app: TestApp, resource: FhirResource): Promise<T & { id: string }> {
  const res = await request(app.http).post(`/fhir/${resource.resourceType}`).set('Content-Type', FHIR_JSON).send(JSON.stringify(resource));
  if (res.status !== 201) throw new Error(`POST ${resource.resourceType}: ${res.status} ${JSON.stringify(res.body).slice(0, 500)}`);
  return res.body as T & { id: string };
}

export async function search<T extends Resource>(app: TestApp, query: string): Promise<T[]> {
  const res = await request(app.http).get(`/fhir/${query}${query.includes('?') ? '&' : '?'}_count=1000`);
  if (res.status !== 200) throw new Error(`GET ${query}: ${res.status} ${JSON.stringify(res.body).slice(0, 500)}`);
  return ((res.body as Bundle).entry ?? []).filter((e) => e.search?.mode !== 'include').map((e) => e.resource as T);
}

export async function extractionTasks(app: TestApp, documentId: string): Promise<Task[]> {
  return search<Task>(app, `Task?focus=DocumentReference/${documentId}`);
}

/** Waits until the document's newest extraction Task reached a final state. */
export async function settledTask(app: TestApp, documentId: string, timeoutMs = 20_000): Promise<Task> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const tasks = await extractionTasks(app, documentId);
    const newest = tasks.sort((a, b) => (b.authoredOn ?? '').localeCompare(a.authoredOn ?? '') || (b.id ?? '').localeCompare(a.id ?? ''))[0];
    if (newest && ['completed', 'failed', 'cancelled'].includes(newest.status)) return newest;
    if (Date.now() > until) throw new Error(`extraction of DocumentReference/${documentId} did not finish: ${JSON.stringify(tasks.map((t) => t.status))}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The nlp-evidence of a finding as a plain object. */
export function evidenceOf(r: { extension?: Condition['extension'] }): { quote?: string; offset?: number; length?: number; extractor?: string; confidence?: number } {
  const ev = r.extension?.find((e) => e.url === EVIDENCE_URL)?.extension ?? [];
  const get = (url: string) => ev.find((e) => e.url === url);
  return {
    quote: get('quote')?.valueString, offset: get('offset')?.valueInteger, length: get('length')?.valueInteger,
    extractor: get('extractor')?.valueString, confidence: get('confidence')?.valueDecimal,
  };
}
