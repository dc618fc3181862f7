/**
 * GET /metadata — the CapabilityStatement, generated from what is registered (resource types the
 * validator knows, search parameters in the registry, the operation table), so it cannot drift.
 * https://hl7.org/fhir/R4/http.html#capabilities
 */
import type { CapabilityStatement, CapabilityStatementRestResource, CapabilityStatementRestResourceOperation, CapabilityStatementRestSecurity } from 'fhir/r4';
import type { RestDeps, RestSecurity } from './deps';
import type { FhirRequest, FhirResponse } from './types';

const TYPE_INTERACTIONS = ['read', 'vread', 'update', 'patch', 'delete', 'history-instance', 'history-type', 'create', 'search-type'] as const;
/** Stored and served, but not meant as standalone REST resources. */
const NOT_REST = new Set(['Parameters']);

function operationsFor(deps: RestDeps, type?: string): CapabilityStatementRestResourceOperation[] {
  return deps.operations
    .filter((o) => (type ? (o.scopes.includes('type') || o.scopes.includes('instance')) && (!o.resourceTypes || o.resourceTypes.includes(type)) : o.scopes.includes('system')))
    .map((o) => ({ name: o.name, definition: o.definition }));
}

function resourceEntry(deps: RestDeps, type: string): CapabilityStatementRestResource {
  const params = deps.registry.forType(type);
  const ops = operationsFor(deps, type);
  return {
    type,
    interaction: TYPE_INTERACTIONS.map((code) => ({ code })),
    versioning: 'versioned-update',
    readHistory: true,
    updateCreate: true,
    conditionalCreate: true,
    conditionalRead: 'full-support',
    conditionalUpdate: true,
    conditionalDelete: 'single',
    referencePolicy: ['literal', 'logical'],
    searchInclude: params.filter((p) => p.type === 'reference').map((p) => `${type}:${p.code}`),
    searchParam: params.map((p) => ({ name: p.code, definition: p.url, type: p.type })),
    ...(ops.length ? { operation: ops } : {}),
  };
}

export function buildCapabilityStatement(deps: RestDeps, baseUrl: string): CapabilityStatement {
  const types = deps.validator.resourceTypes().filter((t) => !NOT_REST.has(t)).sort();
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: deps.clock.now().toISOString(),
    publisher: 'TwinFHIR',
    kind: 'instance',
    software: { name: 'TwinFHIR', version: '0.1.0' },
    implementation: { description: 'TwinFHIR FHIR R4 server', url: baseUrl },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    patchFormat: ['application/json-patch+json', 'application/fhir+json'],
    rest: [{
      mode: 'server',
      resource: types.map((t) => resourceEntry(deps, t)),
      interaction: [{ code: 'transaction' }, { code: 'batch' }, { code: 'search-system' }, { code: 'history-system' }],
      searchParam: deps.registry.forType('Resource').map((p) => ({ name: p.code, definition: p.url, type: p.type })),
      operation: operationsFor(deps),
      // canonical URLs of the official definitions, e.g. http://hl7.org/fhir/CompartmentDefinition/relatedPerson
      compartment: deps.registry.compartments().map((c) => `http://hl7.org/fhir/CompartmentDefinition/${c[0].toLowerCase()}${c.slice(1)}`),
    }],
  };
}

const SMART_SERVICE = { system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'SMART-on-FHIR' };
const OAUTH_URIS = 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris';

/** rest.security: the SMART-on-FHIR service and its OAuth URIs, or a notice that auth is off. */
async function securityOf(security: RestSecurity | undefined): Promise<CapabilityStatementRestSecurity> {
  if (!security?.enabled) {
    return { cors: false, description: 'Authentication is OFF: this server is running in local development mode and every client has full access. Do not expose it or store real patient data.' };
  }
  // Metadata stays answerable while the authorization server is down: the URIs are then left out.
  const uris = await security.oauthUris?.().catch(() => undefined);
  return {
    cors: true,
    service: [{ coding: [SMART_SERVICE], text: 'OAuth2 using SMART-on-FHIR profile (see https://hl7.org/fhir/smart-app-launch/)' }],
    description: 'SMART App Launch 2.x and Backend Services: Bearer access tokens, see .well-known/smart-configuration.',
    ...(uris && Object.keys(uris).length ? { extension: [{ url: OAUTH_URIS, extension: Object.entries(uris).map(([url, valueUri]) => ({ url, valueUri })) }] } : {}),
  };
}

export async function capabilitiesInteraction(deps: RestDeps, req: FhirRequest): Promise<FhirResponse> {
  const body = buildCapabilityStatement(deps, req.baseUrl);
  const rest = body.rest?.[0];
  if (rest) rest.security = await securityOf(deps.security);
  return { status: 200, headers: {}, body };
}
