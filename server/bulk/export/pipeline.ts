/**
 * The streaming core of an export job: for each type, keyset pages of stored JSON from the store, through
 * the job's transform (if any), appended to the type's NDJSON file; after every page the file is synced and
 * the page's progress (cursor, lines, bytes) committed, so memory is one page and a restart resumes there.
 */
import type { Resource } from 'fhir/r4';
import path from 'node:path';
import type { AccessContext } from '../../core/access-context';
import { FhirError } from '../../core/fhir-error';
import type { ExportProgress, ExportRow, ExportSelection, ExportTypeProgress, ResourceStore } from '../../store/types';
import { fileName } from './files';
import { NdjsonFile } from './ndjson-file';
import type { ExportTransform } from './transform';

export interface PipelineRun {
  store: Pick<ResourceStore, 'bulkExport'>;
  ctx: AccessContext;
  jobId: string;
  /** The job's directory. */
  dir: string;
  pageSize: number;
  progress: ExportProgress;
  selectionFor(type: string): ExportSelection;
  transform?: ExportTransform;
  signal: AbortSignal;
}

export type PipelineOutcome = 'done' | 'paused' | 'cancelled';

/** The page as NDJSON text: stored JSON as is, or through the transform (which may leave a resource out). */
function encode(rows: ExportRow[], transform: ExportTransform | undefined): { text: string; lines: number; excluded: number } {
  if (!transform) return { text: rows.map((r) => `${r.json}\n`).join(''), lines: rows.length, excluded: 0 };
  let text = '';
  let lines = 0;
  for (const row of rows) {
    const out = transform.apply(JSON.parse(row.json) as Resource);
    if (out === undefined) continue;
    text += `${JSON.stringify(out)}\n`;
    lines++;
  }
  return { text, lines, excluded: rows.length - lines };
}

/** A type whose selection fails for good (e.g. a filter the data cannot answer) is recorded as an error; others throw (retry). */
function permanent(err: unknown): err is FhirError {
  return err instanceof FhirError && err.status >= 400 && err.status < 500;
}

async function exportType(run: PipelineRun, i: number): Promise<PipelineOutcome> {
  const save = (tp: ExportTypeProgress): Promise<boolean> => {
    run.progress.types[i] = tp;
    return run.store.bulkExport.saveProgress(run.jobId, run.progress);
  };
  let tp = run.progress.types[i];
  const file = await NdjsonFile.open(path.join(run.dir, fileName(tp.type)), tp.bytes);
  try {
    const selection = run.selectionFor(tp.type);
    for (;;) {
      if (run.signal.aborted) return 'paused';
      const rows = await run.store.bulkExport.rows(run.ctx, selection, tp.cursor, run.pageSize);
      if (!rows.length) return (await save({ ...tp, done: true })) ? 'done' : 'cancelled';
      const page = encode(rows, run.transform);
      const bytes = page.text ? await file.append(page.text) : 0;
      const excluded = (tp.excluded ?? 0) + page.excluded;
      tp = { ...tp, cursor: rows[rows.length - 1].rid, lines: tp.lines + page.lines, bytes: tp.bytes + bytes, ...(excluded ? { excluded } : {}) };
      if (!(await save(tp))) return 'cancelled';
    }
  } catch (err) {
    if (!permanent(err)) throw err;
    run.progress.errors = [...(run.progress.errors ?? []), { type: tp.type, message: err.message }];
    return (await save({ ...tp, done: true })) ? 'done' : 'cancelled';
  } finally {
    await file.close();
  }
}

/** Exports every type not yet done, in order; stops between pages when the runner shuts down. */
export async function runPipeline(run: PipelineRun): Promise<PipelineOutcome> {
  for (let i = 0; i < run.progress.types.length; i++) {
    if (run.progress.types[i].done) continue;
    const outcome = await exportType(run, i);
    if (outcome !== 'done') return outcome;
  }
  return 'done';
}
