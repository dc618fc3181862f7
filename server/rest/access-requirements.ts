/**
 * What each REST interaction and $operation needs from the token's scopes, keyed on the route:
 * a list of (permission, type) the SMART scope model must grant. One table, so the interaction
 * table that replaces the router's switch can carry it over as data.
 */
import type { AccessRequest } from '../auth/access-policy';
import type { AccessRoute } from './access-route';

/** Types whose access is administrative: a system/ scope (or a user/ scope naming the type) is needed. */
const ADMIN_WRITE = new Set(['SearchParameter']);
const ADMIN_READ = new Set(['AuditEvent']);

export interface Requirements {
  needs: AccessRequest[];
  /** The resource the route acts on, checked against the patient compartment and query restrictions. */
  instance?: { type: string; id: string };
  /** The interaction reads (a refusal outside the compartment is a 404) or writes (403). */
  reads: boolean;
}

const need = (permission: AccessRequest['permission'], type: string): AccessRequest => {
  const admin = (ADMIN_READ.has(type) && (permission === 'r' || permission === 's')) || (ADMIN_WRITE.has(type) && 'cud'.includes(permission));
  return { permission, type, ...(admin ? { admin: true } : {}) };
};

/** Search or read across every type of the Patient compartment (Patient/x/*, $everything); audit records are not part of it. */
const everyType = (permission: AccessRequest['permission'], compartmentTypes: readonly string[]): AccessRequest[] =>
  compartmentTypes.filter((t) => !ADMIN_READ.has(t)).map((t) => need(permission, t));

type OperationRoute = Extract<AccessRoute, { kind: 'operation' }>;

/** Operations that only read: a refusal outside the patient compartment is a 404 (no existence oracle). */
const READ_OPERATIONS = new Set(['document', 'everything', 'validate', 'review-summary', 'reindex-status', 'export', 'status', 'events', 'get-ws-binding-token']);

/** $operations by name; an unknown one needs only authentication (the handler answers 404). */
function operationNeeds(route: OperationRoute, compartmentTypes: readonly string[]): AccessRequest[] {
  const type = route.type;
  switch (route.name) {
    case 'reindex': return [{ permission: 'u', type: 'SearchParameter', admin: true }];
    case 'reindex-status': return [{ permission: 'r', type: 'SearchParameter', admin: true }];
    case 'verify': return type ? [need('u', type)] : [need('u', 'Condition'), need('u', 'Observation')];
    case 'review-summary': return [need('s', 'Condition'), need('s', 'Observation')];
    case 'extract': return [need('r', 'DocumentReference'), need('c', 'Condition'), need('c', 'Observation')];
    case 'twin': return [need('r', 'Patient'), need('u', 'Composition')];
    case 'document': return [need('r', 'Composition')];
    case 'everything': return [need('r', 'Patient'), ...everyType('s', compartmentTypes)];
    case 'validate': return route.id && type ? [need('r', type)] : [];
    // Read and search on every exported type, decided by the export service once `_type` is known
    // (bulk/export/authorize.ts); the status and file endpoints bind the job to the client that started it.
    case 'export': return [];
    // A system/ write scope at kick-off and the system/ scope of each line's type per line: bulk/import/import-scopes.ts.
    case 'import': return [];
    default: return type ? [need('r', type)] : [];
  }
}

export function requirementsOf(route: AccessRoute, compartmentTypes: readonly string[]): Requirements {
  switch (route.kind) {
    case 'capabilities':
    case 'batch': return { needs: [], reads: true };
    case 'search':
      if (route.type) return { needs: [need('s', route.type)], reads: true };
      return { needs: route.compartment ? everyType('s', compartmentTypes) : [need('s', '*')], reads: true };
    case 'history':
      if (route.type && route.id) return { needs: [need('r', route.type)], instance: { type: route.type, id: route.id }, reads: true };
      return { needs: [need('s', route.type ?? '*')], reads: true };
    case 'read':
    case 'vread': return { needs: [need('r', route.type)], instance: { type: route.type, id: route.id }, reads: true };
    case 'create': return { needs: [need('c', route.type)], reads: false };
    case 'update':
    case 'patch': return { needs: [need('u', route.type)], instance: { type: route.type, id: route.id }, reads: false };
    case 'delete': return { needs: [need('d', route.type)], instance: { type: route.type, id: route.id }, reads: false };
    case 'conditional-update':
    case 'conditional-patch': return { needs: [need('u', route.type)], reads: false };
    case 'conditional-delete': return { needs: [need('d', route.type)], reads: false };
    case 'operation': {
      const reads = READ_OPERATIONS.has(route.name);
      return { needs: operationNeeds(route, compartmentTypes), reads, ...(route.type && route.id ? { instance: { type: route.type, id: route.id } } : {}) };
    }
  }
}
