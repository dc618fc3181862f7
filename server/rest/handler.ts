/**
 * The FHIR request handler: routes a FhirRequest to its interaction or operation and shapes the
 * result. Knows nothing of express; bundles call it for each entry.
 */
import { FhirError, notFound } from '../core/fhir-error';
import { guardAccess } from './access-guard';
import { checkAuditRead } from './audit-read-guard';
import { processBundle } from './bundle/process-bundle';
import { capabilitiesInteraction } from './capabilities';
import { type Exec, type RestDeps, topLevelExec } from './deps';
import { createInteraction } from './interactions/create';
import { conditionalDeleteInteraction, deleteInteraction } from './interactions/delete';
import { historyInteraction } from './interactions/history';
import { conditionalPatchInteraction, patchInteraction } from './interactions/patch';
import { readInteraction, vreadInteraction } from './interactions/read';
import { searchInteraction } from './interactions/search';
import { conditionalUpdateInteraction, updateInteraction } from './interactions/update';
import type { OperationTarget } from './deps';
import { type Route, routeOf } from './route';
import { parseSummary, shapeBody } from './summary-elements';
import type { FhirRequest, FhirResponse } from './types';

async function runOperation(deps: RestDeps, req: FhirRequest, exec: Exec, route: Extract<Route, { kind: 'operation' }>): Promise<FhirResponse> {
  const target: OperationTarget = { scope: route.id ? 'instance' : route.type ? 'type' : 'system', resourceType: route.type, id: route.id };
  const spec = deps.operations.find((o) => o.name === route.name && o.scopes.includes(target.scope)
    && (!o.resourceTypes || (target.resourceType !== undefined && o.resourceTypes.includes(target.resourceType))));
  if (!spec) throw notFound(`Operation $${route.name} is not supported at ${target.scope} level${route.type ? ` for ${route.type}` : ''}`);
  const method = req.method === 'HEAD' ? 'GET' : req.method;
  if (!(spec.methods as string[]).includes(method)) throw new FhirError(405, 'not-supported', `$${spec.name} does not accept ${req.method}`);
  return spec.handler(deps, req, target, exec);
}

export function dispatch(deps: RestDeps, req: FhirRequest, exec: Exec, route: Route): Promise<FhirResponse> {
  switch (route.kind) {
    case 'capabilities': return capabilitiesInteraction(deps, req);
    case 'batch': return processBundle(deps, req, handleFhirRequest);
    case 'search': return searchInteraction(deps, req, exec, { resourceType: route.type, compartment: route.compartment });
    case 'history': return historyInteraction(deps, req, exec, route.type, route.id);
    case 'read': return readInteraction(deps, req, exec, route.type, route.id);
    case 'vread': return vreadInteraction(deps, req, exec, route.type, route.id, route.vid);
    case 'create': return createInteraction(deps, req, exec, route.type);
    case 'update': return updateInteraction(deps, req, exec, route.type, route.id);
    case 'conditional-update': return conditionalUpdateInteraction(deps, req, exec, route.type);
    case 'patch': return patchInteraction(deps, req, exec, route.type, route.id);
    case 'conditional-patch': return conditionalPatchInteraction(deps, req, exec, route.type);
    case 'delete': return deleteInteraction(deps, req, exec, route.type, route.id);
    case 'conditional-delete': return conditionalDeleteInteraction(deps, req, exec, route.type);
    case 'operation': return runOperation(deps, req, exec, route);
  }
}

/** Handles one request; `exec` is the bundle's transaction when called for a transaction entry. */
export async function handleFhirRequest(deps: RestDeps, req: FhirRequest, exec: Exec = topLevelExec(deps.store)): Promise<FhirResponse> {
  // The one access check: top-level requests and every Bundle entry come through here.
  const { route, checkResult } = await guardAccess(deps, req, exec, routeOf(req));
  checkAuditRead(route, req.query, req.ctx);
  const summary = parseSummary(req.query.find(([k]) => k === '_summary')?.[1]);
  const elementsRaw = req.query.filter(([k]) => k === '_elements').map(([, v]) => v).join(',');
  const elements = elementsRaw ? elementsRaw.split(',').map((s) => s.trim()).filter(Boolean) : undefined;
  const res = await dispatch(deps, req, exec, route);
  checkResult?.(res);
  if ((summary || elements) && res.body) return { status: res.status, headers: res.headers, body: shapeBody(res.body, summary, elements) };
  return res;
}
