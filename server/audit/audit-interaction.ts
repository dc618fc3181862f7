/**
 * What a FHIR request did, for its AuditEvent: the RESTful interaction (subtype), the BALP action code,
 * the resource it named and the patient in context — derived from method, path and query only (never
 * the body). Never throws: an unroutable request is still audited, as an unknown interaction.
 */
import { type AccessRoute as Route, accessRouteOf } from '../rest/access-route';
import { routeOf } from '../rest/route';

export type AuditAction = 'C' | 'R' | 'U' | 'D' | 'E';

export interface AuditedInteraction {
  /** http://hl7.org/fhir/restful-interaction code; undefined when the request named no interaction. */
  interaction?: string;
  /** Operation name without '$' for operations. */
  operation?: string;
  action: AuditAction;
  /** A search or a query-like read of many resources (DICOM 110112 Query). */
  query: boolean;
  /** Type/id[/_history/vid] of the resource an instance interaction named. */
  target?: { type: string; id?: string; version?: string };
  /** Patient id the request names (path or search parameter). */
  patient?: string;
}

const ID = /^[A-Za-z0-9\-.]{1,64}$/;
const METHOD_ACTION: Record<string, AuditAction> = { GET: 'R', HEAD: 'R', POST: 'C', PUT: 'U', PATCH: 'U', DELETE: 'D' };
/** Operations that change what is stored (the rest only read or compute: action E). */
const WRITING_OPERATIONS = new Set(['verify', 'reindex', 'twin', 'extract']);

function safeRoute(method: string, path: string): Route | undefined {
  try {
    return accessRouteOf(routeOf({ method: method as 'GET', path }));
  } catch {
    return undefined;
  }
}

const validId = (id: string | undefined): string | undefined => (id !== undefined && ID.test(id) ? id : undefined);

function fromRoute(r: Route): Omit<AuditedInteraction, 'patient'> {
  switch (r.kind) {
    case 'capabilities': return { interaction: 'capabilities', action: 'R', query: false };
    case 'batch': return { interaction: 'transaction', action: 'E', query: false };
    case 'search': return { interaction: r.type ? 'search-type' : 'search-system', action: 'E', query: true, target: r.type ? { type: r.type } : undefined };
    case 'history': return { interaction: r.id ? 'history-instance' : r.type ? 'history-type' : 'history-system', action: 'R', query: false, target: r.type ? { type: r.type, id: validId(r.id) } : undefined };
    case 'read': return { interaction: 'read', action: 'R', query: false, target: { type: r.type, id: validId(r.id) } };
    case 'vread': return { interaction: 'vread', action: 'R', query: false, target: { type: r.type, id: validId(r.id), version: validId(r.vid) } };
    case 'create': return { interaction: 'create', action: 'C', query: false, target: { type: r.type } };
    case 'update': return { interaction: 'update', action: 'U', query: false, target: { type: r.type, id: validId(r.id) } };
    case 'conditional-update': return { interaction: 'update', action: 'U', query: false, target: { type: r.type } };
    case 'patch': return { interaction: 'patch', action: 'U', query: false, target: { type: r.type, id: validId(r.id) } };
    case 'conditional-patch': return { interaction: 'patch', action: 'U', query: false, target: { type: r.type } };
    case 'delete': return { interaction: 'delete', action: 'D', query: false, target: { type: r.type, id: validId(r.id) } };
    case 'conditional-delete': return { interaction: 'delete', action: 'D', query: false, target: { type: r.type } };
    case 'operation':
      return { interaction: 'operation', operation: r.name, action: WRITING_OPERATIONS.has(r.name) ? 'U' : 'E', query: false,
        target: r.type ? { type: r.type, id: validId(r.id) } : undefined };
  }
}

/** The patient a request names: Patient/{id}[/...] in the path, a Patient compartment, or patient=/subject=Patient/ in the query. */
function patientOf(r: Route | undefined, query: URLSearchParams): string | undefined {
  if (r && 'compartment' in r && r.compartment?.resourceType === 'Patient') return validId(r.compartment.id);
  if (r && 'type' in r && r.type === 'Patient' && 'id' in r) return validId(r.id);
  for (const [k, v] of query) {
    const name = k.split(':')[0];
    if (name === 'patient') return validId(v.replace(/^Patient\//, ''));
    if (name === 'subject' && v.startsWith('Patient/')) return validId(v.slice('Patient/'.length));
  }
  return undefined;
}

/** The bundle POST is a batch or a transaction; without reading the body we report it as 'transaction' (batch/transaction endpoint). */
export function classify(method: string, path: string, query: URLSearchParams): AuditedInteraction {
  const r = safeRoute(method, path);
  const base = r ? fromRoute(r) : { action: METHOD_ACTION[method] ?? 'E', query: false };
  return { ...base, patient: patientOf(r, query) };
}
