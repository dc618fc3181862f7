/**
 * Who may verify a finding: a user whose fhirUser is a Practitioner and whose SMART scopes allow
 * updating the resource type (v1 `user/Condition.write`, `user/*.*`; v2 `user/Condition.u`, `.cruds`).
 * Patient-scoped and system scopes never qualify: a decision is a clinician's act, not an app's.
 * https://hl7.org/fhir/smart-app-launch/scopes-and-launch-context.html
 */
import type { AccessContext } from '../core/access-context';

const SCOPE_RE = /^(patient|user|system)\/(\*|[A-Z][A-Za-z]+)\.([a-z*]+)(\?.*)?$/;
const V2_PERMISSIONS = /^c?r?u?d?s?$/;
const PRACTITIONER_RE = /(?:^|\/)Practitioner\/([A-Za-z0-9\-.]{1,64})$/;

/** The `Practitioner/id` a fhirUser value names (relative or absolute URL), or undefined. */
export function practitionerOf(fhirUser: string | undefined): string | undefined {
  if (!fhirUser) return undefined;
  const m = PRACTITIONER_RE.exec(fhirUser);
  if (!m) return undefined;
  // An absolute URL must end in exactly Practitioner/id; a bare relative one must be nothing else.
  return fhirUser.includes('://') || fhirUser.startsWith('Practitioner/') ? `Practitioner/${m[1]}` : undefined;
}

/** True when one scope grants updating `resourceType` on behalf of the user. */
export function scopeAllowsUpdate(scope: string, resourceType: string): boolean {
  const m = SCOPE_RE.exec(scope);
  if (!m) return false;
  const [, level, type, permissions, query] = m;
  if (level !== 'user' || (type !== '*' && type !== resourceType)) return false;
  if (permissions === 'write' || permissions === '*') return query === undefined;
  // A v2 scope restricted by a query (`user/Condition.u?category=…`) cannot be checked against a decision here: not granted.
  return query === undefined && V2_PERMISSIONS.test(permissions) && permissions.includes('u');
}

/** Why `ctx` may not verify a `resourceType`, or undefined when it may. */
export function verifyDenial(ctx: AccessContext, resourceType: string): string | undefined {
  if (!ctx.user) return 'Verifying a finding needs a user whose fhirUser is a Practitioner; this request has none';
  if (!practitionerOf(ctx.user)) return `Only a Practitioner may verify findings; fhirUser is '${ctx.user.slice(0, 100)}'`;
  if (!ctx.scopes.some((s) => scopeAllowsUpdate(s, resourceType))) {
    return `The granted scopes do not allow updating ${resourceType} on behalf of a user (needs e.g. user/${resourceType}.write or user/${resourceType}.u)`;
  }
  return undefined;
}

/** May this access context record a clinician's decision on a `resourceType`? */
export function canVerify(ctx: AccessContext, resourceType: string): boolean {
  return verifyDenial(ctx, resourceType) === undefined;
}
