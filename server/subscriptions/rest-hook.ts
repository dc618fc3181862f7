/**
 * rest-hook delivery: one HTTP POST of a notification Bundle with the subscription's headers, bounded in
 * time, never following redirects (the endpoint was checked, a redirect target was not). Header values
 * carry credentials: they appear in no error message or log.
 */
import type { Bundle } from 'fhir/r4';

/** A delivery that did not get a 2xx; retried with backoff. */
export class DeliveryError extends Error {
  constructor(message: string, readonly retryAfterMs?: number) {
    super(message);
    this.name = 'DeliveryError';
  }
}

/** Retry-After in seconds (at most an hour); an HTTP date is ignored. */
function retryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const s = Number(value);
  return Number.isFinite(s) && s >= 0 ? Math.min(s, 3600) * 1000 : undefined;
}

export async function postNotification(endpoint: string, headers: readonly [string, string][], bundle: Bundle, timeoutMs: number): Promise<void> {
  const h = new Headers();
  for (const [name, value] of headers) h.append(name, value);
  h.set('content-type', 'application/fhir+json');
  let res: Response;
  try {
    res = await fetch(endpoint, { method: 'POST', headers: h, body: JSON.stringify(bundle), redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    const why = err instanceof Error && err.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : 'the endpoint could not be reached';
    throw new DeliveryError(why);
  }
  // The answer's body is never needed: drop it unread (a receiver answering gigabytes costs nothing).
  await res.body?.cancel().catch(() => undefined);
  if (res.status < 200 || res.status > 299) throw new DeliveryError(`the endpoint answered HTTP ${res.status}`, retryAfter(res.headers.get('retry-after')));
}
