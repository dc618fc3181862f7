/**
 * The subscription outbox and its fan-out: a write records one outbox row in its own transaction and the
 * fan-out turns rows into events later. A stop between the two loses nothing; a row whose transaction
 * commits after a later one was fanned out is still fanned out; numbers stay gap-free and each write raises
 * its event once under concurrent writers and two fanning-out servers; and (property) for any sequence of
 * writes and batch sizes the events are exactly the matching writes, in order, numbered 1…n.
 */
import type { AddressInfo } from 'node:net';
import type { Observation } from 'fhir/r4';
import fc from 'fast-check';
import pino from 'pino';
import { type App, createApp } from '../../server/app';
import { loadConfig } from '../../server/config';
import { systemContext } from '../../server/core/access-context';
import { createSubscriptionCatalogue } from '../../server/subscriptions/catalogue';
import { fanOutBatch } from '../../server/subscriptions/fanout';
import { type DriverKind, createTestDatabase, driversUnderTest } from '../support/databases';
import { FAST_ENV, Receiver, TOPIC, fhir, observation, subscription, waitFor } from './helpers';

interface Running { app: App; base: string; stop(): Promise<void> }

async function start(databaseUrl: string | undefined, role: 'all' | 'server', env: Record<string, string> = {}): Promise<Running> {
  const config = loadConfig({ ...FAST_ENV, SUBSCRIPTION_TIMEOUT_MS: '30000', DATA_DIR: ':memory:', LOG_LEVEL: 'silent', NLP_WORKERS: '0', TWIN_WORKERS: '0', ROLE: role, ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}), ...env });
  const app = await createApp(config, { logger: pino({ level: 'silent' }) });
  const server = app.http.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  return {
    app, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}/fhir`,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await app.close();
    },
  };
}

const ctx = systemContext('fanout-test');
// Each resource its own patient: two open transactions must not meet on another hook's job key (twin refresh).
const obs = (id: string, code: string): Observation & { id: string } => ({ ...(observation(code, `for-${id}`) as Observation), id });

/** Fans out by hand (the app runs ROLE=server: no fan-out of its own) until the outbox is empty. */
async function drain(app: App, batchSize: number): Promise<number> {
  const catalogue = createSubscriptionCatalogue({ registry: app.rest.registry, policy: { allowPrivate: true, allowedHosts: [] }, logger: pino({ level: 'silent' }), refreshMs: 60_000 });
  let total = 0;
  for (;;) {
    const live = await catalogue.fresh(app.store);
    const { consumed } = await app.store.transaction((tx) => fanOutBatch(tx, { registry: app.rest.registry }, live, batchSize));
    total += consumed;
    if (consumed < batchSize) return total;
  }
}

async function subscribeTo(base: string, code: string, endpoint: string): Promise<string> {
  const res = await fhir(base, 'POST', 'Subscription', subscription({ topic: TOPIC('resource-write'), filters: [`Observation?code=${code}`], endpoint }));
  expect(res.status).toBe(201);
  return res.body.id as string;
}

/** A fresh database and a ROLE=server app on it (no fan-out of its own) for `body`; both are gone afterwards. */
async function withServer(kind: DriverKind, body: (s: Running) => Promise<void>): Promise<void> {
  const db = await createTestDatabase(kind);
  const s = await start(db.databaseUrl, 'server');
  try {
    await body(s);
  } finally {
    await s.stop();
    await db.drop();
  }
}

const focusIds = async (app: App, id: string): Promise<{ n: number[]; ids: string[] }> => {
  const ev = await app.store.subscriptionLog.events(id, 0, Number.MAX_SAFE_INTEGER, 10_000);
  return { n: ev.map((e) => e.eventNumber), ids: ev.map((e) => e.focusId) };
};

describe.each(driversUnderTest())('subscription outbox and fan-out (%s)', (kind: DriverKind) => {
  let rx: Receiver;
  beforeAll(async () => { rx = await new Receiver().start(); });
  afterAll(async () => { await rx.close(); });

  test('a stop between the write and the fan-out loses nothing: the next server fans out and delivers in order', async () => {
    if (kind === 'pglite') return; // an in-memory PGlite does not outlive its server; the pg run covers it
    const db = await createTestDatabase(kind);
    try {
      const writer = await start(db.databaseUrl, 'server');
      const id = await subscribeTo(writer.base, '1212-1', rx.url);
      for (let i = 0; i < 3; i++) expect((await fhir(writer.base, 'POST', 'Observation', observation('1212-1'))).status).toBe(201);
      expect((await writer.app.store.subscriptionLog.state(id))?.lastEvent).toBe(0); // only outbox rows so far
      await writer.stop();
      const next = await start(db.databaseUrl, 'all');
      await waitFor(() => rx.eventNumbers().length >= 3, 'events after the restart');
      expect((await focusIds(next.app, id)).n).toEqual([1, 2, 3]);
      expect(rx.eventNumbers()).toEqual([1, 2, 3]);
      await next.stop();
    } finally {
      rx.received.length = 0;
      await db.drop();
    }
  }, 120_000);

  test('a transaction that commits after a later one was fanned out is fanned out too (numbered after it)', async () => {
    if (kind === 'pglite') return; // PGlite runs one transaction at a time: no late commit can happen there
    await withServer(kind, async (s) => {
      const id = await subscribeTo(s.base, '3434-3', rx.url);
      let commit!: () => void;
      let written!: () => void;
      const held = new Promise<void>((r) => { commit = r; });
      const inserted = new Promise<void>((r) => { written = r; });
      const early = s.app.store.transaction(async (tx) => {
        await tx.create(ctx, obs('late-a', '3434-3'));
        // Outbox rows are written with the index rows at commit; reading the outbox writes them now.
        expect((await tx.subscriptionLog.takeOutbox(10)).map((e) => e.focusId)).toEqual(['late-a']);
        written();
        await held;
      });
      await inserted; // late-a holds the lower outbox id, uncommitted
      await s.app.store.transaction((tx) => tx.create(ctx, obs('late-b', '3434-3')));
      expect(await drain(s.app, 10)).toBe(1);
      commit();
      await early;
      expect(await drain(s.app, 10)).toBe(1);
      expect(await focusIds(s.app, id)).toEqual({ n: [1, 2], ids: ['late-b', 'late-a'] });
    });
  }, 120_000);

  test('outbox rows are written with the commit: none for a write that rolls back, in order for one that commits', async () => {
    await withServer(kind, async (s) => {
      const id = await subscribeTo(s.base, '4545-4', rx.url);
      await expect(s.app.store.transaction(async (tx) => {
        await tx.create(ctx, obs('gone-a', '4545-4'));
        throw new Error('rolled back');
      })).rejects.toThrow('rolled back');
      expect(await drain(s.app, 10)).toBe(0);
      // Creates, an update and a bundle-style createMany in one transaction: the outbox keeps the order of the writes.
      await s.app.store.transaction(async (tx) => {
        await tx.create(ctx, obs('kept-a', '4545-4'));
        await tx.createMany(ctx, [obs('kept-b', '4545-4'), obs('kept-c', '0000-0'), obs('kept-d', '4545-4')]);
        await tx.update(ctx, obs('kept-a', '4545-4'));
      });
      expect(await drain(s.app, 2)).toBe(5); // kept-c too: every Observation is matched by the fan-out
      expect(await focusIds(s.app, id)).toEqual({ n: [1, 2, 3, 4], ids: ['kept-a', 'kept-b', 'kept-d', 'kept-a'] });
    });
  }, 120_000);

  test('a Subscription written on another server is matched by the next fan-out here, before the catalogue timer here reloads', async () => {
    if (kind === 'pglite') return; // two servers on one database: the pg run covers it
    const db = await createTestDatabase(kind);
    const slow = { SUBSCRIPTION_REFRESH_MS: '600000' }; // the catalogue timer never fires during the test
    const a = await start(db.databaseUrl, 'all', slow);
    const b = await start(db.databaseUrl, 'server', slow);
    try {
      // A fans out once first, so its list is loaded (without the subscription) before the subscription exists.
      expect((await fhir(a.base, 'POST', 'Observation', observation('6767-6'))).status).toBe(201);
      await waitFor(async () => (await a.app.store.transaction((tx) => tx.subscriptionLog.takeOutbox(1))).length === 0, 'the first fan-out');
      const id = await subscribeTo(b.base, '6767-6', rx.url);
      const res = await fhir(b.base, 'POST', 'Observation', observation('6767-6'));
      expect(res.status).toBe(201);
      await waitFor(async () => (await a.app.store.subscriptionLog.state(id))?.lastEvent === 1, 'the event recorded by the fan-out on A');
      expect(await focusIds(a.app, id)).toEqual({ n: [1], ids: [res.body.id] });
    } finally {
      await b.stop();
      await a.stop();
      rx.received.length = 0;
      await db.drop();
    }
  }, 120_000);

  test('concurrent writers on two fanning-out servers: every write once, numbers 1…n without gaps', async () => {
    const db = await createTestDatabase(kind);
    const a = await start(db.databaseUrl, 'all');
    const id = await subscribeTo(a.base, '5656-5', rx.url);
    // Started after the Subscription, so it knows it from the start. PGlite in memory cannot be shared: one
    // server there (its writes still interleave with its fan-out).
    const b = kind === 'pg' ? await start(db.databaseUrl, 'all') : a;
    try {
      const created: string[] = [];
      const N = 60;
      let next = 0;
      const worker = async (w: number): Promise<void> => {
        while (next < N) {
          next++;
          const res = await fhir(w % 2 ? b.base : a.base, 'POST', 'Observation', observation(next % 3 ? '5656-5' : '0000-0'));
          expect(res.status).toBe(201);
          if (res.body.code.coding[0].code === '5656-5') created.push(res.body.id as string);
        }
      };
      await Promise.all([0, 1, 2, 3, 4, 5].map(worker));
      await waitFor(async () => (await a.app.store.subscriptionLog.state(id))?.lastEvent === created.length, 'every event recorded');
      await new Promise((r) => setTimeout(r, 300));
      const got = await focusIds(a.app, id);
      expect(got.n).toEqual(created.map((_, i) => i + 1));
      expect([...got.ids].sort()).toEqual([...created].sort());
    } finally {
      if (b !== a) await b.stop();
      await a.stop();
      rx.received.length = 0;
      await db.drop();
    }
  }, 120_000);

  test('property: any writes in any batch sizes raise exactly the matching events, in order, numbered 1…n', async () => {
    await withServer(kind, async (s) => {
      const id = await subscribeTo(s.base, '7878-7', rx.url);
      const expected: string[] = [];
      let seq = 0;
      const write = fc.record({ hit: fc.boolean(), update: fc.boolean(), perTx: fc.integer({ min: 1, max: 4 }) });
      await fc.assert(fc.asyncProperty(fc.array(write, { minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 7 }), async (writes, batchSize) => {
        for (const w of writes) {
          const raised: string[] = [];
          await s.app.store.transaction(async (tx) => {
            for (let k = 0; k < w.perTx; k++) {
              const rid = `p-${seq++}`;
              const code = w.hit ? '7878-7' : '0000-0';
              await tx.create(ctx, obs(rid, code));
              if (w.hit) raised.push(rid);
              // an update of a matching resource is one more event of its own
              if (w.update) {
                await tx.update(ctx, obs(rid, code));
                if (w.hit) raised.push(rid);
              }
            }
          });
          expected.push(...raised);
        }
        await drain(s.app, batchSize);
        const got = await focusIds(s.app, id);
        expect(got.ids).toEqual(expected);
        expect(got.n).toEqual(expected.map((_, i) => i + 1));
      }), { numRuns: 8 });
    });
  }, 180_000);
});
