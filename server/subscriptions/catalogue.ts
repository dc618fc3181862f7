/**
 * The live subscriptions (status requested, active or error), held in memory. The write path asks only
 * whether any of them covers a resource type (a write no topic can match records nothing); the fan-out asks
 * for them `fresh` per batch (one version query, a reload when it moved), so matching never uses a stale
 * list. A Subscription committed by this process is applied at once; other servers' changes are picked up
 * when the catalogue version (bumped in every Subscription write) moves: at the next fan-out batch, or on
 * the `refreshMs` timer for the write path's type check.
 */
import type { Subscription } from 'fhir/r4';
import { systemContext } from '../core/access-context';
import type { Logger } from '../core/logger';
import { parseSearchParams } from '../search/parse';
import type { SearchRegistry } from '../search/registry';
import type { ResourceStore, SubscriptionAccess } from '../store/types';
import type { EndpointPolicy } from './endpoint-policy';
import { type ParsedSubscription, parseSubscription } from './subscription-spec';
import { triggersFor } from './topic-criteria';

export interface LiveSubscription {
  spec: ParsedSubscription;
  access: SubscriptionAccess;
}

const LIVE = new Set(['requested', 'active', 'error']);
const PAGE = 500;

export interface SubscriptionCatalogue {
  /** The live subscriptions as last loaded (synchronous: write hooks must not leave their transaction). */
  live(): readonly LiveSubscription[];
  /** Whether any live subscription's topic can fire on a write of this type (cheap: cached per type). */
  coversType(resourceType: string): boolean;
  /** The live subscriptions as of now: reloaded first when the stored catalogue version moved. */
  fresh(store: ResourceStore): Promise<readonly LiveSubscription[]>;
  /**
   * The live subscriptions as last loaded and the stored catalogue version they are at least as new as: a caller
   * that reads the stored version anyway (the fan-out, with its lock) compares it instead of asking `fresh`.
   */
  loaded(): { list: readonly LiveSubscription[]; version: string };
  /** Applies a committed Subscription write of this process now. */
  apply(id: string, spec: ParsedSubscription | undefined, access: SubscriptionAccess | undefined): void;
  /** Loads everything (at start) and then follows the catalogue version every `refreshMs`. */
  start(store: ResourceStore): Promise<void>;
  close(): void;
}

// Per published list (a new array on every change): which types its topics cover, decided once per type.
const coverage = new WeakMap<readonly LiveSubscription[], Map<string, boolean>>();

function covers(list: readonly LiveSubscription[], type: string): boolean {
  let byType = coverage.get(list);
  if (!byType) coverage.set(list, (byType = new Map<string, boolean>()));
  let c = byType.get(type);
  if (c === undefined) byType.set(type, (c = list.some((s) => triggersFor(s.spec.topic, type).length > 0)));
  return c;
}

export function createSubscriptionCatalogue(d: { registry: SearchRegistry; policy: EndpointPolicy; logger: Logger; refreshMs: number }): SubscriptionCatalogue {
  let subs = new Map<string, LiveSubscription>();
  let list: readonly LiveSubscription[] = [];
  let version = '';
  let timer: NodeJS.Timeout | undefined;
  // Commits applied while a load runs: the load's snapshot may predate them, so they are replayed on top of it.
  let appliedDuringLoad: Map<string, { spec: ParsedSubscription | undefined; access: SubscriptionAccess | undefined }> | undefined;
  let loading: Promise<void> | undefined;
  const publish = (): void => { list = [...subs.values()]; };

  function applyTo(map: Map<string, LiveSubscription>, id: string, spec: ParsedSubscription | undefined, access: SubscriptionAccess | undefined): void {
    const known = access ?? map.get(id)?.access;
    if (!spec || !LIVE.has(spec.status)) map.delete(id);
    else if (known) map.set(id, { spec, access: known });
    // Live, but its author's access is not known here (a status change by delivery of a subscription this
    // process has not loaded yet): keep what is there and reload from the store on the next tick.
    else version = '';
  }

  async function load(store: ResourceStore): Promise<void> {
    const during = new Map<string, { spec: ParsedSubscription | undefined; access: SubscriptionAccess | undefined }>();
    appliedDuringLoad = during;
    try {
      await loadInto(store, during);
    } finally {
      appliedDuringLoad = undefined;
    }
  }

  async function loadInto(store: ResourceStore, during: NonNullable<typeof appliedDuringLoad>): Promise<void> {
    const { seen, next } = await readLive(store, d);
    subs = next;
    version = seen;
    for (const [id, a] of during) applyTo(subs, id, a.spec, a.access);
    publish();
  }

  // One load at a time (the timer and the fan-out both reload); a caller that needs a newer one waits and asks again.
  const reload = (store: ResourceStore): Promise<void> => (loading ??= load(store).finally(() => { loading = undefined; }));

  return {
    live: () => list, loaded: () => ({ list, version }),
    coversType: (type) => covers(list, type),
    async fresh(store) {
      const stored = await store.subscriptionLog.catalogueVersion();
      // A load under way may have read the version before `stored`: then one more.
      for (let i = 0; i < 2 && version !== stored; i++) await reload(store);
      return list;
    },
    apply(id, spec, access) {
      appliedDuringLoad?.set(id, { spec, access });
      applyTo(subs, id, spec, access);
      publish();
    },
    async start(store) {
      await reload(store);
      const tick = (): void => {
        store.subscriptionLog.catalogueVersion()
          .then((v) => (v === version ? undefined : reload(store)))
          .catch((err: unknown) => d.logger.warn({ err }, 'reloading the subscription catalogue failed; will retry'))
          .finally(() => { if (timer) timer = setTimeout(tick, d.refreshMs).unref(); });
      };
      timer = setTimeout(tick, d.refreshMs).unref();
    },
    close() {
      clearTimeout(timer);
      timer = undefined;
    },
  };
}

/** Every live Subscription in the store with its author's access, and the catalogue version read before them. */
async function readLive(
  store: ResourceStore, d: { registry: SearchRegistry; policy: EndpointPolicy; logger: Logger },
): Promise<{ seen: string; next: Map<string, LiveSubscription> }> {
  const seen = await store.subscriptionLog.catalogueVersion();
  const next = new Map<string, LiveSubscription>();
  const ctx = systemContext('subscription-catalogue');
  let cursor: string | undefined;
  do {
    const { query } = parseSearchParams(d.registry, ['Subscription'], [['status', 'requested,active,error'], ['_count', String(PAGE)]], { maxCount: PAGE });
    const page = await store.search(ctx, { ...query, ...(cursor ? { cursor } : {}) });
    const matches = page.matches as (Subscription & { id: string })[];
    // One statement per page, not one per subscription: a reload under write load (the fan-out's, when the
    // catalogue moved) waited for a pool connection per subscription, and delivery stalled meanwhile.
    const access = await store.subscriptionLog.accessOf(matches.map((r) => r.id));
    for (const r of matches) {
      const known = access.get(r.id);
      try {
        if (known) next.set(r.id, { spec: parseSubscription(d.registry, d.policy, r), access: known });
      } catch (err) {
        // Stored before a rule tightened (e.g. an endpoint now refused): it stays in the store but gets no events.
        d.logger.warn({ subscription: r.id, reason: err instanceof Error ? err.message : String(err) }, 'subscription ignored: no longer valid');
      }
    }
    cursor = page.nextCursor;
  } while (cursor);
  return { seen, next };
}
