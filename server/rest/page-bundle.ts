/** The Bundle around one page of search or history results (id, lastUpdated, total, paging links) — https://hl7.org/fhir/R4/http.html#paging */
import type { Bundle, BundleEntry, BundleLink, Resource } from 'fhir/r4';
import type { RestDeps } from './deps';
import type { FhirRequest } from './types';

/** A URL builder for the links of a page: `path` with the kept query parameters plus `extra` ones. */
export function pageUrls(req: FhirRequest, path: string, kept: [string, string][]): (extra?: [string, string][]) => string {
  return (extra = []) => {
    const qs = new URLSearchParams([...kept, ...extra]).toString();
    return `${req.baseUrl}/${path}${qs ? `?${qs}` : ''}`;
  };
}

export function pageBundle(
  deps: Pick<RestDeps, 'ids' | 'clock'>, type: 'searchset' | 'history', total: number | undefined, link: BundleLink[], entry: BundleEntry<Resource>[],
): Bundle<Resource> {
  return {
    resourceType: 'Bundle',
    id: deps.ids.newId(),
    meta: { lastUpdated: deps.clock.now().toISOString() },
    type,
    ...(total !== undefined ? { total } : {}),
    link,
    entry,
  };
}
