/**
 * A token's row restrictions (AccessContext.readRestriction / writeRestriction): a token with a patient in
 * context whose reads (or writes) go through patient/ scopes is confined to that patient's compartment, in
 * the store's SQL. Types a user/ or system/ scope grants for the same kind of access are exempt (broad
 * grants win, as in access-policy's decide); a broad grant on every type lifts the restriction.
 */
import type { RowRestriction } from '../core/access-context';
import type { ParsedScopes, Permission } from './scopes';

const READ: readonly Permission[] = ['r', 's'];
const WRITE: readonly Permission[] = ['c', 'u', 'd'];

function restrictionFor(scopes: ParsedScopes, patient: string, kind: readonly Permission[]): RowRestriction | undefined {
  const grants = scopes.resources.filter((s) => kind.some((p) => s.permissions.has(p)));
  if (!grants.some((s) => s.level === 'patient')) return undefined;
  const broad = grants.filter((s) => s.level !== 'patient').map((s) => s.type);
  if (broad.includes('*')) return undefined;
  return { patient, exemptTypes: [...new Set(broad)].sort() };
}

export function rowRestrictionsOf(scopes: ParsedScopes, patient: string | undefined): { readRestriction?: RowRestriction; writeRestriction?: RowRestriction } {
  if (!patient) return {};
  const read = restrictionFor(scopes, patient, READ);
  const write = restrictionFor(scopes, patient, WRITE);
  return { ...(read ? { readRestriction: read } : {}), ...(write ? { writeRestriction: write } : {}) };
}
