/** The page's only way to the server: the FHIR REST API, JSON, with the user's bearer token when there is one. */
import type { Bundle, FhirResource, OperationOutcome } from 'fhir/r4';

/** An answer other than 2xx, with the OperationOutcome's issues as readable sentences. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly issues: string[]) {
    super(issues.join(' ') || `The server answered ${status}`);
  }
}

export interface FhirClient {
  get<T extends FhirResource>(path: string): Promise<T>;
  /** POST JSON; `headers` e.g. If-Match. */
  post<T extends FhirResource>(path: string, body: FhirResource, headers?: Record<string, string>): Promise<T | undefined>;
  /** Every page of a search (following `next` links, at most `maxPages`). */
  searchAll(path: string, maxPages?: number): Promise<FhirResource[]>;
}

function issuesOf(body: unknown, status: number): string[] {
  const oo = body as OperationOutcome | undefined;
  if (oo?.resourceType !== 'OperationOutcome') return [`The server answered ${status}.`];
  return (oo.issue ?? []).map((i) => {
    const where = i.expression?.length ? ` (at ${i.expression.join(', ')})` : '';
    return `${i.diagnostics ?? i.details?.text ?? i.code}${where}`;
  });
}

/** `base` is the FHIR base URL ending in '/'; `token` is asked for on every call (it can change, or be refreshed first). */
export function createFhirClient(base: URL, token: () => Promise<string | undefined> | string | undefined): FhirClient {
  async function call(method: string, path: string, body?: unknown, extra: Record<string, string> = {}): Promise<unknown> {
    const headers: Record<string, string> = { Accept: 'application/fhir+json', ...extra };
    const t = await token();
    if (t) headers.Authorization = `Bearer ${t}`;
    if (body !== undefined) headers['Content-Type'] = 'application/fhir+json';
    let res: Response;
    try {
      res = await fetch(new URL(path, base), { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch {
      throw new ApiError(0, ['The server could not be reached. Check the connection and try again.']);
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!res.ok) throw new ApiError(res.status, issuesOf(json, res.status));
    return json;
  }

  /** A `next` link is absolute on the server's base; keep only what follows the FHIR base. */
  const relative = (link: string): string => {
    const u = new URL(link, base);
    const at = u.pathname.indexOf('/fhir/');
    return (at >= 0 ? u.pathname.slice(at + 6) : u.pathname.replace(/^\//, '')) + u.search;
  };

  return {
    get: async <T extends FhirResource>(path: string) => (await call('GET', path)) as T,
    post: async <T extends FhirResource>(path: string, body: FhirResource, headers?: Record<string, string>) =>
      (await call('POST', path, body, headers)) as T | undefined,
    async searchAll(path: string, maxPages = 20): Promise<FhirResource[]> {
      const out: FhirResource[] = [];
      let next: string | undefined = path;
      for (let page = 0; next && page < maxPages; page++) {
        const bundle = (await call('GET', next)) as Bundle;
        for (const e of bundle.entry ?? []) if (e.resource) out.push(e.resource);
        const link = bundle.link?.find((l) => l.relation === 'next')?.url;
        next = link ? relative(link) : undefined;
      }
      return out;
    },
  };
}
