/**
 * The store's two seams, on every driver: the write hooks it runs for every write (whoever writes), and the
 * read policy every read passes with its AccessContext before any SQL runs.
 */
import type { Basic, Observation, Patient, Practitioner } from 'fhir/r4';
import { type AccessContext, asOrigin, systemContext } from '../../server/core/access-context';
import { forbidden } from '../../server/core/fhir-error';
import { parseSearchParams } from '../../server/search/parse';
import { createSearchRegistry } from '../../server/search/registry';
import { MAX_HOOK_DEPTH, type ReadAccess, type ReadPolicy, type ResourceChange, type WriteHook } from '../../server/store/types';
import { driversUnderTest } from '../support/databases';
import { openTestStore, type TestStore } from '../support/test-store';

const ctx = systemContext('seams');
const patient = (id: string, gp?: string): Patient & { id: string } =>
  ({ resourceType: 'Patient', id, ...(gp ? { generalPractitioner: [{ reference: `Practitioner/${gp}` }] } : {}) });
const practitioner = (id: string): Practitioner & { id: string } => ({ resourceType: 'Practitioner', id });

describe.each(driversUnderTest())('store write hooks on %s', (kind) => {
  const seen: (Pick<ResourceChange, 'kind' | 'resourceType' | 'id'> & { versionId: number; requestId: string; origin?: string })[] = [];
  // Counts every change; a Patient named "echo-*" makes the hook write an Observation (a hook's own write).
  const counting: WriteHook = async (tx, c, change) => {
    seen.push({ kind: change.kind, resourceType: change.resourceType, id: change.id, versionId: change.stored.versionId, requestId: c.requestId, ...(c.origin ? { origin: c.origin } : {}) });
    if (change.resourceType === 'Patient' && change.kind === 'create' && change.id.startsWith('echo-')) {
      await tx.create(c, { resourceType: 'Observation', id: `${change.id}-obs`, status: 'final', code: { text: 'echo' } } as Observation & { id: string });
    }
    if (change.resourceType === 'Basic' && change.id.startsWith('loop-')) {
      // A hook that keeps feeding itself: the store must stop it, not the stack.
      await tx.update(c, { resourceType: 'Basic', id: change.id, code: { text: String(change.stored.versionId) } } as Basic & { id: string });
    }
    if (change.resourceType === 'Patient' && change.id === 'refused') throw forbidden('the hook refuses this write');
  };
  let t: TestStore;
  beforeAll(async () => { t = await openTestStore(kind, { hooks: [counting] }); });
  afterAll(async () => { await t.dispose(); });
  beforeEach(() => { seen.length = 0; });

  test('create, createMany, update (and update-as-create), delete: each passes the hook once, in its transaction, with the writer\'s context', async () => {
    await t.store.transaction(async (tx) => {
      await tx.create(ctx, patient('h1'));
      await tx.createMany(ctx, [patient('h2'), patient('h3')]);
      await tx.update(ctx, { ...patient('h1'), active: true } as Patient & { id: string });
      await tx.update(asOrigin(ctx, 'twin-builder'), patient('h4'));
      await tx.delete(asOrigin(ctx, 'nlp-extraction'), 'Patient', 'h2');
      expect(await tx.delete(ctx, 'Patient', 'h2')).toBeNull(); // nothing deleted: no change
    });
    expect(seen).toEqual([
      { kind: 'create', resourceType: 'Patient', id: 'h1', versionId: 1, requestId: 'seams' },
      { kind: 'create', resourceType: 'Patient', id: 'h2', versionId: 1, requestId: 'seams' },
      { kind: 'create', resourceType: 'Patient', id: 'h3', versionId: 1, requestId: 'seams' },
      { kind: 'update', resourceType: 'Patient', id: 'h1', versionId: 2, requestId: 'seams' },
      { kind: 'create', resourceType: 'Patient', id: 'h4', versionId: 1, requestId: 'seams', origin: 'twin-builder' },
      { kind: 'delete', resourceType: 'Patient', id: 'h2', versionId: 2, requestId: 'seams', origin: 'nlp-extraction' },
    ]);
  });

  test("a hook's own writes pass every hook too", async () => {
    await t.store.transaction((tx) => tx.create(ctx, patient('echo-1')));
    expect(seen.map((s) => `${s.resourceType}/${s.id}`)).toEqual(['Patient/echo-1', 'Observation/echo-1-obs']);
    expect(await t.store.read(ctx, 'Observation', 'echo-1-obs')).not.toBeNull();
  });

  test('a hook that feeds itself is stopped after MAX_HOOK_DEPTH and its transaction rolls back', async () => {
    const write = t.store.transaction((tx) => tx.create(ctx, { resourceType: 'Basic', id: 'loop-1', code: { text: 'start' } } as Basic & { id: string }));
    await expect(write).rejects.toMatchObject({ status: 500, message: expect.stringMatching(/nested more than/) });
    expect(seen).toHaveLength(MAX_HOOK_DEPTH);
    expect(await t.store.read(ctx, 'Basic', 'loop-1')).toBeNull();
  });

  test("a hook's error rolls the write back, and createMany names which resource it was", async () => {
    await expect(t.store.transaction((tx) => tx.create(ctx, patient('refused')))).rejects.toMatchObject({ status: 403 });
    expect(await t.store.read(ctx, 'Patient', 'refused')).toBeNull();
    let failedAt = -1;
    const many = t.store.transaction((tx) => tx.createMany(ctx, [patient('ok-1'), patient('refused'), patient('ok-2')], { beforeHooks: (i) => { failedAt = i; } }));
    await expect(many).rejects.toMatchObject({ status: 403 });
    expect(failedAt).toBe(1);
    expect(await t.store.read(ctx, 'Patient', 'ok-1')).toBeNull();
  });
});

