/**
 * The write hook that keeps the audit trail append-only and server-written (issue 11 §7): any create,
 * update or delete of an AuditEvent whose writer is not the audit recorder (AccessContext.origin 'audit')
 * is refused inside its transaction, so REST, PATCH, conditional writes and Bundle entries alike roll back.
 */
import { forbidden } from '../core/fhir-error';
import type { WriteHook } from '../store/types';

export const AUDIT_WRITE_REFUSAL = 'AuditEvent is written by the server only: it cannot be created, changed or deleted through the API';

/** Register first (before the review guard and the outboxes): a refused write never reaches them. */
export function createAuditWriteGuard(): WriteHook {
  return (_tx, ctx, change) => {
    if (change.resourceType === 'AuditEvent' && ctx.origin !== 'audit') return Promise.reject(forbidden(AUDIT_WRITE_REFUSAL));
    return Promise.resolve();
  };
}
