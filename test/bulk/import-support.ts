/** Helpers for the $import tests: kick-off by upload or Parameters, polling, and the error file. */
import type { Express } from 'express';
import request from 'supertest';

export const NDJSON = 'application/fhir+ndjson';

export interface ImportOutcome {
  manifest: { transactionTime: string; request: string; output: { type: string; count: number }[]; error: { url: string; count: number }[] };
  /** Error file lines, parsed. */
  errors: { issue: { diagnostics: string; code: string }[]; extension: { url: string; valueUrl?: string; valueInteger?: number }[] }[];
}

/** Uploads NDJSON as the request body; returns the status path (below the host). */
export async function uploadImport(http: Express, ndjson: string | Buffer, query = '', headers: Record<string, string> = {}): Promise<string> {
  const res = await request(http).post(`/fhir/$import${query}`).set({ 'Content-Type': NDJSON, Prefer: 'respond-async', ...headers }).send(ndjson);
  if (res.status !== 202) throw new Error(`upload kick-off answered ${res.status}: ${JSON.stringify(res.body).slice(0, 500)}`);
  return statusPath(res.headers['content-location']);
}

export function statusPath(location: string): string {
  return new URL(location).pathname;
}

/** Polls the status URL until the job is over; returns the manifest and the parsed error file. */
export async function awaitImport(http: Express, path: string, headers: Record<string, string> = {}, timeoutMs = 120_000): Promise<ImportOutcome> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const res = await request(http).get(path).set(headers);
    if (res.status === 200) {
      const manifest = res.body as ImportOutcome['manifest'];
      const errors = manifest.error.length ? await errorLines(http, statusPath(manifest.error[0].url), headers) : [];
      return { manifest, errors };
    }
    if (res.status !== 202) throw new Error(`status answered ${res.status}: ${JSON.stringify(res.body).slice(0, 500)}`);
    expect(res.headers['x-progress']).toBeDefined();
    expect(res.headers['retry-after']).toBeDefined();
    if (Date.now() > until) throw new Error(`import did not finish: ${res.headers['x-progress'] as string}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function errorLines(http: Express, path: string, headers: Record<string, string> = {}): Promise<ImportOutcome['errors']> {
  const res = await request(http).get(path).set(headers).buffer(true).parse((r, cb) => {
    let text = '';
    r.on('data', (c: Buffer) => { text += c.toString('utf8'); });
    r.on('end', () => cb(null, text));
  });
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toContain(NDJSON);
  return (res.body as string).split('\n').filter(Boolean).map((l) => JSON.parse(l) as ImportOutcome['errors'][number]);
}

/** The line number an error OperationOutcome names. */
export const lineOf = (e: ImportOutcome['errors'][number]): number | undefined => e.extension.find((x) => x.url.endsWith('bulk-import-line'))?.valueInteger;

export const countOf = (m: ImportOutcome['manifest'], type: string): number => m.output.find((o) => o.type === type)?.count ?? 0;
