/**
 * Who may read AuditEvents (issue 11 §2/§7): an administrative capability, not a clinical one.
 * Granted by a `system/` scope on AuditEvent (or `system/*`) for backend services, or by the admin
 * scope `user/AuditEvent.rs` (v2) / `user/AuditEvent.read` (v1) that an authorization server grants only
 * to auditors. Patient-context tokens never read the audit trail. With auth off (development) everyone may.
 */
import type { AccessContext } from './access-context';

const AUDIT_READ = /^(system|user)\/(AuditEvent|\*)\.(read|\*|c?ru?d?s?)$/;

function grantsRead(scope: string): boolean {
  const m = AUDIT_READ.exec(scope);
  if (!m) return false;
  // user/*.read is a clinician's scope: user-level access needs AuditEvent named explicitly
  if (m[1] === 'user' && m[2] === '*') return false;
  const perms = m[3];
  return perms === 'read' || perms === '*' || (perms.includes('r') && perms.includes('s'));
}

export function mayReadAudit(ctx: AccessContext): boolean {
  if (ctx.authDisabled) return true;
  if (ctx.patient) return false;
  return ctx.scopes.some(grantsRead);
}
