/**
 * `twinfhir import --bulk`: NDJSON files go to the server's Bulk `$import` (when its CapabilityStatement
 * offers it) as one streamed upload each — no Bundles, the server checkpoints and resumes — with progress
 * from polling the status URL and the per-line OperationOutcomes of its error file as failures.
 */
import { createReadStream, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import type { ImportFailure } from './import-runner';
import { RequestFailure } from './request-failure';

export interface BulkTarget {
  baseUrl: string;
  token?: string;
  pollMs: number;
}

export interface BulkResult {
  resourcesOk: number;
  failures: ImportFailure[];
}

const headersOf = (t: BulkTarget, more: Record<string, string> = {}): Record<string, string> => ({ Accept: 'application/fhir+json', ...(t.token ? { Authorization: `Bearer ${t.token}` } : {}), ...more });

/** Whether the server's CapabilityStatement lists a system-level $import. */
export async function supportsBulkImport(t: BulkTarget): Promise<boolean> {
  const res = await fetch(`${t.baseUrl}/metadata`, { headers: headersOf(t) });
  if (!res.ok) return false;
  const cs = (await res.json()) as { rest?: { operation?: { name?: string }[] }[] };
  return (cs.rest ?? []).some((r) => (r.operation ?? []).some((o) => o.name === 'import'));
}

async function failure(res: Response, what: string): Promise<RequestFailure> {
  const text = await res.text();
  let message = text.slice(0, 300);
  try {
    message = (JSON.parse(text) as { issue?: { diagnostics?: string }[] }).issue?.map((i) => i.diagnostics).join('; ') ?? message;
  } catch { /* not JSON: the text as it came */ }
  return new RequestFailure(res.status, `${what}: ${message}`);
}

/** The error file's OperationOutcomes as failures naming the file and line. */
async function errorFailures(t: BulkTarget, file: string, url: string): Promise<ImportFailure[]> {
  const res = await fetch(url, { headers: headersOf(t) });
  if (!res.ok) throw await failure(res, 'reading the import error file');
  return (await res.text()).split('\n').filter(Boolean).map((line) => {
    const oo = JSON.parse(line) as { issue?: { diagnostics?: string; code?: string }[]; extension?: { url: string; valueInteger?: number }[] };
    const n = oo.extension?.find((e) => e.url.endsWith('/bulk-import-line'))?.valueInteger;
    const message = (oo.issue ?? []).map((i) => (i.diagnostics ?? '').replace(/^.* line \d+: /, '')).join('; ');
    return { file, origin: `line ${n ?? '?'}`, status: oo.issue?.[0]?.code === 'forbidden' ? 403 : 422, message };
  });
}

/** Uploads one NDJSON file to $import and polls until the job is over; `onProgress` gets resources written so far. */
export async function bulkImportFile(t: BulkTarget, file: string, onProgress: (written: number) => void): Promise<BulkResult> {
  const body = Readable.toWeb(createReadStream(file)) as ReadableStream<Uint8Array>;
  const kick = await fetch(`${t.baseUrl}/$import`, {
    method: 'POST', body, duplex: 'half',
    headers: headersOf(t, { 'Content-Type': 'application/fhir+ndjson', Prefer: 'respond-async', 'Content-Length': String(statSync(file).size) }),
  });
  if (kick.status !== 202) throw await failure(kick, `$import of ${file}`);
  const status = kick.headers.get('content-location');
  if (!status) throw new RequestFailure(kick.status, '$import answered 202 without a Content-Location');
  for (;;) {
    const res = await fetch(status, { headers: headersOf(t) });
    if (res.status === 202) {
      onProgress(Number(/(\d+) resources written/.exec(res.headers.get('x-progress') ?? '')?.[1] ?? 0));
      await res.arrayBuffer();
      await new Promise((r) => setTimeout(r, t.pollMs));
      continue;
    }
    if (res.status !== 200) throw await failure(res, `$import status of ${file}`);
    const manifest = (await res.json()) as { output?: { count: number }[]; error?: { url: string }[] };
    const resourcesOk = (manifest.output ?? []).reduce((n, o) => n + o.count, 0);
    onProgress(resourcesOk);
    const failures = manifest.error?.[0] ? await errorFailures(t, file, manifest.error[0].url) : [];
    return { resourcesOk, failures };
  }
}
