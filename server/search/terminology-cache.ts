/**
 * A bounded cache of CodeSystem indexes keyed by the stored version (`CodeSystem/id/versionId`):
 * a write makes a new versionId, so a stale index is never used — on any server process — and old
 * entries simply age out of the LRU. Pure; one instance per store, made by the composition root.
 */
import { LRUCache } from 'lru-cache';
import { indexCodeSystem, indexWeight, type CodeSystemIndex } from './terminology-index';
import type { CodeSystem } from 'fhir/r4';

export interface TerminologyCache {
  /** The index of a stored version: cached, or built from `load()` (which reads the content). */
  index(stamp: string, load: () => Promise<CodeSystem | undefined>): Promise<CodeSystemIndex | undefined>;
  /** Number of cached indexes (metrics, tests). */
  readonly size: number;
}

/** `maxWeight` bounds the concepts+edges held over all cached versions. */
export function createTerminologyCache(maxWeight = 500_000): TerminologyCache {
  const lru = new LRUCache<string, CodeSystemIndex>({ maxSize: maxWeight, sizeCalculation: (v) => Math.min(indexWeight(v), maxWeight) });
  const pending = new Map<string, Promise<CodeSystemIndex | undefined>>();
  return {
    get size() {
      return lru.size;
    },
    async index(stamp, load) {
      const hit = lru.get(stamp);
      if (hit) return hit;
      // One build per version even when many requests miss at once.
      let p = pending.get(stamp);
      if (!p) {
        p = load().then((cs) => {
          const idx = cs ? indexCodeSystem(cs, stamp) : undefined;
          if (idx) lru.set(stamp, idx);
          return idx;
        }).finally(() => pending.delete(stamp));
        pending.set(stamp, p);
      }
      return p;
    },
  };
}
