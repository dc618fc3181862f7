/** Search keyset cursors: sort values + rid, bound to the query's fingerprint, signed by store/cursor. */
import { createHash } from 'node:crypto';
import type { Criterion, SearchQuery } from '../../search/types';
import { badRequest } from '../../core/fhir-error';
import { signCursor, verifyCursor } from '../cursor';

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
  const key = JSON.stringify([q.resourceTypes, q.criteria.map(criterionKey), q.sort, q.compartment ?? null, q.restriction ?? null, ...(q.contained ? [q.contained, q.containedType ?? 'container'] : [])]);
  return createHash('sha256').update(key).digest('base64url').slice(0, 22);
}

export function encodeCursor(secret: string, q: SearchQuery, pos: CursorPosition): string {
  const body: Payload = { f: queryFingerprint(q), k: pos.keys, r: pos.rid, ...(pos.backward ? { b: 1 as const } : {}) };
  return signCursor(body, secret);
}

/** Verifies and decodes a cursor; 400 if it was altered, is malformed, or belongs to another query. */
export function decodeCursor(secret: string, q: SearchQuery, cursor: string): CursorPosition {
  const p = verifyCursor<Payload>(cursor, secret, '_cursor');
  // Contained matches (`_containedType=contained`) carry one key: their position in the container.
  const width = q.containedType === 'contained' ? 1 : q.sort.length;
  if (!p || p.f !== queryFingerprint(q) || !Array.isArray(p.k) || p.k.length !== width || !/^\d+$/.test(String(p.r))) {
    throw badRequest('Search cursor does not belong to this search', ['_cursor']);
  }
  return { keys: p.k, rid: p.r, ...(p.b === 1 ? { backward: true } : {}) };
}
