/**
 * The edge access check: every REST interaction and $operation (top level and each Bundle entry)
 * passes here once, in handleFhirRequest, with the route it names. Scopes decide by interaction and
 * type; a patient-context token is confined to its patient's compartment (type-level searches become
 * compartment searches, instances are checked before they are touched); query-restricted scopes are
 * checked against the search parameters or the resource. Auth off: everything passes.
 */
import type { Resource } from 'fhir/r4';
import { type AccessDecision, decide } from '../auth/access-policy';
import { insufficientScope, missingToken } from '../auth/bearer';
import { parsedScopesOf } from '../auth/scopes';
import type { AccessContext } from '../core/access-context';
import { FhirError, notFound } from '../core/fhir-error';
import type { Exec, RestDeps } from './deps';
import { requirementsOf } from './access-requirements';
import { type AccessRoute, accessRouteOf } from './access-route';
import { INTERACTIONS } from './interaction-table';
import { inPatientCompartment, matchesRestrictions, searchImposesRestriction } from './resource-access-match';
import type { Route } from './route';
import type { FhirRequest, FhirResponse } from './types';

export interface Guarded {
  /** The route to run: a patient-confined type search becomes a compartment search. */
  route: Route;
  /** Checks a read's result (query restrictions); throws 404 when the resource is not covered. */
  checkResult?: (res: FhirResponse) => void;
}

type Allowed = Extract<AccessDecision, { allowed: true }>;

/** The decisions for every requirement; the first refusal becomes 401/403/404. */
function decideAll(deps: RestDeps, ctx: AccessContext, realm: string, route: AccessRoute): { allowed: Allowed[]; reqs: ReturnType<typeof requirementsOf> } {
  const compartment = deps.registry.compartmentTypes('Patient');
  const reqs = requirementsOf(route, compartment);
  const subject = { scopes: parsedScopesOf(ctx.scopes), patient: ctx.patient, patientCompartment: new Set(compartment) };
  const allowed: Allowed[] = [];
  for (const need of reqs.needs) {
    const d = decide(subject, need);
    if (!d.allowed) throw insufficientScope(realm, d.reason, d.status);
    allowed.push(d);
  }
  return { allowed, reqs };
}

const outside = (reads: boolean, what: string): FhirError =>
  (reads ? notFound(`${what} is not known`) : new FhirError(403, 'forbidden', `${what} is outside the patient compartment of this token`));

/** The current version of the instance the route acts on (undefined if none). */
async function current(exec: Exec, ctx: AccessContext, type: string, id: string): Promise<Resource | undefined> {
  const stored = await exec.reader.read(ctx, type, id).catch(() => undefined);
  return stored && !stored.deleted ? stored.resource : undefined;
}

export async function guardAccess(deps: RestDeps, req: FhirRequest, exec: Exec, route: Route): Promise<Guarded> {
  const ctx = req.ctx;
  if (ctx.authDisabled || route.spec.kind === 'capabilities') return { route };
  const realm = req.baseUrl;
  if (ctx.anonymous) throw missingToken(realm);
  const view = accessRouteOf(route);
  const { allowed, reqs } = decideAll(deps, ctx, realm, view);
  const patient = allowed.find((d) => d.compartmentPatient)?.compartmentPatient;
  const restrictions = allowed[0]?.restrictions;
  let guarded: Route = route;
  if (patient) guarded = await confine(deps, req, exec, { route, view }, patient, reqs);
  if (!restrictions) return { route: guarded };
  return { route: guarded, ...(await restrict(deps, req, exec, view, restrictions, reqs.reads)) };
}

/** The same search, confined to Patient/{patient}'s compartment: the table's compartment-search entry for the method. */
function compartmentSearch({ spec, params }: Route, patient: string): Route {
  const confined = INTERACTIONS.find((s) => s.kind === 'search-compartment' && s.method === spec.method && s.path.endsWith('_search') === spec.path.endsWith('_search'));
  if (!confined) throw new Error(`interaction table: no compartment search for ${spec.method} ${spec.path}`);
  return { spec: confined, params: { compartment: 'Patient', cid: patient, type: params.type ?? '*' } };
}

/** Keeps a patient-context request inside Patient/{patient}'s compartment. */
async function confine(deps: RestDeps, req: FhirRequest, exec: Exec, { route: routed, view: route }: { route: Route; view: AccessRoute }, patient: string, reqs: ReturnType<typeof requirementsOf>): Promise<Route> {
  if (route.kind === 'search') {
    if (!route.compartment) return compartmentSearch(routed, patient);
    if (route.compartment.resourceType !== 'Patient' || route.compartment.id !== patient) throw notFound(`${route.compartment.resourceType}/${route.compartment.id} is not known`);
    return routed;
  }
  if (route.kind === 'create' || route.kind === 'update') {
    const body = req.body as Resource | undefined;
    if (body && typeof body === 'object' && typeof body.resourceType === 'string' && !inPatientCompartment(deps.registry, { ...body, id: route.kind === 'update' ? route.id : body.id }, patient)) {
      throw new FhirError(403, 'forbidden', `The ${body.resourceType} would be outside the patient compartment of this token`);
    }
  }
  if (route.kind === 'create') return routed;
  if (!reqs.instance) throw new FhirError(403, 'forbidden', 'A patient-context token cannot do this across patients; address one resource of the patient');
  const { type, id } = reqs.instance;
  const existing = await current(exec, req.ctx, type, id);
  if (existing && !inPatientCompartment(deps.registry, existing, patient)) throw outside(reqs.reads, `${type}/${id}`);
  // A Patient other than the token's: never reveal whether it exists.
  if (!existing && type === 'Patient' && id !== patient) throw outside(reqs.reads, `${type}/${id}`);
  return routed;
}

/** SMART v2 query-restricted scopes (`patient/Observation.rs?category=laboratory`). */
async function restrict(deps: RestDeps, req: FhirRequest, exec: Exec, route: AccessRoute, restrictions: [string, string][][], reads: boolean): Promise<Omit<Guarded, 'route'>> {
  const refuse = (): FhirError => insufficientScope(req.baseUrl, `the granted scope is restricted to ${restrictions.map((r) => r.map(([k, v]) => `${k}=${v}`).join('&')).join(' or ')}`);
  switch (route.kind) {
    case 'search':
      if (!searchImposesRestriction(req.query, restrictions)) throw refuse();
      return {};
    case 'read':
    case 'vread':
      return {
        checkResult: (res) => {
          if (res.status === 200 && res.body && !matchesRestrictions(deps.registry, res.body, restrictions)) throw notFound(`${route.type}/${route.id} is not known`);
        },
      };
    case 'create':
    case 'update':
    case 'patch':
    case 'delete': {
      const body = req.body as Resource | undefined;
      if ((route.kind === 'create' || route.kind === 'update') && (!body || typeof body !== 'object' || !matchesRestrictions(deps.registry, body, restrictions))) throw refuse();
      if (route.kind !== 'create') {
        const existing = await current(exec, req.ctx, route.type, route.id);
        if (existing && !matchesRestrictions(deps.registry, existing, restrictions)) throw reads ? notFound(`${route.type}/${route.id} is not known`) : refuse();
      }
      return {};
    }
    default:
      throw refuse();
  }
}
