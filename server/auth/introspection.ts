/**
 * RFC 7662 token introspection for opaque access tokens: the resource server authenticates to the
 * authorization server with its client credentials and accepts only `active` tokens for its audience.
 */
import { type TokenClaims, claimsOf } from './token-claims';
import { TokenError } from './token-error';

export interface IntrospectionSettings {
  url: string;
  clientId: string;
  clientSecret: string;
  /** How long an answer is reused (a revoked token stays usable at most this long). */
  cacheMs: number;
  audience: string;
  issuer?: string;
  timeoutMs?: number;
}

function audienceOk(aud: unknown, want: string): boolean {
  if (aud === undefined) return true; // RFC 7662 makes aud optional; the AS answered for us
  return aud === want || (Array.isArray(aud) && aud.includes(want));
}

export function introspector(s: IntrospectionSettings): (token: string) => Promise<TokenClaims> {
  const basic = Buffer.from(`${encodeURIComponent(s.clientId)}:${encodeURIComponent(s.clientSecret)}`).toString('base64');
  return async (token) => {
    const res = await fetch(s.url, {
      method: 'POST',
      headers: { Authorization: `Basic ${basic}`, 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body: new URLSearchParams({ token, token_type_hint: 'access_token' }).toString(),
      signal: AbortSignal.timeout(s.timeoutMs ?? 5_000),
    });
    // Not a token problem: the caller answers 503, the client may retry.
    if (!res.ok) throw new Error(`introspection endpoint answered ${res.status}`);
    const json = (await res.json()) as Record<string, unknown>;
    if (json.active !== true) throw new TokenError('the token is not active');
    if (!audienceOk(json.aud, s.audience)) throw new TokenError("claim 'aud' is not acceptable");
    if (s.issuer && json.iss !== undefined && json.iss !== s.issuer) throw new TokenError("claim 'iss' is not acceptable");
    if (typeof json.exp === 'number' && json.exp * 1000 < Date.now()) throw new TokenError('the token has expired');
    return claimsOf(json);
  };
}
