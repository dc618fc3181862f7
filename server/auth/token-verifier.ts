/**
 * Verifies bearer access tokens: JWTs against the issuer's JWKS (jose; keys cached, refetched on an
 * unknown `kid`, so rotation needs no restart), opaque tokens by RFC 7662 introspection when configured.
 * Verified tokens are cached until they expire (bounded LRU), so a request pays one map lookup.
 */
import { hash } from 'node:crypto';
import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { LRUCache } from 'lru-cache';
import { introspector, type IntrospectionSettings } from './introspection';
import type { MetadataSource } from './issuer-metadata';
import { type TokenClaims, claimsOf } from './token-claims';
import { TokenError } from './token-error';

export { TokenError };

/** Asymmetric algorithms only: `none` and HS* (which would treat a public key as a shared secret) never verify. */
export const ALLOWED_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'EdDSA'];

export interface VerifierSettings {
  issuer?: string;
  audience: string;
  /** Overrides the jwks_uri of the issuer's metadata. */
  jwksUrl?: string;
  clockToleranceSec: number;
  cacheSize: number;
  introspection?: IntrospectionSettings;
}

export interface TokenVerifier {
  verify(token: string, nowSec?: number): Promise<TokenClaims>;
}

function describe(err: unknown): string {
  if (err instanceof TokenError) return err.message;
  if (err instanceof errors.JWTExpired) return 'the token has expired';
  if (err instanceof errors.JWTClaimValidationFailed) return `claim '${err.claim}' is not acceptable (${err.reason})`;
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'the signature does not verify';
  if (err instanceof errors.JWKSNoMatchingKey) return 'no key of the issuer matches the token (kid/alg)';
  if (err instanceof errors.JOSEAlgNotAllowed) return 'the signing algorithm is not allowed';
  if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid) return 'the token is not a well-formed JWS';
  if (err instanceof errors.JOSENotSupported) return 'the token uses an unsupported algorithm or key';
  return 'the token could not be verified';
}

/** Cache key: a digest, so the cache never holds usable tokens (one-shot `hash`: no Hash object per request). */
const keyOf = (token: string): string => hash('sha256', token, 'base64url');

export function createTokenVerifier(settings: VerifierSettings, metadata: MetadataSource): TokenVerifier {
  let jwks: JWTVerifyGetKey | undefined;
  const keys = async (): Promise<JWTVerifyGetKey> => {
    if (jwks) return jwks;
    const url = settings.jwksUrl ?? (await metadata()).jwks_uri;
    if (!url) throw new TokenError('the authorization server publishes no jwks_uri');
    // jose keeps the set, refetches on an unknown kid (with a cooldown against hammering) and after cacheMaxAge.
    jwks = createRemoteJWKSet(new URL(url), { cooldownDuration: 5_000, cacheMaxAge: 10 * 60_000, timeoutDuration: 5_000 });
    return jwks;
  };
  const introspect = settings.introspection ? introspector(settings.introspection) : undefined;
  const cache = new LRUCache<string, TokenClaims>({ max: settings.cacheSize });

  const verifyJwt = async (token: string): Promise<TokenClaims> => {
    const { payload } = await jwtVerify(token, await keys(), {
      issuer: settings.issuer, audience: settings.audience, algorithms: ALLOWED_ALGORITHMS,
      clockTolerance: settings.clockToleranceSec, requiredClaims: ['exp'],
    });
    return claimsOf(payload);
  };

  return {
    async verify(token, nowSec = Math.floor(Date.now() / 1000)) {
      const key = keyOf(token);
      const hit = cache.get(key);
      if (hit && (hit.expiresAt === undefined || hit.expiresAt + settings.clockToleranceSec > nowSec)) return hit;
      let claims: TokenClaims;
      try {
        const isJwt = token.split('.').length === 3;
        if (!isJwt && !introspect) throw new TokenError('not a JWT, and token introspection is not configured');
        claims = isJwt ? await verifyJwt(token) : await (introspect as NonNullable<typeof introspect>)(token);
      } catch (err) {
        // Timeouts reaching the JWKS are the issuer's outage, not the token's fault: they propagate (503).
        if (err instanceof TokenError || (err instanceof errors.JOSEError && !(err instanceof errors.JWKSTimeout))) throw new TokenError(describe(err));
        throw err;
      }
      const ttlMs = claims.expiresAt === undefined ? 60_000 : (claims.expiresAt - nowSec) * 1000;
      if (ttlMs > 0) cache.set(key, claims, { ttl: Math.min(ttlMs, settings.introspection && !token.includes('.') ? settings.introspection.cacheMs : ttlMs) });
      return claims;
    },
  };
}
