/**
 * The write side of a patient-context token's row restriction, checked by the writer inside the write's
 * transaction (so it sees the row it locked): the version written and the version it replaces or deletes
 * must both belong to the patient's compartment alone, else 403 (writes refuse; reads answer 404). A
 * resource shared with another patient's compartment (a Group of both, a Provenance spanning both) reaches
 * the token masked (read-mask.ts); changing it would decide for the other patient too, or write the mask
 * back over what it hides, so such writes need a user/ or system/ scope. A masked copy is refused outright (403, not 409: the writer
 * reads a 409 from an insert as a lost create race and retries).
 */
import type { AccessContext, WriteOrigin } from '../core/access-context';
import { FhirError } from '../core/fhir-error';
import { isMaskedCopy } from '../core/foreign-mask';

/**
 * Derived writes the server makes on the caller's behalf once the caller's own write passed: extraction
 * results (with their Device and Tasks), twin rebuilds, audit records. A review decision stays the caller's.
 */
const DERIVED: ReadonlySet<WriteOrigin> = new Set(['nlp-extraction', 'twin-builder', 'audit']);

/** In the token's patient's compartment and in no other patient's. */
function ownAlone(patient: string, patients: readonly string[] | null): boolean {
  return Boolean(patients?.includes(patient)) && patients?.every((p) => p === patient) === true;
}

export function assertWritable(ctx: AccessContext, ref: { resourceType: string; id: string }, patients: readonly string[] | null, change: 'written' | 'changed'): void {
  const r = ctx.writeRestriction;
  if (!r || (ctx.origin && DERIVED.has(ctx.origin)) || r.exemptTypes.includes(ref.resourceType)) return;
  if (change === 'written' && isMaskedCopy(ref)) {
    throw new FhirError(403, 'forbidden', `The ${ref.resourceType} is a masked copy (meta.security MASKED): writing it back would erase what is masked`);
  }
  if (ownAlone(r.patient, patients)) return;
  const what = change === 'written' ? `The ${ref.resourceType} would be` : `${ref.resourceType}/${ref.id} is`;
  const where = patients?.includes(r.patient) ? 'shared with another patient\'s compartment' : 'outside the patient compartment of this token';
  throw new FhirError(403, 'forbidden', `${what} ${where}`);
}
