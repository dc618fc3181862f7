/** Shared by the fuzz suites: send a corpus-style case, spot leaked internals, fingerprint what is stored. */
import request from 'supertest';
import type { TestApp } from '../support/test-app';
import type { FuzzCase } from './cases';

export { CORPUS_DIR, type FuzzCase, leaks, loadCorpus, statusMatches } from './cases';

export async function sendCase(app: TestApp, c: FuzzCase): Promise<request.Response> {
  const method = c.method.toLowerCase() as 'get' | 'head' | 'post' | 'put' | 'patch' | 'delete';
  let r = request(app.http)[method](c.path);
  const headers = { ...(c.body !== undefined ? { 'Content-Type': 'application/fhir+json' } : {}), ...c.headers };
  for (const [k, v] of Object.entries(headers)) r = r.set(k, v);
  if (c.body === undefined) return r;
  return r.send(typeof c.body === 'string' ? c.body : JSON.stringify(c.body));
}

/** What is stored, in two numbers that any partial write would move: live resources and the newest version. */
export async function storedFingerprint(app: TestApp): Promise<string> {
  const total = await request(app.http).get('/fhir?_count=0&_total=accurate');
  const newest = await request(app.http).get('/fhir/_history?_count=1');
  const r = (newest.body as { entry?: { resource?: { resourceType?: string; id?: string; meta?: { versionId?: string } } }[] }).entry?.[0]?.resource;
  return `${String(total.body.total)}|${r?.resourceType ?? ''}/${r?.id ?? ''}|${r?.meta?.versionId ?? ''}`;
}
