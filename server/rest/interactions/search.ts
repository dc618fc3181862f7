/** search at type, system and compartment level, GET and POST _search — https://hl7.org/fhir/R4/http.html#search */
import { UNLISTED_TYPES } from '../audit-read-guard';
import type { BundleEntry, Resource } from 'fhir/r4';
import { notFound, operationOutcome } from '../../core/fhir-error';
import { parseSearchParams } from '../../search/parse';
import type { Exec, RestDeps } from '../deps';
import { preferStrict } from '../headers';
import { pageBundle, pageUrls } from '../page-bundle';
import { checkId, checkType } from '../resource-body';
import type { FhirRequest, FhirResponse } from '../types';

export type SearchDeps = Pick<RestDeps, 'validator' | 'registry' | 'ids' | 'clock' | 'limits'>;

export interface SearchScope {
  /** Undefined for system search. */
  resourceType?: string;
  compartment?: { resourceType: string; id: string };
}

const LINK_DROP = new Set(['_cursor', '_format', '_pretty']);

export async function searchInteraction(deps: SearchDeps, req: FhirRequest, exec: Exec, scope: SearchScope): Promise<FhirResponse> {
  if (scope.resourceType) checkType(deps, scope.resourceType);
  if (scope.compartment) {
    checkType(deps, scope.compartment.resourceType);
    checkId(scope.compartment.id);
    // Only the five official CompartmentDefinitions define compartments (compartmentdefinition.html).
    if (deps.registry.compartmentTypes(scope.compartment.resourceType).length === 0) {
      throw notFound(`${scope.compartment.resourceType} is not a compartment: no endpoint at '${scope.compartment.resourceType}/${scope.compartment.id}/${scope.resourceType ?? '*'}'`);
    }
  }
  const params = searchParams(req);
  const types = scope.resourceType ? [scope.resourceType] : [];
  const { query, warnings, used } = parseSearchParams(deps.registry, types, params, {
    strict: preferStrict(req), defaultCount: deps.limits.defaultCount, maxCount: deps.limits.maxCount,
  });
  if (scope.compartment) query.compartment = scope.compartment;
  // Across all types (system or compartment `*` without _type), the audit trail stays out: it is found by naming it.
  if (query.resourceTypes.length === 0) query.excludeTypes = [...UNLISTED_TYPES];
  // _summary=count: the total only, no entries (search.html#summary); an explicit _total=estimate is honoured.
  const countOnly = params.some(([k, v]) => k === '_summary' && v === 'count');
  if (countOnly) {
    query.count = 0;
    if (query.total !== 'estimate') query.total = 'accurate';
  }
  const result = await exec.reader.search(req.ctx, query);

  const path = scope.compartment
    ? `${scope.compartment.resourceType}/${scope.compartment.id}/${scope.resourceType ?? '*'}`
    : scope.resourceType ?? '';
  // Links carry only the parameters that were applied (search.html#self): ignored ones are dropped.
  const urls = pageUrls(req, path, used.filter(([k]) => !LINK_DROP.has(k)));
  const link = (cursor?: string): string => urls(cursor ? [['_cursor', cursor]] : []);
  const current = params.find(([k]) => k === '_cursor')?.[1];
  const entry: BundleEntry<Resource>[] = [
    ...result.matches.map((r, i) => entryFor(req, r, 'match', result.containers?.[i])),
    ...result.includes.map((r) => entryFor(req, r, 'include')),
  ];
  if (warnings.length) entry.push({ resource: operationOutcome(warnings), search: { mode: 'outcome' } });
  const bundle = pageBundle(deps, 'searchset', result.total, countOnly ? [{ relation: 'self', url: link() }] : [
    { relation: 'self', url: link(current) },
    { relation: 'first', url: link() },
    ...(result.prevCursor ? [{ relation: 'previous', url: link(result.prevCursor) }] : []),
    ...(result.nextCursor ? [{ relation: 'next', url: link(result.nextCursor) }] : []),
  ], entry);
  return { status: 200, headers: {}, body: bundle };
}

/** A contained match (`_containedType=contained`) has no URL of its own: its container's, with `#id`. */
function entryFor(req: FhirRequest, resource: Resource, mode: 'match' | 'include', container?: string): BundleEntry<Resource> {
  const fullUrl = container ? `${req.baseUrl}/${container}#${resource.id ?? ''}` : `${req.baseUrl}/${resource.resourceType}/${resource.id ?? ''}`;
  return { fullUrl, resource, search: { mode } };
}

/** Query parameters, plus the form body of POST _search (both count). */
function searchParams(req: FhirRequest): [string, string][] {
  const params = [...req.query];
  if (req.method === 'POST' && typeof req.body === 'string') {
    for (const [k, v] of new URLSearchParams(req.body)) params.push([k, v]);
  }
  return params;
}
