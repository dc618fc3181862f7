/**
 * The FHIR request handler: routes a FhirRequest to its entry of the interaction table, passes the
 * access guard and shapes the result (_summary, _elements). Knows nothing of express; bundles call it
 * for each entry.
 */
import { guardAccess } from './access-guard';
import { accessRouteOf } from './access-route';
import { checkAuditRead } from './audit-read-guard';
import { type Exec, type RestDeps, topLevelExec } from './deps';
import { routeOf } from './route';
import { parseSummary, shapeBody } from './summary-elements';
import type { FhirRequest, FhirResponse } from './types';

/** The access check alone, for bundle entries answered without the handler (bulk creates, If-None-Exist matches). */
export async function guardRequest(deps: RestDeps, req: FhirRequest, exec: Exec): Promise<void> {
  await guardAccess(deps, req, exec, routeOf(req));
}

/** Handles one request; `exec` is the bundle's transaction when called for a transaction entry. */
export async function handleFhirRequest(deps: RestDeps, req: FhirRequest, exec: Exec = topLevelExec(deps.store)): Promise<FhirResponse> {
  // The one access check: top-level requests and every Bundle entry come through here.
  const { route, checkResult } = await guardAccess(deps, req, exec, routeOf(req));
  checkAuditRead(accessRouteOf(route), req.query, req.ctx);
  const summary = parseSummary(req.query.find(([k]) => k === '_summary')?.[1]);
  const elementsRaw = req.query.filter(([k]) => k === '_elements').map(([, v]) => v).join(',');
  const elements = elementsRaw ? elementsRaw.split(',').map((s) => s.trim()).filter(Boolean) : undefined;
  const res = await route.spec.handler({ deps, req, exec, params: route.params, handle: handleFhirRequest, guard: guardRequest });
  checkResult?.(res);
  if ((summary || elements) && res.body) return { status: res.status, headers: res.headers, body: shapeBody(deps.model, res.body, summary, elements) };
  return res;
}
