/** Shared by the fuzz suites: send a corpus-style case, spot leaked internals, fingerprint what is stored. */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import type { TestApp } from '../support/test-app';

export interface FuzzCase {
  name?: string;
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  headers?: Record<string, string>;
  body?: unknown;
  /** One status, or an inclusive [min, max] range. */
  expectStatus?: number | [number, number];
}

export const CORPUS_DIR = path.resolve(__dirname, 'corpus');

/** Every case of the corpus, in file-name order, named `file: name`. */
export function loadCorpus(): { label: string; c: FuzzCase }[] {
  const out: { label: string; c: FuzzCase }[] = [];
  for (const f of readdirSync(CORPUS_DIR).filter((n) => n.endsWith('.json')).sort()) {
    const parsed = JSON.parse(readFileSync(path.join(CORPUS_DIR, f), 'utf8')) as FuzzCase | FuzzCase[];
    const cases = Array.isArray(parsed) ? parsed : [parsed];
    cases.forEach((c, i) => out.push({ label: `${f}: ${c.name ?? `#${i}`}`, c }));
  }
  return out;
}

export async function sendCase(app: TestApp, c: FuzzCase): Promise<request.Response> {
  const method = c.method.toLowerCase() as 'get' | 'head' | 'post' | 'put' | 'patch' | 'delete';
  let r = request(app.http)[method](c.path);
  const headers = { ...(c.body !== undefined ? { 'Content-Type': 'application/fhir+json' } : {}), ...c.headers };
  for (const [k, v] of Object.entries(headers)) r = r.set(k, v);
  if (c.body === undefined) return r;
  return r.send(typeof c.body === 'string' ? c.body : JSON.stringify(c.body));
}

export function statusMatches(status: number, expect: FuzzCase['expectStatus']): boolean {
  if (expect === undefined) return status < 500;
  return Array.isArray(expect) ? status >= expect[0] && status <= expect[1] : status === expect;
}

const LEAKS = [/\n\s+at [^\n]+:\d+:\d+/, /node_modules|\.ts:\d+:\d+/, /\b(SELECT|INSERT INTO|DELETE FROM)\b[^"]*\b(FROM|VALUES|WHERE)\b/, /\b(pglite|syntax error at or near)\b/i];

/** A stack trace, a source path or SQL text in a response body. */
export function leaks(text: string | undefined): boolean {
  return Boolean(text && LEAKS.some((re) => re.test(text)));
}

/** What is stored, in two numbers that any partial write would move: live resources and the newest version. */
export async function storedFingerprint(app: TestApp): Promise<string> {
  const total = await request(app.http).get('/fhir?_count=0&_total=accurate');
  const newest = await request(app.http).get('/fhir/_history?_count=1');
  const r = (newest.body as { entry?: { resource?: { resourceType?: string; id?: string; meta?: { versionId?: string } } }[] }).entry?.[0]?.resource;
  return `${String(total.body.total)}|${r?.resourceType ?? ''}/${r?.id ?? ''}|${r?.meta?.versionId ?? ''}`;
}
