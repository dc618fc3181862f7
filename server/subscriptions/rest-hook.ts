/**
 * rest-hook delivery: one HTTP POST of a notification Bundle with the subscription's headers, bounded in
 * time, never following redirects (the endpoint was checked, a redirect target was not), connecting only
 * to addresses the endpoint policy allows at delivery time (guarded-lookup.ts). Header values carry
 * credentials: they appear in no error message or log.
 */
import http, { type OutgoingHttpHeaders } from 'node:http';
import https from 'node:https';
import type { Bundle } from 'fhir/r4';
import { type EndpointPolicy, refuseEndpoint } from './endpoint-policy';
import { type Resolve, RefusedAddressError, guardedLookup } from './guarded-lookup';

/** A delivery that did not get a 2xx; retried with backoff. */
export class DeliveryError extends Error {
  constructor(message: string, readonly retryAfterMs?: number) {
    super(message);
    this.name = 'DeliveryError';
  }
}

/** Retry-After in seconds (at most an hour); an HTTP date is ignored. */
function retryAfter(value: string | string[] | undefined): number | undefined {
  if (typeof value !== 'string' || !value) return undefined;
  const s = Number(value);
  return Number.isFinite(s) && s >= 0 ? Math.min(s, 3600) * 1000 : undefined;
}

/** Answers are never needed: up to this much is read (and dropped) so the connection can be reused; beyond it, cut. */
const DRAIN_BYTES = 64 * 1024;

function requestHeaders(headers: readonly [string, string][], length: number): OutgoingHttpHeaders {
  const h: Record<string, string | string[]> = {};
  for (const [name, value] of headers) {
    const key = name.toLowerCase();
    const had = h[key];
    h[key] = had === undefined ? value : [...(Array.isArray(had) ? had : [had]), value];
  }
  return { ...h, 'content-type': 'application/fhir+json', 'content-length': String(length) };
}

export interface PostOptions { timeoutMs: number; policy: EndpointPolicy; resolve?: Resolve }

export async function postNotification(endpoint: string, headers: readonly [string, string][], bundle: Bundle, o: PostOptions): Promise<void> {
  // The policy may have tightened since the Subscription was written (an IP literal never reaches the lookup).
  const refused = refuseEndpoint(o.policy, endpoint);
  if (refused) throw new DeliveryError(refused);
  const url = new URL(endpoint);
  const body = Buffer.from(JSON.stringify(bundle));
  const signal = AbortSignal.timeout(o.timeoutMs);
  const status = await new Promise<{ code: number; retryAfterMs?: number }>((resolve, reject) => {
    const req = (url.protocol === 'https:' ? https : http).request(url, {
      method: 'POST', headers: requestHeaders(headers, body.length), lookup: guardedLookup(o.policy, o.resolve), signal,
    }, (res) => {
      let read = 0;
      res.on('data', (c: Buffer) => { if ((read += c.length) > DRAIN_BYTES) res.destroy(); });
      res.on('error', () => undefined);
      resolve({ code: res.statusCode ?? 0, retryAfterMs: retryAfter(res.headers['retry-after']) });
    });
    req.on('error', (err) => {
      if (err instanceof RefusedAddressError || (err.cause instanceof RefusedAddressError)) reject(new DeliveryError(err instanceof RefusedAddressError ? err.message : (err.cause as Error).message));
      else reject(new DeliveryError(signal.aborted ? `no answer within ${o.timeoutMs} ms` : 'the endpoint could not be reached'));
    });
    req.end(body);
  });
  if (status.code < 200 || status.code > 299) throw new DeliveryError(`the endpoint answered HTTP ${status.code}`, status.retryAfterMs);
}
