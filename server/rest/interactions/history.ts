/** history at instance, type and system level — https://hl7.org/fhir/R4/http.html#history */
import { UNLISTED_TYPES } from '../audit-read-guard';
import type { BundleEntry, Resource } from 'fhir/r4';
import { badRequest, notFound } from '../../core/fhir-error';
import type { HistoryPage } from '../../store/types';
import type { Exec, RestDeps } from '../deps';
import { etag } from '../headers';
import { pageBundle, pageUrls } from '../page-bundle';
import { checkId, checkType } from '../resource-body';
import type { FhirRequest, FhirResponse } from '../types';

export type HistoryDeps = Pick<RestDeps, 'validator' | 'ids' | 'clock' | 'limits'>;

function parseInstant(value: string, name: string): Date {
  // FHIR instant/dateTime; a date alone means its start.
  if (!/^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/.test(value)) {
    throw badRequest(`Invalid ${name} '${value.slice(0, 40)}': expected a FHIR instant such as 2024-01-31T12:00:00Z`, [name]);
  }
  const d = new Date(value.length === 4 ? `${value}-01-01T00:00:00Z` : value.length === 7 ? `${value}-01T00:00:00Z` : value);
  if (Number.isNaN(d.getTime())) throw badRequest(`Invalid ${name} '${value.slice(0, 40)}'`, [name]);
  return d;
}

function param(req: FhirRequest, name: string): string | undefined {
  return req.query.find(([k]) => k === name)?.[1];
}

function entryOf(req: FhirRequest, e: HistoryPage['entries'][number]): BundleEntry<Resource> {
  const url = `${e.resourceType}/${e.id}`;
  const method = e.method === 'create' ? 'POST' : e.method === 'update' ? 'PUT' : 'DELETE';
  return {
    fullUrl: `${req.baseUrl}/${url}`,
    ...(e.resource ? { resource: e.resource } : {}),
    request: { method, url: e.method === 'create' ? e.resourceType : url },
    response: {
      status: e.method === 'create' ? '201 Created' : e.method === 'delete' ? '204 No Content' : '200 OK',
      etag: etag(e.versionId),
      lastModified: e.lastUpdated.toISOString(),
    },
  };
}

export async function historyInteraction(deps: HistoryDeps, req: FhirRequest, exec: Exec, type?: string, id?: string): Promise<FhirResponse> {
  if (type) checkType(deps, type);
  if (id) checkId(id);
  const countRaw = param(req, '_count');
  if (countRaw !== undefined && !/^\d{1,6}$/.test(countRaw)) throw badRequest(`Invalid _count '${countRaw.slice(0, 20)}'`, ['_count']);
  const count = Math.min(countRaw === undefined ? deps.limits.defaultCount : Number(countRaw), deps.limits.maxCount);
  const since = param(req, '_since');
  const at = param(req, '_at');
  const cursor = param(req, '_page');
  const page = await exec.reader.history(req.ctx, {
    resourceType: type, id, count: Math.max(count, 1), cursor,
    // the system history is the record's history; the audit trail is read as AuditEvent/_history
    ...(type ? {} : { excludeTypes: [...UNLISTED_TYPES] }),
    since: since ? parseInstant(since, '_since') : undefined,
    before: at ? parseInstant(at, '_at') : undefined,
  });
  // Every resource has a first version: an unfiltered instance history with none is of a resource that is
  // unknown — or not visible to this token (row restriction), which must answer the same.
  if (type && id && !cursor && !since && !at && page.entries.length === 0) throw notFound(`${type}/${id} is not known`);
  const path = [type, id, '_history'].filter(Boolean).join('/');
  const link = pageUrls(req, path, req.query.filter(([k]) => !['_page', '_format', '_pretty'].includes(k)));
  const bundle = pageBundle(deps, 'history', page.total, [
    { relation: 'self', url: link(cursor ? [['_page', cursor]] : []) },
    { relation: 'first', url: link() },
    ...(page.nextCursor ? [{ relation: 'next', url: link([['_page', page.nextCursor]]) }] : []),
  ], count === 0 ? [] : page.entries.map((e) => entryOf(req, e)));
  return { status: 200, headers: {}, body: bundle };
}
