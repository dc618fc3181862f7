/**
 * The edge access check: every REST interaction and $operation (top level and each Bundle entry)
 * passes here once, in handleFhirRequest, with the route it names. Scopes decide by interaction and
 * type; query-restricted scopes are checked against the search parameters or the resource. A
 * patient-context token's confinement to its patient's compartment is not decided here but enforced by
 * the store, in the SQL of every read and in the writer (the AccessContext carries its row restrictions),
 * so totals, pages, includes, chains and bundle entries cannot reach a foreign row. Auth off: everything passes.
 */
import type { Resource } from 'fhir/r4';
import { type AccessDecision, decide } from '../auth/access-policy';
import { insufficientScope, missingToken } from '../auth/bearer';
import { parsedScopesOf } from '../auth/scopes';
import type { AccessContext } from '../core/access-context';
import { type FhirError, notFound } from '../core/fhir-error';
import type { Exec, RestDeps } from './deps';
import { requirementsOf } from './access-requirements';
import { type AccessRoute, accessRouteOf } from './access-route';
import { matchesRestrictions, searchImposesRestriction } from './resource-access-match';
import type { Route } from './route';
import type { FhirRequest, FhirResponse } from './types';

export interface Guarded {
  /** The route to run. */
  route: Route;
  /** Checks a read's result (query restrictions); throws 404 when the resource is not covered. */
  checkResult?: (res: FhirResponse) => void;
}

type Allowed = Extract<AccessDecision, { allowed: true }>;

/** The Patient compartment's types, listed and as a set, built once per registry rather than per request. */
const compartmentsByRegistry = new WeakMap<RestDeps['registry'], { list: string[]; set: ReadonlySet<string> }>();
function patientCompartment(registry: RestDeps['registry']): { list: string[]; set: ReadonlySet<string> } {
  let c = compartmentsByRegistry.get(registry);
  if (!c) {
    const list = registry.compartmentTypes('Patient');
    c = { list, set: new Set(list) };
    compartmentsByRegistry.set(registry, c);
  }
  return c;
}

/** The decisions for every requirement; the first refusal becomes 401/403/404. */
function decideAll(deps: RestDeps, ctx: AccessContext, realm: string, route: AccessRoute): { allowed: Allowed[]; reqs: ReturnType<typeof requirementsOf> } {
  const { list: compartment, set: patientCompartmentSet } = patientCompartment(deps.registry);
  const reqs = requirementsOf(route, compartment);
  if (reqs.undeclared && route.kind === 'operation' && deps.operations.some((o) => o.name === route.name)) {
    // Fail closed: an offered operation that declares no requirement in OPERATION_ACCESS is nobody's to run.
    throw insufficientScope(realm, `$${route.name} declares no access requirement`);
  }
  const subject = { scopes: parsedScopesOf(ctx.scopes), patient: ctx.patient, patientCompartment: patientCompartmentSet };
  const allowed: Allowed[] = [];
  for (const need of reqs.needs) {
    const d = decide(subject, need);
    if (!d.allowed) throw insufficientScope(realm, d.reason, d.status);
    allowed.push(d);
  }
  return { allowed, reqs };
}

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
  // The patient compartment itself is not checked here: the token's row restriction confines every read
  // and write in the store's SQL (core/access-context readRestriction/writeRestriction).
  otherPatientsCompartment(ctx, view);
  const restrictions = allowed[0]?.restrictions;
  if (!restrictions) return { route };
  return { route, ...(await restrict(deps, req, exec, view, restrictions, reqs.reads)) };
}

/**
 * `/Patient/{other}/…` under a patient-context token: the SQL would answer an empty page; the URL alone
 * (never the data) says it addresses another patient, so it is answered like an unknown patient (404).
 */
function otherPatientsCompartment(ctx: AccessContext, route: AccessRoute): void {
  const r = ctx.readRestriction;
  if (!r || route.kind !== 'search' || route.compartment?.resourceType !== 'Patient' || route.compartment.id === r.patient) return;
  if (route.type && r.exemptTypes.includes(route.type)) return;
  throw notFound(`Patient/${route.compartment.id} is not known`);
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
