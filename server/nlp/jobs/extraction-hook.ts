/**
 * The write hook that makes every stored DocumentReference an extraction Task plus a durable job, in the
 * document's own transaction (DESIGN.md §1 flow 2). A newer version supersedes a waiting extraction of an
 * older one; deleting the document cancels it.
 */
import type { DocumentReference, Task } from 'fhir/r4';
import type { AccessContext } from '../../core/access-context';
import type { Clock, IdGenerator } from '../../core/clock';
import type { SearchRegistry } from '../../search/registry';
import type { StoreWriter, WriteHook } from '../../store/types';
import { NLP_QUEUE, changeTask, documentRef, extractionJobKey, newExtractionTask, type ExtractionJobPayload } from './task';
import { searchAll } from './store-search';

export interface ExtractionHookOptions {
  ids: IdGenerator;
  clock: Clock;
  registry: SearchRegistry;
  maxAttempts: number;
  /** Called after the transaction committed (an in-process worker can start at once). */
  onEnqueued?: () => void;
}

/** Tasks of this document still waiting to run: they become `cancelled` with the reason. */
export async function cancelWaitingExtractions(
  tx: StoreWriter, ctx: AccessContext, registry: SearchRegistry, documentId: string, reason: string, now: Date,
): Promise<void> {
  if ((await tx.cancelWaitingJobs(NLP_QUEUE, extractionJobKey(documentId))) === 0) return;
  const waiting = await searchAll<Task>(tx, ctx, registry, 'Task', [['focus', documentRef(documentId)], ['status', 'requested']]);
  for (const task of waiting) {
    if (task.code?.coding?.some((c) => c.code === 'extract')) await tx.update(ctx, changeTask(task, { status: 'cancelled', reason }, now));
  }
}

/** True for documents worth reading (not entered in error, not superseded drafts). */
function extractable(doc: DocumentReference): boolean {
  return doc.status !== 'entered-in-error' && doc.docStatus !== 'entered-in-error';
}

export function createExtractionHook(opts: ExtractionHookOptions): WriteHook {
  return async (tx, ctx, change) => {
    if (change.resourceType !== 'DocumentReference') return;
    const now = opts.clock.now();
    if (change.kind === 'delete') {
      await cancelWaitingExtractions(tx, ctx, opts.registry, change.id, 'the document was deleted', now);
      return;
    }
    const doc = change.stored.resource as (DocumentReference & { id: string }) | undefined;
    if (!doc) return;
    await cancelWaitingExtractions(tx, ctx, opts.registry, change.id, `superseded by version ${change.stored.versionId} of the document`, now);
    if (!extractable(doc)) return;
    const task = newExtractionTask(doc, change.stored.versionId, opts.ids.newId(), now);
    await tx.create(ctx, task);
    const payload: ExtractionJobPayload = { taskId: task.id, documentId: doc.id, documentVersion: change.stored.versionId };
    await tx.enqueueJob({ queue: NLP_QUEUE, key: extractionJobKey(doc.id), payload: { ...payload }, maxAttempts: opts.maxAttempts });
    if (opts.onEnqueued) tx.onCommit(opts.onEnqueued);
  };
}
