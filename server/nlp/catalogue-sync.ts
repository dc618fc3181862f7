/**
 * Writes the catalogue resources (catalogue-resources.ts) through the store at start-up, in one
 * transaction: each under its stable id, and only when its content changed, so a restart with
 * unchanged mappings/ creates no new versions. Replicas starting together serialise on a lock.
 */
import type { Resource } from 'fhir/r4';
import { systemContext } from '../core/access-context';
import type { ResourceStore } from '../store/types';
import type { CatalogueResource } from './catalogue-resources';

/** JSON with keys sorted, so equal content compares equal whatever the key order. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

const withoutMeta = (r: Resource): unknown => ({ ...r, meta: undefined });

export interface SyncResult {
  /** `Type/id` of each resource written (created or updated). */
  written: string[];
}

/**
 * Brings the stored catalogue up to date (no write hook reacts to terminology resources today);
 * `seeds` are only created when missing (or deleted), never overwritten: they are the hospital's to edit.
 */
export async function syncCatalogue(store: ResourceStore, resources: CatalogueResource[], seeds: CatalogueResource[] = []): Promise<SyncResult> {
  const ctx = systemContext('terminology-sync');
  return store.transaction(async (tx) => {
    await tx.lock('twinfhir:catalogue-sync');
    const written: string[] = [];
    for (const r of seeds) {
      const current = await tx.read(ctx, r.resourceType, r.id);
      if (current?.resource && !current.deleted) continue;
      await tx.update(ctx, r);
      written.push(`${r.resourceType}/${r.id}`);
    }
    for (const r of resources) {
      const current = await tx.read(ctx, r.resourceType, r.id);
      if (current?.resource && !current.deleted && canonical(withoutMeta(current.resource)) === canonical(withoutMeta(r))) continue;
      await tx.update(ctx, r);
      written.push(`${r.resourceType}/${r.id}`);
    }
    return { written };
  });
}
