/** Row shapes read from the resource tables and their mapping to StoredResource. */
import type { Resource } from 'fhir/r4';
import type { StoredResource } from './types';

export interface ContentRow {
  id: string;
  res_type: string;
  version: number;
  last_updated: Date;
  deleted: boolean;
  /** jsonb as text (hot read paths, passed through untouched) or already parsed. */
  content: string | Resource | null;
}

export function toStored(row: ContentRow): StoredResource {
  const base = { resourceType: row.res_type, id: row.id, versionId: Number(row.version), lastUpdated: new Date(row.last_updated), deleted: row.deleted };
  if (typeof row.content !== 'string') return { ...base, resource: row.content ?? undefined };
  // Parsed only if someone looks: a plain read sends the stored text as it is.
  const json = row.content;
  let parsed: Resource | undefined;
  return Object.defineProperty({ ...base, json }, 'resource', {
    enumerable: true,
    get: () => (parsed ??= JSON.parse(json) as Resource),
  });
}
