/**
 * Keeps the audit trail for auditors (issue 11 §7): AuditEvent read, vread, search and history, and
 * `_include`/`_revinclude`/`_type` that would pull AuditEvents in, need `mayReadAudit`. Searches and
 * history across all types leave AuditEvents out (UNLISTED_TYPES). Checked per request, so Bundle
 * entries are covered as well.
 */
import { mayReadAudit } from '../core/audit-access';
import type { AccessContext } from '../core/access-context';
import { forbidden } from '../core/fhir-error';
import type { AccessRoute } from './access-route';

const AUDIT = 'AuditEvent';

/** Types that searches and history across all types leave out: the audit trail is found only by naming it. */
export const UNLISTED_TYPES: readonly string[] = [AUDIT];

function namesAudit(query: [string, string][]): boolean {
  return query.some(([k, v]) => {
    const name = k.split(':')[0];
    if (name === '_type') return v.split(',').some((t) => t.trim() === AUDIT);
    if (name === '_include' || name === '_revinclude') return v.split(':')[0] === AUDIT || v.split(':')[2] === AUDIT || v === '*';
    return false;
  });
}

/** True when the route may return AuditEvents. */
function pullsAudit(route: AccessRoute, query: [string, string][]): boolean {
  switch (route.kind) {
    case 'read': case 'vread':
      return route.type === AUDIT;
    case 'search': case 'history':
      // across all types (system level, compartment `*`) AuditEvents are left out unless _type names them
      return route.type === AUDIT || namesAudit(query);
    default:
      return false;
  }
}

export function checkAuditRead(route: AccessRoute, query: [string, string][], ctx: AccessContext): void {
  if (!pullsAudit(route, query) || mayReadAudit(ctx)) return;
  throw forbidden('AuditEvents are readable with an audit scope only (system/AuditEvent.rs or user/AuditEvent.rs); name the resource types with _type to search across types');
}
