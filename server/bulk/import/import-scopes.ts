/**
 * Who may $import: a backend service with a system/ write scope. Kick-off needs at least one system/
 * scope granting create or update (system/*.write, system/*.cud, system/Patient.cu, …) and no patient
 * context; each line then needs the system/ scope for its own type (create without an id, update with
 * one), so a client allowed to load Observations cannot slip a Patient in. Auth off: everything passes.
 */
import { type AccessContext } from '../../core/access-context';
import { FhirError, forbidden } from '../../core/fhir-error';
import { grantsFor, parseScopes } from '../../auth/scopes';

/** Throws 401/403 unless `ctx` may start an import at all. */
export function assertMayImport(ctx: AccessContext): void {
  if (ctx.authDisabled) return;
  if (ctx.anonymous) throw new FhirError(401, 'login', '$import needs a bearer token with a system/ write scope', undefined, { 'WWW-Authenticate': 'Bearer' });
  if (ctx.patient !== undefined) throw forbidden('$import is a system-level operation: a token with a patient context may not use it');
  const system = parseScopes(ctx.scopes).resources.filter((r) => r.level === 'system' && (r.permissions.has('c') || r.permissions.has('u')));
  if (!system.length) throw forbidden('$import needs a system/ write scope (system/*.write, system/*.cud, or system/{type}.cu for each type imported)');
}

/** Per line: why its resource may not be written by `ctx` (undefined: it may); answers cached per type. */
export function lineScopeChecker(ctx: AccessContext): (type: string, hasId: boolean) => string | undefined {
  if (ctx.authDisabled) return () => undefined;
  const parsed = parseScopes(ctx.scopes);
  const memo = new Map<string, string | undefined>();
  return (type, hasId) => {
    const permission = hasId ? 'u' : 'c';
    const key = `${permission}${type}`;
    if (!memo.has(key)) {
      const ok = grantsFor(parsed, permission, type, ['system']).length > 0;
      memo.set(key, ok ? undefined : `No system/ scope grants ${hasId ? 'update' : 'create'} of ${type} (system/${type}.${permission} or system/*.${permission} needed)`);
    }
    return memo.get(key);
  };
}
