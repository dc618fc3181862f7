/** Loading Synthea bundles and driving a Bulk Data export over HTTP (kick-off, polling, downloads) for test/bulk. */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type express from 'express';
import request from 'supertest';

export const SYNTHEA = path.resolve(__dirname, '../../../shared/data/synthea-r4-bundles/bundles');

/** The hospital and practitioner bundles, then the `patients` smallest patient bundles. */
export function syntheaFiles(patients: number): string[] {
  const all = readdirSync(SYNTHEA).filter((f) => f.endsWith('.json'));
  const shared = all.filter((f) => /^[a-z]/.test(f));
  const people = all.filter((f) => /^[A-Z]/.test(f)).map((f) => ({ f, size: readFileSync(path.join(SYNTHEA, f)).length })).sort((a, b) => a.size - b.size);
  return [...shared, ...people.slice(0, patients).map((p) => p.f)];
}

export async function loadBundles(http: express.Express, files: string[], auth?: string): Promise<void> {
  for (const f of files) {
    const res = await request(http).post('/fhir').set({ 'Content-Type': 'application/fhir+json', Prefer: 'return=minimal', ...(auth ? { Authorization: auth } : {}) })
      .send(readFileSync(path.join(SYNTHEA, f), 'utf8'));
    if (res.status !== 200) throw new Error(`${f}: ${res.status} ${res.text.slice(0, 300)}`);
  }
}

export interface Manifest {
  transactionTime: string;
  request: string;
  requiresAccessToken: boolean;
  output: { type: string; url: string; count: number }[];
  error: { type: string; url: string }[];
  extension?: Record<string, unknown>;
}

const local = (url: string): string => url.replace(/^https?:\/\/[^/]+/, '');

export async function kickOff(http: express.Express, pathAndQuery: string, headers: Record<string, string> = {}): Promise<string> {
  const res = await request(http).get(pathAndQuery).set({ Prefer: 'respond-async', Accept: 'application/fhir+json', ...headers });
  if (res.status !== 202) throw new Error(`kick-off ${pathAndQuery}: ${res.status} ${res.text.slice(0, 300)}`);
  return local(String(res.headers['content-location']));
}

export async function waitForManifest(http: express.Express, status: string, headers: Record<string, string> = {}, timeoutMs = 120_000): Promise<Manifest> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const res = await request(http).get(status).set(headers);
    if (res.status === 200) return JSON.parse(res.text) as Manifest;
    if (res.status !== 202) throw new Error(`status ${res.status}: ${res.text.slice(0, 300)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('export did not finish in time');
}

/** Every line of an output file, parsed. */
export async function download(http: express.Express, url: string, headers: Record<string, string> = {}): Promise<{ resourceType: string; id: string; [k: string]: unknown }[]> {
  const res = await request(http).get(local(url)).set(headers).buffer(true).parse((r, cb) => {
    const chunks: Buffer[] = [];
    r.on('data', (c: Buffer) => chunks.push(c));
    r.on('end', () => cb(null, Buffer.concat(chunks)));
  });
  if (res.status !== 200) throw new Error(`download ${res.status}`);
  const raw = res.body as Buffer;
  // superagent may already have inflated a gzip body.
  const zipped = res.headers['content-encoding'] === 'gzip' && raw[0] === 0x1f && raw[1] === 0x8b;
  const text = (zipped ? gunzipSync(raw) : raw).toString('utf8');
  return text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { resourceType: string; id: string });
}

/** Every resource of the export, per type, as `Type/id` keys in file order. */
export async function exportedKeys(http: express.Express, manifest: Manifest, headers: Record<string, string> = {}): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const o of manifest.output) {
    const lines = await download(http, o.url, headers);
    out.set(o.type, [...(out.get(o.type) ?? []), ...lines.map((r) => `${r.resourceType}/${r.id}`)]);
  }
  return out;
}

/** Every id a search returns, following next links. */
export async function searchIds(http: express.Express, pathAndQuery: string, headers: Record<string, string> = {}): Promise<string[]> {
  const ids: string[] = [];
  let next: string | undefined = `${pathAndQuery}${pathAndQuery.includes('?') ? '&' : '?'}_count=1000`;
  while (next) {
    const res = await request(http).get(next).set({ Accept: 'application/fhir+json', ...headers });
    if (res.status !== 200) throw new Error(`search ${next}: ${res.status} ${res.text.slice(0, 200)}`);
    const bundle = JSON.parse(res.text) as { entry?: { resource: { resourceType: string; id: string }; search?: { mode?: string } }[]; link?: { relation: string; url: string }[] };
    for (const e of bundle.entry ?? []) if (e.search?.mode !== 'outcome') ids.push(`${e.resource.resourceType}/${e.resource.id}`);
    const link = bundle.link?.find((l) => l.relation === 'next')?.url;
    next = link ? local(link) : undefined;
  }
  return ids;
}
