/**
 * The streaming core of an export job: for each type, keyset pages of stored JSON from the store, through
 * the job's transform (if any), appended to the type's NDJSON file; after every page its progress (cursor,
 * lines, bytes) is committed, so memory is two pages (one read and encoded ahead) and a restart resumes there.
 */
import type { AccessContext } from '../../core/access-context';
import { FhirError } from '../../core/fhir-error';
import type { ExportProgress, ExportRow, ExportSelection, ExportTypeProgress, ResourceStore } from '../../store/types';
import type { EncodedPage } from './page-codec';
import type { PageEncoder } from './page-encoder';
import { PartWriter } from './part-writer';

export interface PipelineRun {
  store: Pick<ResourceStore, 'bulkExport'>;
  ctx: AccessContext;
  jobId: string;
  /** The job's directory. */
  dir: string;
  pageSize: number;
  /** Resources per output file (0: one file per type). */
  maxFileResources: number;
  progress: ExportProgress;
  selectionFor(type: string): ExportSelection;
  encoder: PageEncoder;
  signal: AbortSignal;
}

export type PipelineOutcome = 'done' | 'paused' | 'cancelled';

const EMPTY: EncodedPage = { data: '', lines: 0, excluded: 0 };

/** A type whose selection fails for good (e.g. a filter the data cannot answer) is recorded as an error; others throw (retry). */
function permanent(err: unknown): err is FhirError {
  return err instanceof FhirError && err.status >= 400 && err.status < 500;
}

async function exportType(run: PipelineRun, i: number): Promise<PipelineOutcome> {
  const save = (tp: ExportTypeProgress): Promise<boolean> => {
    run.progress.types[i] = tp;
    return run.store.bulkExport.saveProgress(run.jobId, run.progress);
  };
  const file = await PartWriter.open(run.dir, run.progress.types[i], run.maxFileResources);
  let tp = file.progress;
  try {
    const selection = run.selectionFor(tp.type);
    // A page is handed to the encoder as soon as it is read, so the next page is read and encoded (in the
    // transform's worker) while this one is written and committed: at most two pages are in hand.
    const stage = async (after: string): Promise<{ rows: ExportRow[]; page: Promise<EncodedPage> }> => {
      const rows = await run.store.bulkExport.rows(run.ctx, selection, after, run.pageSize);
      const page = rows.length ? run.encoder.encode(rows) : Promise.resolve(EMPTY);
      page.catch(() => undefined); // awaited below; a failure is not unhandled meanwhile
      return { rows, page };
    };
    let next = stage(tp.cursor);
    for (;;) {
      const { rows, page: encoding } = await next;
      if (!rows.length) return (await save({ ...tp, done: true })) ? 'done' : 'cancelled';
      next = stage(rows[rows.length - 1].rid);
      next.catch(() => undefined);
      const page = await encoding;
      await file.write(page.data, page.lines);
      const excluded = (tp.excluded ?? 0) + page.excluded;
      tp = file.update({ cursor: rows[rows.length - 1].rid, ...(excluded ? { excluded } : {}) });
      if (!(await save(tp))) return 'cancelled';
      if (run.signal.aborted) return 'paused';
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
