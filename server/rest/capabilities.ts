/**
 * GET /metadata — the CapabilityStatement, generated from what is registered (the interaction
 * table, resource types the validator knows, search parameters in the registry, the operation
 * table), so it cannot drift. https://hl7.org/fhir/R4/http.html#capabilities
 */
import type { CapabilityStatement, CapabilityStatementRestResource, CapabilityStatementRestResourceOperation, CapabilityStatementRestSecurity } from 'fhir/r4';
import type { RestDeps, RestSecurity } from './deps';
import type { InteractionSpec, ResourceFlags, SystemInteractionCode, TypeInteractionCode } from './interaction-spec';
import type { FhirRequest, FhirResponse } from './types';

export type CapabilitiesDeps = Pick<RestDeps, 'validator' | 'registry' | 'clock' | 'operations' | 'security' | 'capabilityAdditions'>;

/** Stored and served, but not meant as standalone REST resources. */
const NOT_REST = new Set(['Parameters']);

/** What the interaction table offers, in table order, each code once. */
interface Offered { type: TypeInteractionCode[]; system: SystemInteractionCode[]; flags: ResourceFlags }

function offered(table: readonly InteractionSpec[]): Offered {
  const out: Offered = { type: [], system: [], flags: {} };
  for (const { capability: c } of table) {
    if (c?.type && !out.type.includes(c.type)) out.type.push(c.type);
    for (const code of c?.system ?? []) if (!out.system.includes(code)) out.system.push(code);
    Object.assign(out.flags, c?.flags);
  }
  return out;
}

function operationsFor(deps: CapabilitiesDeps, type?: string): CapabilityStatementRestResourceOperation[] {
  return deps.operations
    .filter((o) => (type ? (o.scopes.includes('type') || o.scopes.includes('instance')) && (!o.resourceTypes || o.resourceTypes.includes(type)) : o.scopes.includes('system')))
    .map((o) => ({ name: o.name, definition: o.definition }));
}

function resourceEntry(deps: CapabilitiesDeps, type: string, offer: Offered): CapabilityStatementRestResource {
  const params = deps.registry.forType(type);
  const ops = operationsFor(deps, type);
  return {
    type,
    interaction: offer.type.map((code) => ({ code })),
    ...offer.flags,
    referencePolicy: ['literal', 'logical'],
    searchInclude: params.filter((p) => p.type === 'reference').map((p) => `${type}:${p.code}`),
    searchParam: params.map((p) => ({ name: p.code, definition: p.url, type: p.type })),
    ...(ops.length ? { operation: ops } : {}),
    ...deps.capabilityAdditions?.resources[type],
  };
}

export function buildCapabilityStatement(deps: CapabilitiesDeps, baseUrl: string, table: readonly InteractionSpec[]): CapabilityStatement {
  const types = deps.validator.resourceTypes().filter((t) => !NOT_REST.has(t)).sort();
  const offer = offered(table);
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: deps.clock.now().toISOString(),
    publisher: 'TwinFHIR',
    kind: 'instance',
    ...(deps.capabilityAdditions?.instantiates.length ? { instantiates: deps.capabilityAdditions.instantiates } : {}),
    software: { name: 'TwinFHIR', version: '0.1.0' },
    implementation: { description: 'TwinFHIR FHIR R4 server', url: baseUrl },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    patchFormat: ['application/json-patch+json', 'application/fhir+json'],
    rest: [{
      mode: 'server',
      resource: types.map((t) => resourceEntry(deps, t, offer)),
      interaction: offer.system.map((code) => ({ code })),
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

export async function capabilitiesInteraction(deps: CapabilitiesDeps, req: FhirRequest, table: readonly InteractionSpec[]): Promise<FhirResponse> {
  const body = buildCapabilityStatement(deps, req.baseUrl, table);
  const rest = body.rest?.[0];
  if (rest) rest.security = await securityOf(deps.security);
  return { status: 200, headers: {}, body };
}
