/**
 * Subscription delivery settings (event retention, pruning, coalescing), kept out of config.ts (at its size
 * limit) and merged into its one schema, so these variables are checked and named in errors like every other.
 */
import { z } from 'zod';

/** Longest coalescing window: beyond a minute a notification stops being one. */
export const MAX_COALESCE_MS = 60_000;

const msg = `must be an integer from 0 to ${MAX_COALESCE_MS}`;
const blank = (v: unknown): unknown => (v === '' ? undefined : v);

/** As config.ts's int(): an integer of at least `min`, `dflt` when unset or empty. */
function int(dflt: number, min: number) {
  const m = `must be an integer >= ${min}`;
  return z.preprocess(blank, z.coerce.number({ error: m }).int({ error: m }).min(min, { error: m }).default(dflt));
}

export const SUBSCRIPTION_DELIVERY_ENV = {
  SUBSCRIPTION_EVENT_RETENTION_MS: int(7 * 24 * 3_600_000, 0),
  SUBSCRIPTION_PRUNE_INTERVAL_MS: int(600_000, 100),
  SUBSCRIPTION_COALESCE_MS: z.preprocess(blank,
    z.coerce.number({ error: msg }).int({ error: msg }).min(0, { error: msg }).max(MAX_COALESCE_MS, { error: msg }).default(100)),
};

export interface SubscriptionDeliveryTuning {
  /**
   * How long an event may wait to be gathered with others (0: not at all): half in the fan-out (writes share a
   * run), half in rest-hook delivery (a subscription's events share a notification). A backlog goes at once.
   */
  coalesceMs: number;
}

export const subscriptionDeliveryTuning = (e: { SUBSCRIPTION_COALESCE_MS: number }): SubscriptionDeliveryTuning => ({ coalesceMs: e.SUBSCRIPTION_COALESCE_MS });
