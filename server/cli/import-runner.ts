/**
 * `twinfhir import`: sends units (see import-sources) to any FHIR server with bounded concurrency and
 * retries, records each landed unit in the resume log, and collects every failed entry with the server's
 * OperationOutcome. Units are produced lazily, so memory holds at most `concurrency` units at a time.
 */
import type Client from 'fhir-kit-client';
import type { Bundle } from 'fhir/r4';
import { type ImportUnit, countResources, listImportFiles, unitsOf } from './import-sources';
import { type Progress, type ProgressMode, createProgress } from './progress';
import { RequestFailure, outcomeText } from './request-failure';
import { ResumeLog } from './resume-log';
import { type RetryPolicy, withRetries } from './retry';

export interface ImportOptions {
  paths: string[];
  concurrency: number;
  chunkSize: number;
  retry: RetryPolicy;
  /** POST resources without an id (server-assigned ids; a resumed run may then duplicate what was in flight). */
  serverIds: boolean;
  stateFile?: string;
  progress: ProgressMode;
}

export interface ImportFailure { file: string; origin: string; status: number; message: string }

export interface ImportSummary {
  files: number;
  unitsSent: number;
  unitsSkipped: number;
  resourcesOk: number;
  resourcesFailed: number;
  retries: number;
  seconds: number;
  failures: ImportFailure[];
}

/** Failed entries of a batch-response (a transaction either fully succeeds or throws). */
function failedEntries(unit: ImportUnit, response: Bundle): ImportFailure[] {
  const out: ImportFailure[] = [];
  (response.entry ?? []).forEach((e, i) => {
    const status = parseInt(e.response?.status ?? '', 10);
    if (!(status >= 200 && status < 300)) {
      const oo = e.response?.outcome?.resourceType === 'OperationOutcome' ? e.response.outcome : undefined;
      out.push({ file: unit.file, origin: unit.origins[i] ?? `entry ${i}`, status: Number.isFinite(status) ? status : 0, message: outcomeText(oo) || (e.response?.status ?? 'no status') });
    }
  });
  return out;
}

async function sendUnit(client: Client, unit: ImportUnit, opts: ImportOptions, onRetry: () => void): Promise<ImportFailure[]> {
  try {
    const send = unit.bundle.type === 'transaction'
      ? () => client.transaction({ body: unit.bundle as Parameters<Client['transaction']>[0]['body'] })
      : () => client.batch({ body: unit.bundle as Parameters<Client['batch']>[0]['body'] });
    const response = await withRetries(opts.retry, send, onRetry);
    return failedEntries(unit, response as unknown as Bundle);
  } catch (err) {
    const f = err instanceof RequestFailure ? err : new RequestFailure(0, String(err));
    return unit.origins.map((origin) => ({ file: unit.file, origin, status: f.status, message: f.message }));
  }
}

interface RunState { summary: ImportSummary; log: ResumeLog; progress: Progress }

async function runUnit(client: Client, unit: ImportUnit, opts: ImportOptions, s: RunState): Promise<void> {
  const failures = await sendUnit(client, unit, opts, () => { s.summary.retries++; });
  s.summary.unitsSent++;
  s.summary.failures.push(...failures);
  s.summary.resourcesFailed += failures.length;
  s.summary.resourcesOk += unit.resources - failures.length;
  // Only a unit that landed whole is skipped next time; a partly failed one is re-sent (PUTs are idempotent).
  if (!failures.length) s.log.record(unit.key);
  s.progress.add(unit.resources);
}

export async function runImport(client: Client, opts: ImportOptions, out: NodeJS.WritableStream): Promise<ImportSummary> {
  const started = Date.now();
  const files = listImportFiles(opts.paths);
  let total = 0;
  for (const f of files) total += await countResources(f);
  const summary: ImportSummary = { files: files.length, unitsSent: 0, unitsSkipped: 0, resourcesOk: 0, resourcesFailed: 0, retries: 0, seconds: 0, failures: [] };
  const s: RunState = { summary, log: new ResumeLog(opts.stateFile), progress: createProgress(opts.progress, total, out) };
  const inFlight = new Set<Promise<void>>();
  for (const file of files) {
    const onBad = (f: string, origin: string, message: string): void => {
      summary.failures.push({ file: f, origin, status: 0, message });
      summary.resourcesFailed++;
      s.progress.add(1);
    };
    for await (const unit of unitsOf(file, opts.chunkSize, opts.serverIds, onBad)) {
      if (s.log.has(unit.key)) {
        summary.unitsSkipped++;
        s.progress.add(unit.resources);
        continue;
      }
      const p: Promise<void> = runUnit(client, unit, opts, s).finally(() => inFlight.delete(p));
      inFlight.add(p);
      if (inFlight.size >= opts.concurrency) await Promise.race(inFlight);
    }
  }
  await Promise.all(inFlight);
  s.progress.stop();
  summary.seconds = (Date.now() - started) / 1000;
  return summary;
}
