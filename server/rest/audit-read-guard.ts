/**
 * Keeps the audit trail for auditors (issue 11 §7): AuditEvent read, vread, search and history, and
 * `_include`/`_revinclude`/`_type` that would pull AuditEvents in, need `mayReadAudit`. System-wide and
 * compartment-wide searches/history without `_type` would include AuditEvents too, so without the audit
 * capability they must name their types. Checked per request, so Bundle entries are covered as well.
 */
import { mayReadAudit } from '../core/audit-access';
import type { AccessContext } from '../core/access-context';
import { forbidden } from '../core/fhir-error';
import type { Route } from './route';

const AUDIT = 'AuditEvent';

function namesAudit(query: [string, string][]): boolean {
  return query.some(([k, v]) => {
    const name = k.split(':')[0];
    if (name === '_type') return v.split(',').some((t) => t.trim() === AUDIT);
    if (name === '_include' || name === '_revinclude') return v.split(':')[0] === AUDIT || v.split(':')[2] === AUDIT || v === '*';
    return false;
  });
}

/** True when the route may return AuditEvents. */
function pullsAudit(route: Route, query: [string, string][]): boolean {
  switch (route.kind) {
    case 'read': case 'vread':
      return route.type === AUDIT;
    case 'search': case 'history':
      if (route.type === AUDIT || namesAudit(query)) return true;
      // every type: system level or a whole compartment, unless _type narrows it
      return route.type === undefined && !query.some(([k]) => k === '_type');
    default:
      return false;
  }
}

export function checkAuditRead(route: Route, query: [string, string][], ctx: AccessContext): void {
  if (!pullsAudit(route, query) || mayReadAudit(ctx)) return;
  throw forbidden('AuditEvents are readable with an audit scope only (system/AuditEvent.rs or user/AuditEvent.rs); name the resource types with _type to search across types');
}
