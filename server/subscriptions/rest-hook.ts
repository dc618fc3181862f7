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

/**
 * Endpoints parsed once (a delivery POSTs to a handful of endpoints thousands of times). Bounded: an entry is only
 * a parse, so the map is simply cleared when full.
 */
const parsed = new Map<string, URL>();
const PARSED_MAX = 1_000;
function endpointUrl(endpoint: string): URL {
  let url = parsed.get(endpoint);
  if (!url) {
    if (parsed.size >= PARSED_MAX) parsed.clear();
    parsed.set(endpoint, (url = new URL(endpoint)));
  }
  return url;
}

export async function postNotification(endpoint: string, headers: readonly [string, string][], bundle: Bundle, o: PostOptions): Promise<void> {
  // The policy may have tightened since the Subscription was written (an IP literal never reaches the lookup).
  const refused = refuseEndpoint(o.policy, endpoint);
  if (refused) throw new DeliveryError(refused);
  const url = endpointUrl(endpoint);
  const body = Buffer.from(JSON.stringify(bundle));
  const status = await new Promise<{ code: number; retryAfterMs?: number }>((resolve, reject) => {
    // One plain timer bounds the whole exchange (connect, send, answer, drain) — what AbortSignal.timeout did,
    // without a signal, its DOMException and its listeners on every request (a fifth of the client's CPU per POST).
    let timedOut = false;
    let req: http.ClientRequest | undefined = undefined;
    const timer = setTimeout(() => { timedOut = true; req?.destroy(new Error('timed out')); }, o.timeoutMs);
    req = (url.protocol === 'https:' ? https : http).request(url, {
      method: 'POST', headers: requestHeaders(headers, body.length), lookup: guardedLookup(o.policy, o.resolve),
    }, (res) => {
      let read = 0;
      res.on('data', (c: Buffer) => { if ((read += c.length) > DRAIN_BYTES) res.destroy(); });
      res.on('error', () => undefined);
      res.on('close', () => clearTimeout(timer));
      resolve({ code: res.statusCode ?? 0, retryAfterMs: retryAfter(res.headers['retry-after']) });
    });
    req.on('error', (err) => {
      clearTimeout(timer);
      if (err instanceof RefusedAddressError || (err.cause instanceof RefusedAddressError)) reject(new DeliveryError(err instanceof RefusedAddressError ? err.message : (err.cause as Error).message));
      else reject(new DeliveryError(timedOut ? `no answer within ${o.timeoutMs} ms` : 'the endpoint could not be reached'));
    });
    req.end(body);
  });
  if (status.code < 200 || status.code > 299) throw new DeliveryError(`the endpoint answered HTTP ${status.code}`, status.retryAfterMs);
}
