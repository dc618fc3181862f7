/**
 * The last verified JWT of each keep-alive connection. A client sends the same Authorization header on
 * every request of a connection, so an exact match on the same socket skips parsing and hashing the token
 * and the verifier's cache look-up (the largest per-request auth cost left in a --cpu-prof of reads). Kept
 * only while the connection lives (weakly keyed by its socket) and only until the token expires, exactly as
 * long as the verifier's own cache would serve it; introspected (opaque) tokens are never kept here, so their
 * shorter re-check interval stands. Another header on the same socket simply replaces the entry.
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { TokenClaims } from './token-claims';

interface Memo { authorization: string; claims: TokenClaims; until: number }

export interface ConnectionMemo {
  /** The claims verified for this exact header on this connection, if still unexpired at `nowSec`. */
  get(req: IncomingMessage, nowSec: number): TokenClaims | undefined;
  remember(req: IncomingMessage, claims: TokenClaims): void;
}

export function connectionMemo(clockToleranceSec: number): ConnectionMemo {
  const bySocket = new WeakMap<Socket, Memo>();
  return {
    get(req, nowSec) {
      const memo = req.socket ? bySocket.get(req.socket) : undefined;
      return memo && memo.authorization === req.headers.authorization && nowSec < memo.until ? memo.claims : undefined;
    },
    remember(req, claims) {
      const authorization = req.headers.authorization;
      // a JWT (three dot-separated parts) with an expiry: the verifier's cache serves it until then too
      if (!req.socket || !authorization || claims.expiresAt === undefined || authorization.split('.').length !== 3) return;
      bySocket.set(req.socket, { authorization, claims, until: claims.expiresAt + clockToleranceSec });
    },
  };
}
