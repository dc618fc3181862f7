/**
 * The write side of a patient-context token's row restriction, checked by the writer inside the write's
 * transaction (so it sees the row it locked): the version written and the version it replaces or deletes
 * must both be in the patient's compartment, else 403 (writes refuse; reads answer 404).
 */
import type { AccessContext, WriteOrigin } from '../core/access-context';
import { FhirError } from '../core/fhir-error';
import { visibleUnder } from './search/row-restriction';

/**
 * Derived writes the server makes on the caller's behalf once the caller's own write passed: extraction
 * results (with their Device and Tasks), twin rebuilds, audit records. A review decision stays the caller's.
 */
const DERIVED: ReadonlySet<WriteOrigin> = new Set(['nlp-extraction', 'twin-builder', 'audit']);

export function assertWritable(ctx: AccessContext, ref: { resourceType: string; id: string }, patients: readonly string[] | null, change: 'written' | 'changed'): void {
  if (!ctx.writeRestriction || (ctx.origin && DERIVED.has(ctx.origin))) return;
  if (visibleUnder(ctx.writeRestriction, ref.resourceType, patients)) return;
  const what = change === 'written' ? `The ${ref.resourceType} would be` : `${ref.resourceType}/${ref.id} is`;
  throw new FhirError(403, 'forbidden', `${what} outside the patient compartment of this token`);
}
