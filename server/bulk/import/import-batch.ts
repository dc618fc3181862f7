/**
 * Writes one batch of judged lines through the store's one write path (so the review guard, twin outbox,
 * extraction and audit hooks run for each): lines without an id are created, lines with one are
 * inserted in one statement where new and updated where they exist (update-with-id). A write hook's
 * refusal (e.g. the review guard on an AI-asserted finding claiming `confirmed`) is attributed to its
 * line: that line becomes an error and the batch is written again without it.
 */
import type { Resource } from 'fhir/r4';
import type { AccessContext } from '../../core/access-context';
import type { IdGenerator } from '../../core/clock';
import { FhirError, type Issue } from '../../core/fhir-error';
import type { ImportBatchResult, ImportCheckpoint, StoreWriter } from '../../store/types';
import { lineOutcome } from './import-line';

export interface JudgedEntry {
  line: number;
  resource?: Resource;
  hasId?: boolean;
  issues?: Issue[];
}

/** A write refused for one line (by a hook or the store), to be written again without it. */
export class LineRefused extends Error {
  constructor(readonly index: number, readonly refusal: FhirError) {
    super(refusal.message);
  }
}

type WithId = Resource & { id: string };

/** Writes the entries that have a resource; throws LineRefused when a FhirError can be pinned on one. */
async function writeEntries(tx: StoreWriter, ctx: AccessContext, entries: { index: number; resource: WithId }[]): Promise<void> {
  let current: number | undefined;
  try {
    const created = await tx.createMany(ctx, entries.map((e) => e.resource), {
      skipExisting: true, beforeHooks: (i) => { current = entries[i].index; },
    });
    for (const [i, stored] of created.entries()) {
      if (stored) continue;
      current = entries[i].index;
      await tx.update(ctx, entries[i].resource);
    }
  } catch (err) {
    if (err instanceof FhirError && current !== undefined && err.status < 500) throw new LineRefused(current, err);
    throw err;
  }
}

export interface BatchInput {
  url: string;
  entries: JudgedEntry[];
  next: ImportCheckpoint;
}

/**
 * The batch's writes inside `tx`; `refused` holds lines refused by earlier attempts (written as errors).
 * Ids are given to id-less lines once, before the first attempt, so retries write the same resources.
 */
export async function writeBatch(tx: StoreWriter, ctx: AccessContext, batch: BatchInput, refused: Map<number, Issue[]>): Promise<ImportBatchResult> {
  const counts: Record<string, number> = {};
  const errors: string[] = [];
  const writes: { index: number; resource: WithId }[] = [];
  for (const [index, e] of batch.entries.entries()) {
    const issues = e.issues ?? refused.get(index);
    if (issues) errors.push(JSON.stringify(lineOutcome(batch.url, e.line, issues)));
    else if (e.resource) {
      writes.push({ index, resource: e.resource as WithId });
      counts[e.resource.resourceType] = (counts[e.resource.resourceType] ?? 0) + 1;
    }
  }
  if (writes.length) await writeEntries(tx, ctx, writes);
  return { next: batch.next, counts, errors };
}

/** Gives every id-less resource its server id (what a REST create does). */
export function assignIds(entries: JudgedEntry[], ids: IdGenerator): void {
  for (const e of entries) if (e.resource && !e.hasId) e.resource = { ...e.resource, id: ids.newId() };
}