describe.each(driversUnderTest())('store read policy on %s', (kind) => {
  const checks: ReadAccess[] = [];
  const denied = (a: ReadAccess): boolean => a.resourceTypes === '*' || a.resourceTypes.some((r) => r === 'Practitioner' || r === 'Encounter');
  // Denies any read that could return a Practitioner or an Encounter, and records what it was asked.
  const policy: ReadPolicy = {
    check(c: AccessContext, access: ReadAccess) {
      if (c.clientId !== 'reader') return; // the set-up writes as 'system'
      checks.push(access);
      if (denied(access)) throw forbidden(`no ${access.interaction} of Practitioner`);
    },
  };
  const reader: AccessContext = { ...systemContext('policy'), clientId: 'reader' };
  const registry = createSearchRegistry();
  const query = (type: string, params: [string, string][]) => parseSearchParams(registry, [type], params).query;
  let t: TestStore;
  beforeAll(async () => {
    t = await openTestStore(kind, { readPolicy: policy });
    await t.store.transaction(async (tx) => {
      await tx.create(ctx, practitioner('dr-1'));
      await tx.create(ctx, patient('p-1', 'dr-1'));
    });
  });
  afterAll(async () => { await t.dispose(); });
  beforeEach(() => { checks.length = 0; });

  test('read, vread, history and search of an allowed type pass (and are checked)', async () => {
    expect(await t.store.read(reader, 'Patient', 'p-1')).not.toBeNull();
    expect(await t.store.vread(reader, 'Patient', 'p-1', 1)).not.toBeNull();
    expect((await t.store.history(reader, { resourceType: 'Patient', id: 'p-1', count: 10 })).entries).toHaveLength(1);
    expect((await t.store.search(reader, query('Patient', [['_id', 'p-1']]))).matches).toHaveLength(1);
    expect(checks.map((c) => c.interaction)).toEqual(['read', 'vread', 'history', 'search']);
    expect(checks.every((c) => c.resourceTypes !== '*' && c.resourceTypes.join() === 'Patient')).toBe(true);
  });

  test('a denied type is refused on every read path, outside and inside transactions, before any result', async () => {
    const paths: [string, () => Promise<unknown>][] = [
      ['read', () => t.store.read(reader, 'Practitioner', 'dr-1')],
      ['vread', () => t.store.vread(reader, 'Practitioner', 'dr-1', 1)],
      ['history', () => t.store.history(reader, { resourceType: 'Practitioner', count: 10 })],
      ['system history', () => t.store.history(reader, { count: 10 })],
      ['search', () => t.store.search(reader, query('Practitioner', []))],
      ['_include', () => t.store.search(reader, query('Patient', [['_include', 'Patient:general-practitioner']]))],
      ['_include:iterate', () => t.store.search(reader, query('Patient', [['_include:iterate', 'Patient:general-practitioner:Practitioner']]))],
      ['_revinclude', () => t.store.search(reader, query('Patient', [['_revinclude', 'Encounter:subject']]))],
      ['tx read', () => t.store.transaction((tx) => tx.read(reader, 'Practitioner', 'dr-1'))],
      ['tx search', () => t.store.transaction((tx) => tx.search(reader, query('Practitioner', [])))],
    ];
    for (const [name, run] of paths) {
      await expect(run().then(() => `${name} was allowed`)).rejects.toMatchObject({ status: 403 });
    }
  });

  test('a compartment search asks for the compartment members it may return', async () => {
    await t.store.search(reader, { ...query('Observation', []), compartment: { resourceType: 'Patient', id: 'p-1' } });
    expect(checks).toEqual([{ interaction: 'search', resourceTypes: ['Observation'] }]);
  });
});
