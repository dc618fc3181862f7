/** The completion manifest (Bulk Data IG 2.0 "Response - Complete Status") and the X-Progress text while running. */
import { TWINFHIR_BASE } from '../../core/canonical-urls';
import type { ExportJobRecord } from '../../store/types';
import { fileName } from './files';
import { jobParams } from './job-params';
import { partsOf } from './part-writer';

/** Manifest extension reporting what the job's transform left out (excluded patients, resources per type). */
export const EXCLUDED_EXTENSION = `${TWINFHIR_BASE}/StructureDefinition/bulk-export-excluded`;

/** Manifest extension of a `_pseudonymize` export: which profile de-identified it (never the key). */
export const PSEUDONYMIZED_EXTENSION = `${TWINFHIR_BASE}/StructureDefinition/bulk-export-pseudonymized`;

export interface ExportManifest {
  transactionTime: string;
  request: string;
  requiresAccessToken: boolean;
  output: { type: string; url: string; count: number }[];
  error: { type: 'OperationOutcome'; url: string }[];
  extension?: Record<string, unknown>;
}

export const ERROR_FILE = 'OperationOutcome.ndjson';

export const downloadUrl = (baseUrl: string, jobId: string, file: string): string =>
  `${baseUrl}/$export-download?_jobId=${encodeURIComponent(jobId)}&_file=${encodeURIComponent(file)}`;

export function manifestOf(job: ExportJobRecord, baseUrl: string, requiresAccessToken: boolean): ExportManifest {
  const p = job.progress;
  const output = p.types.flatMap((t) => partsOf(t).map((f) => ({ type: t.type, url: downloadUrl(baseUrl, job.id, fileName(t.type, f.part)), count: f.lines })));
  const manifest: ExportManifest = {
    transactionTime: job.transactionTime.toISOString(), request: job.requestUrl, requiresAccessToken, output,
    error: p.errors?.length ? [{ type: 'OperationOutcome', url: downloadUrl(baseUrl, job.id, ERROR_FILE) }] : [],
  };
  const resources = Object.fromEntries(p.types.filter((t) => t.excluded).map((t) => [t.type, t.excluded ?? 0]));
  const extension: Record<string, unknown> = {};
  if (p.excludedPatients || Object.keys(resources).length) extension[EXCLUDED_EXTENSION] = { patients: p.excludedPatients ?? {}, resources };
  const pseudonymized = jobParams(job).pseudonymize;
  if (pseudonymized) extension[PSEUDONYMIZED_EXTENSION] = { profile: pseudonymized.profile };
  if (Object.keys(extension).length) manifest.extension = extension;
  return manifest;
}

export function progressText(job: ExportJobRecord): string {
  const types = job.progress.types;
  const done = types.filter((t) => t.done).length;
  const lines = types.reduce((n, t) => n + t.lines, 0);
  const current = types.find((t) => !t.done)?.type;
  return `${job.status}: ${done} of ${types.length} types, ${lines} resources${current && job.status === 'running' ? ` (exporting ${current})` : ''}`;
}
