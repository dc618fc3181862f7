/**
 * Writes the catalogue resources (catalogue-resources.ts) through the store at start-up, in one
 * transaction: each under its stable id, and only when its content changed, so a restart with
 * unchanged mappings/ creates no new versions. What was added through the API to the resources the
 * NLP engine reads is kept (catalogue-merge.ts). Replicas starting together serialise on a lock.
 */
import type { Resource } from 'fhir/r4';
import { systemContext } from '../core/access-context';
import type { ResourceStore } from '../store/types';
import { ENGINE_CATALOGUE } from './catalogue-engine';
import { canonical, withStoredAdditions } from './catalogue-merge';
import type { CatalogueResource } from './catalogue-resources';

/** The resources a hospital extends through the API (the ones the NLP engine reads). */
const EXTENSIBLE: ReadonlySet<string> = new Set([
  `CodeSystem/${ENGINE_CATALOGUE.codeSystem}`, `ConceptMap/${ENGINE_CATALOGUE.snomedToIcd}`, `ConceptMap/${ENGINE_CATALOGUE.conceptToLoinc}`,
]);


const withoutMeta = (r: Resource): unknown => ({ ...r, meta: undefined });

export interface SyncResult {
  /** `Type/id` of each resource written (created or updated). */
  written: string[];
}

/**
 * Brings the stored catalogue up to date (the catalogue hook validates each write and refreshes the NLP engine);
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
    for (const seed of resources) {
      const current = await tx.read(ctx, seed.resourceType, seed.id);
      const r = withStoredAdditions(seed, current && !current.deleted ? current.resource : undefined, EXTENSIBLE);
      if (current?.resource && !current.deleted && canonical(withoutMeta(current.resource)) === canonical(withoutMeta(r))) continue;
      await tx.update(ctx, r);
      written.push(`${r.resourceType}/${r.id}`);
    }
    return { written };
  });
}
