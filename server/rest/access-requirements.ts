/**
 * What each REST interaction and $operation needs from the token's scopes: two declarative tables, one row
 * per interaction kind (INTERACTION_ACCESS, complete by type) and one per $operation name (OPERATION_ACCESS).
 * The edge guard (access-guard.ts) reads them for every request and Bundle entry; the scope matrix test
 * iterates both, so an interaction or operation added without a row (or without a matrix case) fails it, and
 * an offered operation without a row is refused at run time (403) rather than let through.
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
  /** Set for an $operation with no row in OPERATION_ACCESS: the guard refuses it if the server offers it. */
  undeclared?: true;
}

const need = (permission: AccessRequest['permission'], type: string): AccessRequest => {
  const admin = (ADMIN_READ.has(type) && (permission === 'r' || permission === 's')) || (ADMIN_WRITE.has(type) && 'cud'.includes(permission));
  return { permission, type, ...(admin ? { admin: true } : {}) };
};

/** Search or read across every type of the Patient compartment (Patient/x/*, $everything); audit records are not part of it. */
const everyType = (permission: AccessRequest['permission'], compartmentTypes: readonly string[]): AccessRequest[] =>
  compartmentTypes.filter((t) => !ADMIN_READ.has(t)).map((t) => need(permission, t));

type OperationRoute = Extract<AccessRoute, { kind: 'operation' }>;

export interface OperationAccess {
  /** Only reads: a refusal outside the patient compartment is a 404 (no existence oracle). */
  reads: boolean;
  needs(route: OperationRoute, compartmentTypes: readonly string[]): AccessRequest[];
}

/** Read on the operation's type (terminology, Subscription status): nothing at system level. */
const readOfType: OperationAccess['needs'] = (r) => (r.type ? [need('r', r.type)] : []);

/** Every $operation the server can offer, by name (without '$'). */
export const OPERATION_ACCESS: Readonly<Record<string, OperationAccess>> = {
  reindex: { reads: false, needs: () => [{ permission: 'u', type: 'SearchParameter', admin: true }] },
  'reindex-status': { reads: true, needs: () => [{ permission: 'r', type: 'SearchParameter', admin: true }] },
  verify: { reads: false, needs: (r) => (r.type ? [need('u', r.type)] : [need('u', 'Condition'), need('u', 'Observation')]) },
  'review-summary': { reads: true, needs: () => [need('s', 'Condition'), need('s', 'Observation')] },
  extract: { reads: false, needs: () => [need('r', 'DocumentReference'), need('c', 'Condition'), need('c', 'Observation')] },
  twin: { reads: false, needs: () => [need('r', 'Patient'), need('u', 'Composition')] },
  document: { reads: true, needs: () => [need('r', 'Composition')] },
  everything: { reads: true, needs: (_r, types) => [need('r', 'Patient'), ...everyType('s', types)] },
  validate: { reads: true, needs: (r) => (r.id && r.type ? [need('r', r.type)] : []) },
  // Read and search on every exported type, decided by the export service once `_type` is known
  // (bulk/export/authorize.ts); the status and file endpoints bind the job to the client that started it.
  export: { reads: true, needs: () => [] },
  // A system/ write scope at kick-off and the system/ scope of each line's type per line: bulk/import/import-scopes.ts.
  import: { reads: false, needs: () => [] },
  lookup: { reads: true, needs: readOfType },
  'validate-code': { reads: true, needs: readOfType },
  expand: { reads: true, needs: readOfType },
  subsumes: { reads: true, needs: readOfType },
  translate: { reads: true, needs: readOfType },
  // Subscription $status, $events, $get-ws-binding-token: read on the Subscription, and (operations/subscription.ts) its author's client.
  status: { reads: true, needs: readOfType },
  events: { reads: true, needs: readOfType },
  'get-ws-binding-token': { reads: true, needs: readOfType },
};

type RouteOf<K extends AccessRoute['kind']> = Extract<AccessRoute, { kind: K }>;
type InteractionAccess = { [K in AccessRoute['kind']]: (route: RouteOf<K>, compartmentTypes: readonly string[]) => Requirements };

const instanceOf = (r: { type: string; id: string }) => ({ type: r.type, id: r.id });

/** One row per interaction kind (the mapped type makes a missing kind a compile error). */
export const INTERACTION_ACCESS: InteractionAccess = {
  capabilities: () => ({ needs: [], reads: true }),
  // Each entry passes the guard on its own (handler.ts): the Bundle itself needs nothing.
  batch: () => ({ needs: [], reads: true }),
  search: (r, types) => ({ needs: r.type ? [need('s', r.type)] : r.compartment ? everyType('s', types) : [need('s', '*')], reads: true }),
  history: (r) => (r.type && r.id
    ? { needs: [need('r', r.type)], instance: { type: r.type, id: r.id }, reads: true }
    : { needs: [need('s', r.type ?? '*')], reads: true }),
  read: (r) => ({ needs: [need('r', r.type)], instance: instanceOf(r), reads: true }),
  vread: (r) => ({ needs: [need('r', r.type)], instance: instanceOf(r), reads: true }),
  create: (r) => ({ needs: [need('c', r.type)], reads: false }),
  update: (r) => ({ needs: [need('u', r.type)], instance: instanceOf(r), reads: false }),
  patch: (r) => ({ needs: [need('u', r.type)], instance: instanceOf(r), reads: false }),
  delete: (r) => ({ needs: [need('d', r.type)], instance: instanceOf(r), reads: false }),
  'conditional-update': (r) => ({ needs: [need('u', r.type)], reads: false }),
  'conditional-patch': (r) => ({ needs: [need('u', r.type)], reads: false }),
  'conditional-delete': (r) => ({ needs: [need('d', r.type)], reads: false }),
  operation: (r, types) => {
    const row = Object.hasOwn(OPERATION_ACCESS, r.name) ? OPERATION_ACCESS[r.name] : undefined;
    const instance = r.type && r.id ? { instance: { type: r.type, id: r.id } } : {};
    if (!row) return { needs: [], reads: true, undeclared: true, ...instance };
    return { needs: row.needs(r, types), reads: row.reads, ...instance };
  },
};

export function requirementsOf(route: AccessRoute, compartmentTypes: readonly string[]): Requirements {
  // The table is keyed by the route's own kind; TypeScript cannot correlate the two through the union.
  const row = INTERACTION_ACCESS[route.kind] as (r: AccessRoute, t: readonly string[]) => Requirements;
  return row(route, compartmentTypes);
}

/**
 * Background jobs that continue no client's request run as the server (systemContext): no token's scopes
 * apply, so each declares here what it may touch. Jobs that carry a client's request (export, import,
 * extraction, subscription delivery with its author's access) are authorized through that request instead.
 */
export const SYSTEM_JOB_ACCESS: Readonly<Record<string, { runsAs: 'system'; scopes: readonly string[]; touches: string }>> = {
  'subscription-prune': {
    runsAs: 'system', scopes: ['system/Subscription.rd'],
    touches: 'deletes recorded subscription events no longer owed (delivered, websocket, off or deleted Subscription) past SUBSCRIPTION_EVENT_RETENTION_MS; writes no resource',
  },
};
