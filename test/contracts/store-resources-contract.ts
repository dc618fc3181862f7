/** The resource half of the store contract: versions, optimistic locking, rollback, history paging, locks. */
import type { Patient } from 'fhir/r4';
import { systemContext } from '../../server/core/access-context';
import { FhirError } from '../../server/core/fhir-error';
import type { ResourceStore } from '../../server/store/types';
import type { StoreContractOptions, StoreUnderTest } from './types';

const ctx = systemContext('test');
const patient = (id: string, family = 'Doe'): Patient & { id: string } => ({ resourceType: 'Patient', id, name: [{ family }] });

export function resourceContract({ newStore }: StoreContractOptions): void {
  let t: StoreUnderTest;
  let store: ResourceStore;
  beforeAll(async () => {
    // A clock that ticks a second per call: lastUpdated is fixed and distinct for every write.
    let tick = Date.parse('2024-01-01T00:00:00Z');
    t = await newStore({ poolSize: 4, clock: { now: () => new Date((tick += 1000)) } });
    store = t.store;
  });
  afterAll(async () => {
    await t?.dispose();
  });

  test('create sets version 1 and meta; read returns it', async () => {
    const stored = await store.transaction((tx) => tx.create(ctx, patient('c1')));
    expect(stored.versionId).toBe(1);
    expect(stored.resource?.meta?.versionId).toBe('1');
    expect(stored.resource?.meta?.lastUpdated).toBe(stored.lastUpdated.toISOString());
    const read = await store.read(ctx, 'Patient', 'c1');
    expect(read?.resource).toEqual(stored.resource);
    expect(await store.read(ctx, 'Patient', 'nope')).toBeNull();
  });

  test('create of an existing id is a 409', async () => {
    await store.transaction((tx) => tx.create(ctx, patient('c2')));
    await expect(store.transaction((tx) => tx.create(ctx, patient('c2')))).rejects.toMatchObject({ status: 409 });
  });

  test('createMany inserts in one go, keeps order, and fails whole on an existing id', async () => {
    const many = Array.from({ length: 7 }, (_, i) => patient(`m${i}`, `F${i}`));
    const stored = await store.transaction((tx) => tx.createMany(ctx, many));
    expect(stored.map((s) => s.id)).toEqual(many.map((m) => m.id));
    expect(stored.every((s) => s.versionId === 1)).toBe(true);
    expect((await store.read(ctx, 'Patient', 'm6'))?.resource).toMatchObject({ name: [{ family: 'F6' }] });
    expect((await store.history(ctx, { resourceType: 'Patient', id: 'm3', count: 5 })).entries).toHaveLength(1);
    await expect(store.transaction((tx) => tx.createMany(ctx, [patient('m-new'), patient('m2')]))).rejects.toMatchObject({ status: 409 });
    expect(await store.read(ctx, 'Patient', 'm-new')).toBeNull();
  });

  test('update increments the version; vread returns each version', async () => {
    await store.transaction((tx) => tx.create(ctx, patient('u1', 'A')));
    const { stored, created } = await store.transaction((tx) => tx.update(ctx, patient('u1', 'B')));
    expect(created).toBe(false);
    expect(stored.versionId).toBe(2);
    expect((await store.vread(ctx, 'Patient', 'u1', 1))?.resource).toMatchObject({ name: [{ family: 'A' }] });
    expect((await store.vread(ctx, 'Patient', 'u1', 2))?.resource).toMatchObject({ name: [{ family: 'B' }] });
  });

  test('optimistic locking: a stale expected version fails and changes nothing', async () => {
    await store.transaction((tx) => tx.create(ctx, patient('o1', 'A')));
    await store.transaction((tx) => tx.update(ctx, patient('o1', 'B'), { expectedVersion: 1 }));
    const err = await store.transaction((tx) => tx.update(ctx, patient('o1', 'C'), { expectedVersion: 1 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FhirError);
    expect((err as FhirError).status).toBe(412);
    expect((await store.read(ctx, 'Patient', 'o1'))?.resource).toMatchObject({ name: [{ family: 'B' }] });
  });

  test('concurrent updates with the same expected version: exactly one wins', async () => {
    await store.transaction((tx) => tx.create(ctx, patient('race', 'A')));
    const results = await Promise.allSettled(['X', 'Y', 'Z'].map((f) => store.transaction((tx) => tx.update(ctx, patient('race', f), { expectedVersion: 1 }))));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect((await store.read(ctx, 'Patient', 'race'))?.versionId).toBe(2);
  });

  test('delete leaves a marker; history lists every version newest first', async () => {
    await store.transaction((tx) => tx.create(ctx, patient('d1')));
    const marker = await store.transaction((tx) => tx.delete(ctx, 'Patient', 'd1'));
    expect(marker?.deleted).toBe(true);
    expect(marker?.versionId).toBe(2);
    expect(await store.transaction((tx) => tx.delete(ctx, 'Patient', 'd1'))).toBeNull();
    const read = await store.read(ctx, 'Patient', 'd1');
    expect(read?.deleted).toBe(true);
    expect(read?.resource).toBeUndefined();
    const hist = await store.history(ctx, { resourceType: 'Patient', id: 'd1', count: 10 });
    expect(hist.entries.map((e) => [e.versionId, e.method])).toEqual([[2, 'delete'], [1, 'create']]);
    expect(hist.total).toBe(2);
  });

  test('a transaction that throws rolls back every write', async () => {
    await expect(store.transaction(async (tx) => {
      await tx.create(ctx, patient('rb1'));
      await tx.update(ctx, patient('rb2'));
      throw new Error('boom');
    })).rejects.toThrow('boom');
    expect(await store.read(ctx, 'Patient', 'rb1')).toBeNull();
    expect(await store.read(ctx, 'Patient', 'rb2')).toBeNull();
    expect((await store.history(ctx, { resourceType: 'Patient', id: 'rb1', count: 5 })).entries).toHaveLength(0);
  });

  test('history pages by keyset with a signed cursor', async () => {
    for (let i = 0; i < 7; i++) await store.transaction((tx) => tx.create(ctx, { resourceType: 'Group', id: `g${i}`, type: 'person', actual: true } as never));
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.history(ctx, { resourceType: 'Group', count: 3, cursor });
      ids.push(...page.entries.map((e) => e.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(ids).toEqual(['g6', 'g5', 'g4', 'g3', 'g2', 'g1', 'g0']);
    await expect(store.history(ctx, { resourceType: 'Group', count: 3, cursor: 'x.y' })).rejects.toMatchObject({ status: 400 });
  });

  test('advisory locks serialize transactions on the same key', async () => {
    const order: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const first = store.transaction(async (tx) => {
      await tx.lock('k');
      order.push('first-locked');
      await gate;
      order.push('first-done');
    });
    // The first must hold the lock before the second asks: wait for it by the clock (a fixed 50 ms was a guess that
    // a busy machine's BEGIN and lock can outlast, and then the second locked first).
    for (const until = Date.now() + 15_000; !order.includes('first-locked');) {
      if (Date.now() > until) throw new Error('the first transaction never took the lock');
      await new Promise((r) => setTimeout(r, 5));
    }
    const second = store.transaction(async (tx) => {
      await tx.lock('k');
      order.push('second-locked');
    });
    await new Promise((r) => setTimeout(r, 50));
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(['first-locked', 'first-done', 'second-locked']);
  });
}
