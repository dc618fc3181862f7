/**
 * Bearer token transport (RFC 6750): reads the token from the Authorization header and builds the
 * `WWW-Authenticate` challenge for 401/403 answers. Pure; hostile headers never throw.
 */
import { FhirError } from '../core/fhir-error';

/** Tokens longer than this are refused before any parsing (a JWT with a few scopes is ~1–2 KB). */
export const MAX_TOKEN_LENGTH = 8192;
// RFC 6750 §2.1 b64token
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

export type BearerResult = { kind: 'none' } | { kind: 'token'; token: string } | { kind: 'invalid'; reason: string };

export function readBearer(header: string | string[] | undefined): BearerResult {
  if (header === undefined) return { kind: 'none' };
  if (Array.isArray(header)) return header.length === 0 ? { kind: 'none' } : { kind: 'invalid', reason: 'More than one Authorization header' };
  const text = header.trim();
  if (text === '') return { kind: 'none' };
  const space = text.indexOf(' ');
  const scheme = space < 0 ? text : text.slice(0, space);
  if (scheme.toLowerCase() !== 'bearer') return { kind: 'invalid', reason: 'Only the Bearer authorization scheme is accepted' };
  const token = space < 0 ? '' : text.slice(space + 1).trim();
  if (token === '') return { kind: 'invalid', reason: 'The Bearer token is empty' };
  if (token.length > MAX_TOKEN_LENGTH) return { kind: 'invalid', reason: 'The Bearer token is too long' };
  if (!B64TOKEN.test(token)) return { kind: 'invalid', reason: 'The Bearer token has characters a token cannot have' };
  return { kind: 'token', token };
}

/** Quoted-string content: no quotes, backslashes or control characters from error texts. */
const quoted = (s: string): string => [...s].map((c) => (c === '"' || c === '\\' || c < ' ' || c > '~' ? ' ' : c)).join('').slice(0, 200);

export function challenge(realm: string, error?: 'invalid_token' | 'insufficient_scope' | 'invalid_request', description?: string, scope?: string): string {
  const parts = [`realm="${quoted(realm)}"`];
  if (error) parts.push(`error="${error}"`);
  if (description) parts.push(`error_description="${quoted(description)}"`);
  if (scope) parts.push(`scope="${quoted(scope)}"`);
  return `Bearer ${parts.join(', ')}`;
}

/** 401 for a missing token: a bare challenge, no error code (RFC 6750 §3.1). */
export function missingToken(realm: string): FhirError {
  return new FhirError(401, 'login', 'Authentication required: send an OAuth 2.0 Bearer access token', undefined, { 'WWW-Authenticate': challenge(realm) });
}

export function invalidToken(realm: string, description: string): FhirError {
  return new FhirError(401, 'login', `Invalid access token: ${description}`, undefined, { 'WWW-Authenticate': challenge(realm, 'invalid_token', description) });
}

export function insufficientScope(realm: string, description: string, status: 403 | 404 = 403): FhirError {
  if (status === 404) return new FhirError(404, 'not-found', 'Resource not found in the granted context');
  return new FhirError(403, 'forbidden', `Insufficient scope: ${description}`, undefined, { 'WWW-Authenticate': challenge(realm, 'insufficient_scope', description) });
}
