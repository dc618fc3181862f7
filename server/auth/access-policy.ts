/**
 * The access decision, pure: may this token do permission X on type T? Answers allow (possibly
 * confined to the patient's compartment and/or to query restrictions) or deny with the status the
 * issue asks for: 403 insufficient scope, 404 for a patient-context read outside the compartment
 * (no existence oracle), 403 for such a write.
 */
import type { ParsedScopes, Permission, ResourceScope, ScopeLevel } from './scopes';

export interface AccessRequest {
  permission: Permission;
  /** Resource type, or '*' for a system-wide interaction (search or history across all types). */
  type: string;
  /**
   * Administrative interaction ($reindex, SearchParameter writes, AuditEvent reads): granted only by a
   * `system/` scope, or a `user/` scope that names the type itself — `user/*.*` is not enough.
   */
  admin?: boolean;
}

export interface PolicySubject {
  scopes: ParsedScopes;
  /** Patient id in context (launch/patient); patient/ scopes grant nothing without it. */
  patient?: string;
  /** Resource types in the Patient compartment (official R4 CompartmentDefinition), Patient included. */
  patientCompartment: ReadonlySet<string>;
}

export type AccessDecision =
  | {
    allowed: true;
    /** Set when only patient/ scopes grant it: the request must stay inside this patient's compartment. */
    compartmentPatient?: string;
    /** Set when every grant is query-restricted: the resource must match one of these (AND within one). */
    restrictions?: [string, string][][];
  }
  | { allowed: false; status: 403 | 404; reason: string };

const READS: ReadonlySet<Permission> = new Set(['r', 's']);
const WORDS: Record<Permission, string> = { c: 'create', r: 'read', u: 'update', d: 'delete', s: 'search' };

function applies(scope: ResourceScope, req: AccessRequest): boolean {
  if (!scope.permissions.has(req.permission)) return false;
  if (req.admin) return scope.level === 'system' ? scope.type === '*' || scope.type === req.type : scope.level === 'user' && scope.type === req.type;
  return scope.type === '*' || scope.type === req.type;
}

function denied(req: AccessRequest, why: string, status: 403 | 404 = 403): AccessDecision {
  return { allowed: false, status, reason: `${why}: ${WORDS[req.permission]} on ${req.type === '*' ? 'all types' : req.type}` };
}

/** Grants at the user/system level win over patient ones: the caller then is not confined. */
export function decide(subject: PolicySubject, req: AccessRequest): AccessDecision {
  const grants = subject.scopes.resources.filter((s) => applies(s, req));
  const broad = grants.filter((s) => s.level !== 'patient');
  const chosen = broad.length ? broad : patientGrants(subject, req, grants);
  if (typeof chosen === 'string') return denied(req, chosen, READS.has(req.permission) && chosen.includes('compartment') ? 404 : 403);
  if (!chosen.length) return denied(req, req.admin ? 'Administrative access needs a system/ scope (or a user/ scope naming the type)' : 'No granted scope allows this');
  const compartmentPatient = broad.length ? undefined : subject.patient;
  const restricted = chosen.every((s) => s.restriction);
  return {
    allowed: true,
    ...(compartmentPatient ? { compartmentPatient } : {}),
    ...(restricted ? { restrictions: chosen.map((s) => s.restriction as [string, string][]) } : {}),
  };
}

/** Patient-level grants usable for this request, or the reason none is. */
function patientGrants(subject: PolicySubject, req: AccessRequest, grants: ResourceScope[]): ResourceScope[] | string {
  const patientLevel = grants.filter((s) => s.level === 'patient');
  if (!patientLevel.length) return [];
  if (!subject.patient) return 'patient/ scopes need a patient in context (launch/patient)';
  if (req.type === '*') return 'A patient-context token cannot act across all types';
  if (!subject.patientCompartment.has(req.type)) return `${req.type} is outside the Patient compartment`;
  return patientLevel;
}

/** The levels a token has any resource scope at (for logging and the AccessContext). */
export function levelsOf(scopes: ParsedScopes): ScopeLevel[] {
  return [...new Set(scopes.resources.map((s) => s.level))];
}
