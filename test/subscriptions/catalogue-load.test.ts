/**
 * A catalogue load reads the authors' access of a page of Subscriptions in one statement, not one per
 * subscription (issue 15): the fan-out reloads when the catalogue moved, and under write load each of those
 * statements waited for a pool connection — delivery stalled for seconds (bench/subscriptions, latency phase).
 */
import type { Subscription } from 'fhir/r4';
import pino from 'pino';
import { systemContext } from '../../server/core/access-context';
import type { ResourceStore } from '../../server/store/types';
import { createSubscriptionCatalogue } from '../../server/subscriptions/catalogue';
import { type DriverKind, driversUnderTest } from '../support/databases';
import { type TestApp, startTestApp } from '../support/test-app';
import { TOPIC, subscription } from './helpers';

const ctx = systemContext('catalogue-load-test');

describe.each(driversUnderTest())('subscription catalogue load (%s)', (kind: DriverKind) => {
  let app: TestApp;
  beforeAll(async () => { app = await startTestApp(kind, { ROLE: 'server', AUDIT_ENABLED: 'false', SUBSCRIPTION_ALLOW_PRIVATE: 'true' }); });
  afterAll(async () => { await app.dispose(); });

  test('every live subscription with its author access, read in one statement per page', async () => {
    const ids = [0, 1, 2, 3, 4].map((i) => `cat-${kind}-${i}`);
    for (const id of ids) {
      const sub = subscription({ topic: TOPIC('resource-write'), filters: ['Observation?code=1-1'], endpoint: 'http://127.0.0.1:9/hook' }) as Subscription;
      await app.store.transaction((tx) => tx.create(ctx, { ...sub, id }));
    }
    const calls = { state: 0, accessOf: 0 };
    const log = app.store.subscriptionLog;
    const subscriptionLog = {
      ...log,
      state: (id: string) => { calls.state++; return log.state(id); },
      accessOf: (list: readonly string[]) => { calls.accessOf++; return log.accessOf(list); },
    };
    const store = Object.assign(Object.create(app.store) as ResourceStore, { subscriptionLog });
    const catalogue = createSubscriptionCatalogue({ registry: app.rest.registry, policy: { allowPrivate: true, allowedHosts: [] }, logger: pino({ level: 'silent' }), refreshMs: 60_000 });
    await catalogue.start(store);
    catalogue.close();
    const live = catalogue.live().filter((s) => ids.includes(s.spec.id));
    expect(live.map((s) => s.spec.id).sort()).toEqual([...ids].sort());
    expect(live.every((s) => s.access.authDisabled === true)).toBe(true);
    expect(calls).toEqual({ state: 0, accessOf: 1 });
  });
});
