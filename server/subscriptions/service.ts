/**
 * Subscriptions assembled once by the composition root: the write hook (registered before the store
 * opens), then — once the store is open — the catalogue of live subscriptions, the fan-out and rest-hook
 * delivery queues for the job runner and the websocket hub.
 */
import type { Clock, IdGenerator } from '../core/clock';
import type { Logger } from '../core/logger';
import type { QueueHandler } from '../jobs/types';
import type { SearchRegistry } from '../search/registry';
import type { ResourceStore, WriteHook } from '../store/types';
import { createSubscriptionCatalogue, type SubscriptionCatalogue } from './catalogue';
import { BATCH_QUEUE, batchDeliveryQueue, batchJob } from './batch-delivery';
import { type DeliverySettings, subscriptionDeliveryQueue } from './delivery-queue';
import type { EndpointPolicy } from './endpoint-policy';
import { SUBSCRIPTION_QUEUE, subscriptionHook } from './event-hook';
import { createFanout, FANOUT_QUEUE, type Fanout, type FanoutSettings } from './fanout';
import { checkTopicCriteria } from './topic-criteria';
import { TOPICS } from './topics';
import { createWsHub, type WsHub } from './ws-hub';

export interface SubscriptionSettings {
  policy: EndpointPolicy;
  delivery: DeliverySettings;
  fanout: FanoutSettings;
  /** How often every server re-checks the catalogue version (for the write path's type check) and websocket event counters. */
  refreshMs: number;
  /** Lifetime of a websocket binding token. */
  bindingTokenMs: number;
}

export interface SubscriptionServices {
  readonly hook: WriteHook;
  readonly registry: SearchRegistry;
  readonly settings: SubscriptionSettings;
  readonly catalogue: SubscriptionCatalogue;
  /** Starts following the store; returns the fan-out and delivery queues for the job runner. */
  start(d: { store: ResourceStore; clock: Clock; ids: IdGenerator; logger: Logger; baseUrl: string; secret: string; wake: (queue: string) => void }): Promise<QueueHandler[]>;
  /** The websocket hub (after start). */
  ws(): WsHub;
  close(): Promise<void>;
}

export const WS_PATH = '/fhir/ws';

export function createSubscriptionServices(registry: SearchRegistry, settings: SubscriptionSettings, logger: Logger): SubscriptionServices {
  checkTopicCriteria(registry, TOPICS);
  const catalogue = createSubscriptionCatalogue({ registry, policy: settings.policy, logger, refreshMs: settings.refreshMs });
  const late: { wake?: (queue: string) => void; hub?: WsHub; fanout?: Fanout } = {};
  const eventsFor = (ids: string[]): void => { late.wake?.(SUBSCRIPTION_QUEUE); late.hub?.notify(ids); };
  // A fan-out's events are due for delivery a coalescing window later: one wake then serves every fan-out of
  // the window (waking at once would only find nothing due, a claim and a look-up per fan-out). Subscriptions on
  // their own job (handshake owed, failing) already have one waiting; their queue's poll finds the rest.
  let batchWake: NodeJS.Timeout | undefined;
  const fannedOut = (ids: string[]): void => {
    late.hub?.notify(ids);
    if (batchWake) return;
    batchWake = setTimeout(() => { batchWake = undefined; late.wake?.(BATCH_QUEUE); }, settings.fanout.coalesceMs);
    batchWake.unref();
  };
  const hook = subscriptionHook({
    registry, policy: settings.policy, catalogue,
    onCommitted: eventsFor,
    onOutboxFilled: () => late.fanout?.request(),
  });
  return {
    hook, registry, settings, catalogue,
    async start(d) {
      await catalogue.start(d.store);
      late.wake = d.wake;
      late.hub = createWsHub({ store: d.store, catalogue, secret: d.secret, clock: d.clock, ids: d.ids, logger: d.logger, baseUrl: d.baseUrl, path: WS_PATH, pollMs: settings.refreshMs });
      const fanout = (late.fanout = createFanout({
        store: d.store, catalogue, registry, logger: d.logger, clock: d.clock, onEvents: fannedOut, wake: () => d.wake(FANOUT_QUEUE),
      }, settings.fanout));
      const deliveryDeps = { store: d.store, catalogue, registry, policy: settings.policy, clock: d.clock, ids: d.ids, logger: d.logger, baseUrl: d.baseUrl };
      // Rows left in the outbox by a stop or crash are fanned out at once, and events left undelivered go in a first pass.
      await fanout.start();
      if (settings.delivery.workers > 0) await d.store.transaction((tx) => tx.enqueueJob(batchJob()));
      return [fanout.queue(), subscriptionDeliveryQueue(deliveryDeps, settings.delivery), batchDeliveryQueue(deliveryDeps, settings.delivery)];
    },
    ws() {
      if (!late.hub) throw new Error('subscriptions not started');
      return late.hub;
    },
    async close() {
      clearTimeout(batchWake);
      catalogue.close();
      await late.hub?.close();
    },
  };
}

export { SUBSCRIPTION_QUEUE };
