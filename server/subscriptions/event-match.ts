/**
 * Which live subscriptions one outbox entry raises an event for: the topic's triggers (with the previous
 * version when a trigger compares), the subscriber's filters and the author's read access — judged on the
 * stored version the entry names (history is immutable, so the answer does not depend on when the fan-out
 * runs). Filters that the version's own index values cannot decide run as a search, which sees the
 * resource's current version: exact unless the resource changed again before the fan-out reached it.
 */
import type { Resource } from 'fhir/r4';
import { systemContext } from '../core/access-context';
import type { SearchRegistry } from '../search/registry';
import type { OutboxEntry, StoreWriter } from '../store/types';
import type { LiveSubscription } from './catalogue';
import { WriteMatcher } from './event-filter';
import { triggerFires, triggersFor } from './topic-criteria';

const previousCtx = systemContext('subscription-match');

export async function matchingSubscriptions(
  tx: StoreWriter, registry: SearchRegistry, entry: OutboxEntry, live: readonly LiveSubscription[],
): Promise<LiveSubscription[]> {
  const current = entry.stored?.resource as (Resource & { id: string }) | undefined;
  if (!current || entry.stored?.deleted || entry.action === 'delete') return [];
  let previous: Promise<Resource | undefined> | undefined;
  const previousVersion = (): Promise<Resource | undefined> => (previous ??= entry.action === 'update' && entry.focusVersion > 1
    ? tx.vread(previousCtx, entry.focusType, entry.focusId, entry.focusVersion - 1).then((s) => (s?.deleted ? undefined : s?.resource))
    : Promise.resolve(undefined));
  const matcher = new WriteMatcher(tx, registry, current);
  const out: LiveSubscription[] = [];
  for (const s of live) {
    if (s.spec.end && s.spec.end < entry.occurredAt) continue;
    const triggers = triggersFor(s.spec.topic, entry.focusType);
    if (triggers.length === 0) continue;
    const prev = triggers.some((t) => t.previous) ? await previousVersion() : undefined;
    if (!triggers.some((t) => triggerFires(registry, t, entry.action, current, prev))) continue;
    // Decided from the index values at once in the common case: no promise per subscription and write.
    const passes = matcher.passesFiltersNow(s.spec.filters) ?? await matcher.passesFilters(s.spec.filters);
    if (!passes) continue;
    if (!s.access.authDisabled && !(await matcher.mayRead(s.access))) continue;
    out.push(s);
  }
  return out;
}
