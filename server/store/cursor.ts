/** Opaque, HMAC-signed paging cursors: clients can pass them back but cannot forge or alter them. */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { badRequest } from '../core/fhir-error';

export function signCursor(payload: unknown, secret: string): string {
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  const mac = createHmac('sha256', secret).update(body).digest('base64url').slice(0, 22);
  return `${body}.${mac}`;
}

export function verifyCursor<T>(cursor: string, secret: string, paramName = '_cursor'): T {
  const [body, mac, extra] = cursor.split('.');
  if (!body || !mac || extra !== undefined) throw badRequest(`Invalid paging cursor in '${paramName}'`, [paramName]);
  const expected = createHmac('sha256', secret).update(body).digest('base64url').slice(0, 22);
  const a = Buffer.from(mac);
  const b = Buffer.from(expected);
  if (a.length !== b.length || !timingSafeEqual(a, b)) throw badRequest(`Tampered or foreign paging cursor in '${paramName}'`, [paramName]);
  try {
    return JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as T;
  } catch {
    throw badRequest(`Invalid paging cursor in '${paramName}'`, [paramName]);
  }
}
