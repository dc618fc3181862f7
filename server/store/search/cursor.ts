/** Opaque keyset cursors: sort values + rid, bound to the query's fingerprint and HMAC-signed against tampering. */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Criterion, SearchQuery } from '../../search/types';
import { badRequest } from '../../core/fhir-error';

export interface CursorPosition {
  /** Sort-key values of the last row on the previous page (as text; null sorts last). */
  keys: (string | null)[];
  rid: string;
  /** The page before this position (a `previous` link) rather than after it. */
  backward?: boolean;
}

interface Payload { f: string; k: (string | null)[]; r: string; b?: 1 }

function criterionKey(c: Criterion): unknown {
  return [c.code, c.modifier ?? '', c.values, c.chain ? [c.chain.targetType ?? '', criterionKey(c.chain.criterion)] : 0,
    c.has ? [c.has.sourceType, c.has.referenceParam, criterionKey(c.has.criterion)] : 0];
}

/** Identifies what a cursor belongs to, so a cursor cannot be replayed against another search. */
export function queryFingerprint(q: SearchQuery): string {
  const key = JSON.stringify([q.resourceTypes, q.criteria.map(criterionKey), q.sort, q.compartment ?? null]);
  return createHash('sha256').update(key).digest('base64url').slice(0, 22);
}

const sign = (secret: string, payload: string): Buffer => createHmac('sha256', secret).update(payload).digest();

export function encodeCursor(secret: string, q: SearchQuery, pos: CursorPosition): string {
  const body: Payload = { f: queryFingerprint(q), k: pos.keys, r: pos.rid, ...(pos.backward ? { b: 1 as const } : {}) };
  const payload = Buffer.from(JSON.stringify(body)).toString('base64url');
  return `${payload}.${sign(secret, payload).toString('base64url')}`;
}

const invalid = (): Error => badRequest('Invalid or tampered search cursor', ['_cursor']);

/** Verifies and decodes a cursor; 400 if it was altered, is malformed, or belongs to another query. */
export function decodeCursor(secret: string, q: SearchQuery, cursor: string): CursorPosition {
  const [payload, sig, extra] = cursor.split('.');
  if (!payload || !sig || extra !== undefined) throw invalid();
  const given = Buffer.from(sig, 'base64url');
  const expected = sign(secret, payload);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
  let p: Payload;
  try {
    p = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Payload;
  } catch {
    throw invalid();
  }
  if (p.f !== queryFingerprint(q) || !Array.isArray(p.k) || p.k.length !== q.sort.length || !/^\d+$/.test(String(p.r))) {
    throw badRequest('Search cursor does not belong to this search', ['_cursor']);
  }
  return { keys: p.k, rid: p.r, ...(p.b === 1 ? { backward: true } : {}) };
}
