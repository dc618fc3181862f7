/** Row shapes read from the resource tables and their mapping to StoredResource. */
import type { Resource } from 'fhir/r4';
import type { StoredResource } from './types';

export interface ContentRow {
  id: string;
  res_type: string;
  version: number;
  last_updated: Date;
  deleted: boolean;
  content: Resource | null;
}

export function toStored(row: ContentRow): StoredResource {
  return {
    resourceType: row.res_type,
    id: row.id,
    versionId: Number(row.version),
    lastUpdated: new Date(row.last_updated),
    deleted: row.deleted,
    resource: row.content ?? undefined,
  };
}
