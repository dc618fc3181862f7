/**
 * search-index/ owns keeping the search index in step with its definitions: custom SearchParameters (this
 * file) and $reindex jobs (reindex-queue.ts); the index SQL itself is the store's.
 *
 * Custom search parameters: SearchParameter resources written through the API (any path, bundles
 * included) are checked inside the write's transaction (400 if they could not be indexed as
 * written) and applied to the registry only once that transaction commits; new writes are then
 * indexed with them at once. Stored ones are loaded at start, and every server re-reads them when
 * another server changed them (a cheap version poll), so replicas agree.
 * https://hl7.org/fhir/R4/searchparameter.html
 */
import type { Logger } from '../core/logger';
import type { SearchParameter } from 'fhir/r4';
import type { SearchRegistry } from '../search/registry';
import type { ResourceStore, WriteHook } from '../store/types';

export interface SearchParameterSync {
  /** Re-reads the stored SearchParameters if any server changed them since the last read. */
  refresh(): Promise<void>;
  /** Stops the poll. */
  close(): Promise<void>;
}

export interface SearchParameterSyncOptions {
  store: ResourceStore;
  registry: SearchRegistry;
  logger: Logger;
  /** How often to look for changes made by other servers (ms); 0 disables the poll. */
  pollMs?: number;
}

const keyOf = (id: string): string => `SearchParameter/${id}`;

/**
 * The write hook (register it with the store): checks a SearchParameter in the writing transaction (a 400
 * rolls the write back) and changes the registry only once that transaction has committed.
 */
export function searchParameterHook(registry: SearchRegistry): WriteHook {
  return async (tx, _ctx, change) => {
    if (change.resourceType !== 'SearchParameter') return;
    const key = keyOf(change.id);
    if (change.kind === 'delete') {
      tx.onCommit(() => registry.removeCustom(key));
      return;
    }
    const sp = change.stored.resource as SearchParameter | undefined;
    if (!sp) return;
    registry.checkCustom(sp);
    tx.onCommit(() => registry.putCustom(key, sp));
  };
}

/** Loads the stored SearchParameters into the registry and keeps it in step with later writes. */
export async function startSearchParameterSync(opts: SearchParameterSyncOptions): Promise<SearchParameterSync> {
  const { store, registry, logger } = opts;
  let seen = '';
  let inFlight: Promise<void> | undefined;
  // Re-reads everything when the version moved: local writes also move it, which is harmless.
  const reload = async (): Promise<void> => {
    const version = await store.searchIndex.searchParameterVersion();
    if (version === seen) return;
    const stored = await store.searchIndex.listSearchParameters();
    const skipped = registry.syncCustom(stored.map((sp) => ({ key: keyOf(sp.id), resource: sp })));
    for (const s of skipped) logger.warn({ searchParameter: s.key, error: s.error }, 'stored SearchParameter not registered');
    seen = version;
  };
  const refresh = (): Promise<void> => {
    inFlight ??= reload().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };
  await refresh();
  const pollMs = opts.pollMs ?? 5_000;
  const timer = pollMs > 0
    ? setInterval(() => {
      refresh().catch((err: unknown) => logger.warn({ err }, 'could not re-read stored SearchParameters'));
    }, pollMs)
    : undefined;
  timer?.unref();
  return {
    refresh,
    async close() {
      if (timer) clearInterval(timer);
      await inFlight?.catch(() => undefined);
    },
  };
}
