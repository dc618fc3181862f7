/**
 * `twinfhir export`: a Bulk Data export end to end against any server (Bulk Data Access IG 2.0) —
 * kick-off with `Prefer: respond-async`, polling the status URL (honouring Retry-After, showing
 * X-Progress), then every output and error file streamed into a folder. Talks plain HTTP (fetch): the
 * kick-off answer is a 202 with a Content-Location header, which FHIR clients do not expose.
 */
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { OperationOutcome } from 'fhir/r4';
import { RequestFailure, outcomeText } from './request-failure';

export interface ExportOptions {
  server: string;
  token?: string;
  types?: string[];
  since?: string;
  typeFilters?: string[];
  /** Patient-level export: true for every patient, or these patient ids. */
  patient?: true | string[];
  group?: string;
  /** `_pseudonymize`: the server's pseudonymization profile for a research export. */
  pseudonymize?: string;
  out: string;
  timeoutSeconds: number;
  /** Longest wait between polls (a server's Retry-After is honoured up to this). */
  maxPollMs: number;
}

export interface ExportSummary {
  kind: 'done' | 'timeout';
  files: { type: string; file: string; count?: number }[];
  errors: string[];
  resources: number;
  seconds: number;
  statusUrl: string;
}

interface Manifest { output?: { type: string; url: string; count?: number }[]; error?: { type: string; url: string }[]; requiresAccessToken?: boolean }

async function failure(res: Response, what: string): Promise<RequestFailure> {
  const text = await res.text();
  let outcome: OperationOutcome | undefined;
  try { outcome = JSON.parse(text) as OperationOutcome; } catch { outcome = undefined; }
  const detail = outcome?.resourceType === 'OperationOutcome' ? outcomeText(outcome) : text.slice(0, 200);
  return new RequestFailure(res.status, `${what}: HTTP ${res.status}${detail ? `: ${detail}` : ''}`, outcome);
}

function kickOffRequest(o: ExportOptions): { url: string; init: RequestInit } {
  const base = o.server.replace(/\/+$/, '');
  const target = o.group ? `Group/${encodeURIComponent(o.group)}/$export` : o.patient ? 'Patient/$export' : '$export';
  const q = new URLSearchParams();
  if (o.types?.length) q.set('_type', o.types.join(','));
  if (o.since) q.set('_since', o.since);
  for (const f of o.typeFilters ?? []) q.append('_typeFilter', f);
  if (o.pseudonymize) q.set('_pseudonymize', o.pseudonymize);
  const headers: Record<string, string> = { Prefer: 'respond-async', Accept: 'application/fhir+json', ...auth(o.token) };
  if (Array.isArray(o.patient)) {
    // The IG passes `patient` only in a POST Parameters body.
    const parameter = [...q].map(([name, valueString]) => ({ name, valueString }));
    for (const id of o.patient) parameter.push({ name: 'patient', valueReference: { reference: `Patient/${id}` } } as never);
    return { url: `${base}/${target}`, init: { method: 'POST', headers: { ...headers, 'Content-Type': 'application/fhir+json' }, body: JSON.stringify({ resourceType: 'Parameters', parameter }) } };
  }
  return { url: `${base}/${target}${q.size ? `?${q.toString()}` : ''}`, init: { headers } };
}

const auth = (token: string | undefined): Record<string, string> => (token ? { Authorization: `Bearer ${token}` } : {});
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function poll(o: ExportOptions, statusUrl: string, deadline: number, progress: (s: string) => void): Promise<Manifest | undefined> {
  while (Date.now() < deadline) {
    const res = await fetch(statusUrl, { headers: { Accept: 'application/json', ...auth(o.token) } });
    if (res.status === 200) return (await res.json()) as Manifest;
    if (res.status !== 202) throw await failure(res, 'export status');
    await res.body?.cancel();
    progress(res.headers.get('x-progress') ?? 'in progress');
    const after = Number(res.headers.get('retry-after'));
    await sleep(Math.min(o.maxPollMs, Number.isFinite(after) && after > 0 ? after * 1000 : o.maxPollMs, Math.max(0, deadline - Date.now())));
  }
  return undefined;
}

async function fetchFile(url: string, file: string, token: string | undefined): Promise<void> {
  const res = await fetch(url, { headers: { Accept: 'application/fhir+ndjson', 'Accept-Encoding': 'gzip', ...auth(token) } });
  if (res.status !== 200 || !res.body) throw await failure(res, `download ${path.basename(file)}`);
  await pipeline(Readable.fromWeb(res.body), createWriteStream(file));
}

/** Runs the export; `progress` gets each X-Progress while it runs. */
export async function runExport(o: ExportOptions, progress: (s: string) => void): Promise<ExportSummary> {
  const started = Date.now();
  const { url, init } = kickOffRequest(o);
  const kick = await fetch(url, init);
  if (kick.status !== 202) throw await failure(kick, 'export kick-off');
  await kick.body?.cancel();
  const statusUrl = kick.headers.get('content-location');
  if (!statusUrl) throw new RequestFailure(kick.status, 'export kick-off: the server answered 202 without a Content-Location');
  const manifest = await poll(o, new URL(statusUrl, url).toString(), started + o.timeoutSeconds * 1000, progress);
  const summary: ExportSummary = { kind: manifest ? 'done' : 'timeout', files: [], errors: [], resources: 0, seconds: 0, statusUrl };
  if (manifest) {
    await mkdir(o.out, { recursive: true });
    const token = manifest.requiresAccessToken === false ? undefined : o.token;
    const seen = new Map<string, number>();
    for (const item of [...(manifest.output ?? []), ...(manifest.error ?? []).map((e) => ({ ...e, error: true }))]) {
      const n = (seen.get(item.type) ?? 0) + 1;
      seen.set(item.type, n);
      const file = path.join(o.out, `${'error' in item ? 'error-' : ''}${item.type}${n > 1 ? `.${n}` : ''}.ndjson`);
      await fetchFile(new URL(item.url, url).toString(), file, token);
      if ('error' in item) summary.errors.push(file);
      else summary.files.push({ type: item.type, file, ...(item.count !== undefined ? { count: item.count } : {}) });
    }
    summary.resources = summary.files.reduce((s, f) => s + (f.count ?? 0), 0);
  }
  summary.seconds = (Date.now() - started) / 1000;
  return summary;
}
