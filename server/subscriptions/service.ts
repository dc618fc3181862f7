/**
 * Subscriptions assembled once by the composition root: the write hook (registered before the store
 * opens), then — once the store is open — the catalogue of live subscriptions, the rest-hook delivery
 * queue for the job runner and the websocket hub.
 */
import type { Clock, IdGenerator } from '../core/clock';
import type { Logger } from '../core/logger';
import type { QueueHandler } from '../jobs/types';
import type { SearchRegistry } from '../search/registry';
import type { ResourceStore, WriteHook } from '../store/types';
import { createSubscriptionCatalogue, type SubscriptionCatalogue } from './catalogue';
import { type DeliverySettings, subscriptionDeliveryQueue } from './delivery-queue';
import type { EndpointPolicy } from './endpoint-policy';
import { SUBSCRIPTION_QUEUE, subscriptionHook } from './event-hook';
import { checkTopicCriteria } from './topic-criteria';
import { TOPICS } from './topics';
import { createWsHub, type WsHub } from './ws-hub';

export interface SubscriptionSettings {
  policy: EndpointPolicy;
  delivery: DeliverySettings;
  /** How often every server re-checks the catalogue version and websocket event counters. */
  refreshMs: number;
  /** Lifetime of a websocket binding token. */
  bindingTokenMs: number;
}

export interface SubscriptionServices {
  readonly hook: WriteHook;
  readonly registry: SearchRegistry;
  readonly settings: SubscriptionSettings;
  readonly catalogue: SubscriptionCatalogue;
  /** Starts following the store; returns the delivery queue for the job runner. */
  start(d: { store: ResourceStore; clock: Clock; ids: IdGenerator; logger: Logger; baseUrl: string; secret: string; wake: () => void }): Promise<QueueHandler>;
  /** The websocket hub (after start). */
  ws(): WsHub;
  close(): Promise<void>;
}

export const WS_PATH = '/fhir/ws';

export function createSubscriptionServices(registry: SearchRegistry, settings: SubscriptionSettings, logger: Logger): SubscriptionServices {
  checkTopicCriteria(registry, TOPICS);
  const catalogue = createSubscriptionCatalogue({ registry, policy: settings.policy, logger, refreshMs: settings.refreshMs });
  const late: { wake?: () => void; hub?: WsHub } = {};
  const hook = subscriptionHook({
    registry, policy: settings.policy, catalogue,
    onCommitted: (ids) => { late.wake?.(); late.hub?.notify(ids); },
  });
  return {
    hook, registry, settings, catalogue,
    async start(d) {
      await catalogue.start(d.store);
      late.wake = d.wake;
      late.hub = createWsHub({ store: d.store, catalogue, secret: d.secret, clock: d.clock, ids: d.ids, logger: d.logger, baseUrl: d.baseUrl, path: WS_PATH, pollMs: settings.refreshMs });
      return subscriptionDeliveryQueue({ store: d.store, catalogue, registry, policy: settings.policy, clock: d.clock, ids: d.ids, logger: d.logger, baseUrl: d.baseUrl }, settings.delivery);
    },
    ws() {
      if (!late.hub) throw new Error('subscriptions not started');
      return late.hub;
    },
    async close() {
      catalogue.close();
      await late.hub?.close();
    },
  };
}

export { SUBSCRIPTION_QUEUE };
