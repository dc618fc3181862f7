/**
 * The live subscriptions (status requested, active or error), held in memory so a write with no
 * subscription to match costs nothing. A Subscription committed by this process is applied at once; other
 * servers' changes are picked up when the catalogue version (bumped in every Subscription write) moves.
 */
import type { Subscription } from 'fhir/r4';
import { systemContext } from '../core/access-context';
import type { Logger } from '../core/logger';
import { parseSearchParams } from '../search/parse';
import type { SearchRegistry } from '../search/registry';
import type { ResourceStore, SubscriptionAccess } from '../store/types';
import type { EndpointPolicy } from './endpoint-policy';
import { type ParsedSubscription, parseSubscription } from './subscription-spec';

export interface LiveSubscription {
  spec: ParsedSubscription;
  access: SubscriptionAccess;
}

const LIVE = new Set(['requested', 'active', 'error']);
const PAGE = 500;

export interface SubscriptionCatalogue {
  /** The live subscriptions as last loaded (synchronous: write hooks must not leave their transaction). */
  live(): readonly LiveSubscription[];
  /** Applies a committed Subscription write of this process now. */
  apply(id: string, spec: ParsedSubscription | undefined, access: SubscriptionAccess | undefined): void;
  /** Loads everything (at start) and then follows the catalogue version every `refreshMs`. */
  start(store: ResourceStore): Promise<void>;
  close(): void;
}

export function createSubscriptionCatalogue(d: { registry: SearchRegistry; policy: EndpointPolicy; logger: Logger; refreshMs: number }): SubscriptionCatalogue {
  let subs = new Map<string, LiveSubscription>();
  let list: readonly LiveSubscription[] = [];
  let version = '';
  let timer: NodeJS.Timeout | undefined;
  const publish = (): void => { list = [...subs.values()]; };

  async function load(store: ResourceStore): Promise<void> {
    const seen = await store.subscriptionLog.catalogueVersion();
    const next = new Map<string, LiveSubscription>();
    const ctx = systemContext('subscription-catalogue');
    let cursor: string | undefined;
    do {
      const { query } = parseSearchParams(d.registry, ['Subscription'], [['status', 'requested,active,error'], ['_count', String(PAGE)]], { maxCount: PAGE });
      const page = await store.search(ctx, { ...query, ...(cursor ? { cursor } : {}) });
      for (const r of page.matches as (Subscription & { id: string })[]) {
        const state = await store.subscriptionLog.state(r.id);
        try {
          if (state) next.set(r.id, { spec: parseSubscription(d.registry, d.policy, r), access: state.access });
        } catch (err) {
          // Stored before a rule tightened (e.g. an endpoint now refused): it stays in the store but gets no events.
          d.logger.warn({ subscription: r.id, reason: err instanceof Error ? err.message : String(err) }, 'subscription ignored: no longer valid');
        }
      }
      cursor = page.nextCursor;
    } while (cursor);
    subs = next;
    version = seen;
    publish();
  }

  return {
    live: () => list,
    apply(id, spec, access) {
      const old = subs.get(id);
      if (spec && LIVE.has(spec.status) && (access ?? old?.access)) subs.set(id, { spec, access: (access ?? old?.access) as SubscriptionAccess });
      else subs.delete(id);
      publish();
    },
    async start(store) {
      await load(store);
      const tick = (): void => {
        store.subscriptionLog.catalogueVersion()
          .then((v) => (v === version ? undefined : load(store)))
          .catch((err: unknown) => d.logger.warn({ err }, 'reloading the subscription catalogue failed; will retry'))
          .finally(() => { if (timer) timer = setTimeout(tick, d.refreshMs).unref(); });
      };
      timer = setTimeout(tick, d.refreshMs).unref();
    },
    close() {
      const t = timer;
      timer = undefined;
      if (t) clearTimeout(t);
    },
  };
}
