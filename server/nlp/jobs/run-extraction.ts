/**
 * The extraction sequence shared by the background queue and $extract: prepare (outside any transaction),
 * then, in the caller's transaction, write the findings and complete the Task with them as its output.
 */
import type { Task } from 'fhir/r4';
import type { AccessContext } from '../../core/access-context';
import type { StoreWriter, StoredResource } from '../../store/types';
import { cancelWaitingExtractions } from './extraction-hook';
import { type PreparedExtraction, prepareExtraction } from './prepare';
import type { ExtractionServices } from './services';
import { changeTask, newExtractionTask } from './task';
import { writeExtraction } from './write';

export { prepareExtraction };

/**
 * Writes the prepared run and marks `task` completed (null: the Task disappeared; the findings are still
 * written). Returns what was written, then the completed Task.
 */
export async function completeExtraction(
  tx: StoreWriter, s: ExtractionServices, ctx: AccessContext, run: PreparedExtraction, task: (Task & { id: string }) | null,
): Promise<StoredResource[]> {
  const written = await writeExtraction(tx, s, ctx, run);
  if (!task) return written;
  const done = changeTask(task, { status: 'completed', outputs: written.map((w) => `${w.resourceType}/${w.id}`) }, s.clock.now());
  const { stored } = await tx.update(ctx, done);
  return [...written, stored];
}

/**
 * Extracts a document now ($extract): the same sequence as the queue, with a Task created already completed;
 * a waiting background extraction of the document is cancelled as superseded.
 */
export async function extractNow(
  s: ExtractionServices, ctx: AccessContext, documentId: string, write: <T>(fn: (tx: StoreWriter) => Promise<T>) => Promise<T>,
): Promise<StoredResource[]> {
  const run = await prepareExtraction(s, ctx, documentId);
  return write(async (tx) => {
    const now = s.clock.now();
    await cancelWaitingExtractions(tx, ctx, s.registry, documentId, 'superseded by $extract', now);
    const task = newExtractionTask(run.document, run.documentVersion, s.ids.newId(), now);
    task.executionPeriod = { start: now.toISOString() };
    return completeExtraction(tx, s, ctx, run, task);
  });
}
