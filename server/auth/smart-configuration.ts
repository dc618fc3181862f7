/**
 * `GET /fhir/.well-known/smart-configuration` (SMART App Launch 2.x §Conformance) and the OAuth URIs
 * of `CapabilityStatement.rest.security`, both taken from the authorization server's own metadata so
 * they cannot disagree with it.
 */
import type { AuthorizationEndpoints, IssuerMetadata } from './issuer-metadata';

/** Scopes this resource server understands (v1 and v2 wildcards; type-specific ones are implied). */
export const SCOPES_SUPPORTED = [
  'openid', 'fhirUser', 'launch/patient', 'offline_access', 'online_access',
  'patient/*.rs', 'patient/*.cruds', 'user/*.rs', 'user/*.cruds', 'system/*.rs', 'system/*.cruds',
  'patient/*.read', 'patient/*.write', 'user/*.read', 'user/*.write', 'system/*.read', 'system/*.write',
];

export interface SmartConfiguration extends AuthorizationEndpoints {
  grant_types_supported: string[];
  token_endpoint_auth_methods_supported: string[];
  token_endpoint_auth_signing_alg_values_supported?: string[];
  scopes_supported: string[];
  response_types_supported: string[];
  code_challenge_methods_supported: string[];
  capabilities: string[];
}

function capabilitiesOf(meta: IssuerMetadata, authMethods: string[], grants: string[]): string[] {
  const caps = ['launch-standalone', 'client-public', 'context-standalone-patient', 'permission-patient', 'permission-user', 'permission-v1', 'permission-v2'];
  if (authMethods.includes('private_key_jwt')) caps.push('client-confidential-asymmetric');
  if (authMethods.includes('client_secret_basic') || authMethods.includes('client_secret_post')) caps.push('client-confidential-symmetric');
  if (grants.includes('refresh_token')) caps.push('permission-offline');
  if (meta.userinfo_endpoint || (meta.scopes_supported ?? []).includes('openid')) caps.push('sso-openid-connect');
  return caps;
}

const strings = (v: unknown): string[] | undefined => (Array.isArray(v) && v.every((s) => typeof s === 'string') ? v : undefined);

export function smartConfiguration(meta: IssuerMetadata, introspectionUrl?: string): SmartConfiguration {
  const grants = strings(meta.grant_types_supported) ?? ['authorization_code', 'client_credentials'];
  const authMethods = strings(meta.token_endpoint_auth_methods_supported) ?? ['private_key_jwt', 'none'];
  const introspection = introspectionUrl ?? meta.introspection_endpoint;
  const optional = (k: keyof IssuerMetadata): Record<string, string> => (typeof meta[k] === 'string' ? { [k]: meta[k] } : {});
  return {
    issuer: meta.issuer,
    ...optional('jwks_uri'), ...optional('authorization_endpoint'), ...optional('token_endpoint'),
    ...(introspection ? { introspection_endpoint: introspection } : {}),
    ...optional('revocation_endpoint'), ...optional('registration_endpoint'), ...optional('userinfo_endpoint'),
    grant_types_supported: grants,
    token_endpoint_auth_methods_supported: authMethods,
    ...(strings(meta.token_endpoint_auth_signing_alg_values_supported) ? { token_endpoint_auth_signing_alg_values_supported: meta.token_endpoint_auth_signing_alg_values_supported } : {}),
    scopes_supported: [...new Set([...SCOPES_SUPPORTED, ...(strings(meta.scopes_supported) ?? [])])],
    response_types_supported: ['code'],
    // SMART 2.x: S256 required, `plain` must not be offered.
    code_challenge_methods_supported: ['S256'],
    capabilities: capabilitiesOf(meta, authMethods, grants),
  };
}

/** The `oauth-uris` extension's URIs (authorize, token, …) for CapabilityStatement.rest.security. */
export function oauthUris(meta: IssuerMetadata, introspectionUrl?: string): Record<string, string> {
  const out: Record<string, string> = {};
  const put = (k: string, v: unknown): void => { if (typeof v === 'string') out[k] = v; };
  put('authorize', meta.authorization_endpoint);
  put('token', meta.token_endpoint);
  put('introspect', introspectionUrl ?? meta.introspection_endpoint);
  put('revoke', meta.revocation_endpoint);
  put('register', meta.registration_endpoint);
  return out;
}
