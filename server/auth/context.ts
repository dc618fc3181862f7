/**
 * auth/ owns who is asking: SMART on FHIR tokens, scopes, the edge access guard and smart-configuration;
 * a patient-context token's row restrictions (enforced in the store's SQL) are derived here from its scopes.
 *
 * Builds the AccessContext of a request. Auth off (no AUTH_ISSUER/AUTH_JWKS_URL): an anonymous
 * full-access context, for local development only. Auth on: the bearer token is verified (JWKS or
 * introspection) and becomes the context; no token → an unauthenticated context that only public
 * endpoints accept; a bad token → 401 invalid_token.
 */
import type { IncomingMessage } from 'node:http';
import { type AccessContext, anonymousContext, unauthenticatedContext } from '../core/access-context';
import { FhirError } from '../core/fhir-error';
import { invalidToken, readBearer } from './bearer';
import { connectionMemo } from './connection-memo';
import { rowRestrictionsOf } from './row-restrictions';
import { parseScopes } from './scopes';
import { type IssuerMetadata, type MetadataSource, issuerMetadata } from './issuer-metadata';
import type { TokenClaims } from './token-claims';
import { TokenError, createTokenVerifier } from './token-verifier';

export interface AuthSettings {
  issuer?: string;
  jwksUrl?: string;
  audience?: string;
  introspectionUrl?: string;
  introspectionClientId?: string;
  introspectionClientSecret?: string;
  clockSkewSec?: number;
  tokenCacheSize?: number;
}

export const authEnabled = (s: AuthSettings): boolean => Boolean(s.issuer || s.jwksUrl);

export type ContextResolver = (req: IncomingMessage, requestId: string) => Promise<AccessContext>;

export interface Auth {
  enabled: boolean;
  /** realm of WWW-Authenticate challenges: the audience (our FHIR base). */
  realm: string;
  contextFor: ContextResolver;
  /** The issuer's metadata (for smart-configuration); undefined with auth off or without an issuer. */
  metadata?: () => Promise<IssuerMetadata>;
  settings: AuthSettings;
}

/** What a token's context holds apart from the request id: the same for every request with that token. */
type TokenContext = Omit<AccessContext, 'requestId'>;

function tokenContextOf(claims: TokenClaims): TokenContext {
  const restrictions = rowRestrictionsOf(parseScopes(claims.scopes), claims.patient);
  // Shared by every request with this token: frozen, so no request can change another's confinement.
  for (const r of Object.values(restrictions)) Object.freeze(Object.freeze(r).exemptTypes);
  return {
    clientId: claims.clientId, scopes: claims.scopes, authDisabled: false,
    ...(claims.fhirUser ? { user: claims.fhirUser } : {}),
    ...(claims.patient ? { patient: claims.patient } : {}),
    // Computed once per token: every store read and write of the request runs under it.
    ...restrictions,
    ...(claims.subject ? { subject: claims.subject } : {}),
    ...(claims.tokenId ? { tokenId: claims.tokenId } : {}),
    ...(claims.expiresAt !== undefined ? { expiresAt: claims.expiresAt } : {}),
  };
}

/**
 * The verifier's cache hands back the same claims object for a cached token, so the parsed scopes and row
 * restrictions are built once per token (keyed weakly: they go when the cache drops the claims).
 */
const contextByClaims = new WeakMap<TokenClaims, TokenContext>();

function toContext(claims: TokenClaims, requestId: string): AccessContext {
  let base = contextByClaims.get(claims);
  if (!base) {
    base = tokenContextOf(claims);
    contextByClaims.set(claims, base);
  }
  return { ...base, requestId };
}

export function createAuth(settings: AuthSettings): Auth {
  if (!authEnabled(settings)) {
    return { enabled: false, realm: 'TwinFHIR', settings, contextFor: (_req, requestId) => Promise.resolve(anonymousContext(requestId)) };
  }
  const audience = settings.audience as string;
  const metadata: MetadataSource | undefined = settings.issuer ? issuerMetadata(settings.issuer) : undefined;
  const introspection = settings.introspectionUrl && settings.introspectionClientId && settings.introspectionClientSecret
    ? { url: settings.introspectionUrl, clientId: settings.introspectionClientId, clientSecret: settings.introspectionClientSecret, cacheMs: 30_000, audience, issuer: settings.issuer }
    : undefined;
  const noMetadata = (): Promise<IssuerMetadata> => Promise.reject(new Error('no AUTH_ISSUER: metadata unknown'));
  const clockToleranceSec = settings.clockSkewSec ?? 30;
  const verifier = createTokenVerifier({
    issuer: settings.issuer, audience, jwksUrl: settings.jwksUrl, clockToleranceSec, cacheSize: settings.tokenCacheSize ?? 10_000, introspection,
  }, metadata ?? noMetadata);
  const connections = connectionMemo(clockToleranceSec);
  const realm = audience;
  const contextFor: ContextResolver = async (req, requestId) => {
    const nowSec = Math.floor(Date.now() / 1000);
    const known = connections.get(req, nowSec);
    if (known) return toContext(known, requestId);
    const bearer = readBearer(req.headers.authorization);
    if (bearer.kind === 'none') return unauthenticatedContext(requestId);
    if (bearer.kind === 'invalid') throw invalidToken(realm, bearer.reason);
    try {
      const claims = await verifier.verify(bearer.token, nowSec);
      connections.remember(req, claims);
      return toContext(claims, requestId);
    } catch (err) {
      if (err instanceof TokenError) throw invalidToken(realm, err.message);
      // The issuer (JWKS, introspection) is unreachable: the client may retry; the token may be fine.
      throw new FhirError(503, 'transient', 'The authorization server cannot be reached to verify the token', undefined, { 'Retry-After': '5' });
    }
  };
  return { enabled: true, realm, contextFor, metadata, settings };
}
