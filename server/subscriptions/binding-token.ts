/**
 * websocket binding tokens ($get-ws-binding-token): short-lived, bound to one subscription and to the
 * client that asked, signed with the server secret (CURSOR_SECRET, shared by replicas) under a purpose
 * prefix so no other signed value can pass as one. Holding the token is what lets a socket bind.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface BindingClaims {
  subscriptionId: string;
  clientId: string;
  /** Expiry, epoch milliseconds. */
  exp: number;
}

const PURPOSE = 'twinfhir-ws-binding-v1';

const sign = (secret: string, body: string): string => createHmac('sha256', secret).update(`${PURPOSE}.${body}`).digest('base64url');

export function issueBindingToken(secret: string, claims: BindingClaims): string {
  const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${body}.${sign(secret, body)}`;
}

/** The claims of a valid, unexpired token; undefined otherwise (never says why: no oracle). */
export function verifyBindingToken(secret: string, token: string, nowMs: number): BindingClaims | undefined {
  if (token.length > 2048) return undefined;
  const dot = token.indexOf('.');
  if (dot < 1) return undefined;
  const body = token.slice(0, dot);
  const mac = Buffer.from(token.slice(dot + 1));
  const expected = Buffer.from(sign(secret, body));
  if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) return undefined;
  try {
    const c = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Partial<BindingClaims>;
    if (typeof c.subscriptionId !== 'string' || typeof c.clientId !== 'string' || typeof c.exp !== 'number' || c.exp < nowMs) return undefined;
    return { subscriptionId: c.subscriptionId, clientId: c.clientId, exp: c.exp };
  } catch {
    return undefined;
  }
}
