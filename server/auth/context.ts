/**
 * Builds the AccessContext of a request. Until SMART token validation is configured, every request
 * gets an anonymous full-access context (auth off, warned about loudly at start).
 */
import type { IncomingMessage } from 'node:http';
import { type AccessContext, anonymousContext } from '../core/access-context';

export interface AuthSettings {
  issuer?: string;
  jwksUrl?: string;
  audience?: string;
}

export const authEnabled = (s: AuthSettings): boolean => Boolean(s.issuer || s.jwksUrl || s.audience);

export function contextResolver(settings: AuthSettings): (req: IncomingMessage, requestId: string) => Promise<AccessContext> {
  if (authEnabled(settings)) {
    // Refusing to start beats silently serving data without checking the tokens the operator asked for.
    throw new Error('AUTH_ISSUER/AUTH_JWKS_URL/AUTH_AUDIENCE are set, but SMART token validation is not available in this version; unset them to run with auth off');
  }
  return (_req, requestId) => Promise.resolve(anonymousContext(requestId));
}
