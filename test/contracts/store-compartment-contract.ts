/**
 * The patient-compartment row restriction as a store contract, without HTTP: a context confined to Alice's
 * compartment (AccessContext.readRestriction/writeRestriction) tries every store path to Bruno's data —
 * read, vread of versions that moved between compartments, history, counts, paging, every include round,
 * chains, _has, _id, compartment searches, writes. Each refused path is checked to work for an unconfined
 * context too, so the test fails if the data does not actually lead to Bruno.
 */
import type { Resource } from 'fhir/r4';
import { type AccessContext, type RowRestriction, systemContext } from '../../server/core/access-context';
import { createSearchRegistry } from '../../server/search/registry';
import { parseSearchParams } from '../../server/search/parse';
import type { ResourceStore, StoreReader } from '../../server/store/types';
import { queryPairs } from '../search/helpers/query';
import type { StoreContractOptions, StoreUnderTest } from './types';

const registry = createSearchRegistry();
const system = systemContext('compartment-contract');
const confined = (exemptTypes: string[] = []): AccessContext => {
  const r: RowRestriction = { patient: 'alice', exemptTypes };
  return { ...system, clientId: 'app', scopes: ['patient/*.cruds'], patient: 'alice', readRestriction: r, writeRestriction: r };
};
const alice = confined();

const ref = (reference: string) => ({ reference });
const obs = (id: string, patient: string, code: string, extra: Record<string, unknown> = {}): Resource & { id: string } => ({
  resourceType: 'Observation', id, status: 'final', code: { coding: [{ system: 'urn:test', code }] },
  subject: ref(`Patient/${patient}`), performer: [ref('Practitioner/dr')], ...extra,
} as Resource & { id: string });

/** Bruno's data is reachable from Alice's: through the shared Practitioner, a Provenance, derived-from links both ways. */
export const COMPARTMENT_SEED: (Resource & { id: string })[] = [
  { resourceType: 'Patient', id: 'alice', name: [{ family: 'Ashby' }] } as Resource & { id: string },
  { resourceType: 'Patient', id: 'bruno', name: [{ family: 'Zeller' }], identifier: [{ system: 'urn:mrn', value: 'MRN-BRUNO' }] } as Resource & { id: string },
  { resourceType: 'Practitioner', id: 'dr', name: [{ family: 'Shared' }] } as Resource & { id: string },
  obs('obs-a1', 'alice', 'c-a'), obs('obs-a2', 'alice', 'c-a'), obs('obs-a3', 'alice', 'c-a2'),
  obs('obs-b1', 'bruno', 'c-b', { derivedFrom: [ref('Observation/obs-a1')] }),
  obs('obs-a-bridge', 'alice', 'c-a', { derivedFrom: [ref('Observation/obs-b1')] }),
  { resourceType: 'Condition', id: 'cond-a', subject: ref('Patient/alice'), code: { text: 'Asthma' } } as Resource & { id: string },
  { resourceType: 'Condition', id: 'cond-b', subject: ref('Patient/bruno'), code: { text: 'Gout' } } as Resource & { id: string },
  { resourceType: 'Encounter', id: 'enc-b', status: 'finished', class: { code: 'AMB' }, subject: ref('Patient/bruno') } as Resource & { id: string },
  { resourceType: 'Group', id: 'grp-b', type: 'person', actual: true, member: [{ entity: ref('Patient/bruno') }] } as Resource & { id: string },
  {
    resourceType: 'Provenance', id: 'prov-both', recorded: '2024-01-01T00:00:00Z', target: [ref('Observation/obs-a1'), ref('Observation/obs-b1')],
    agent: [{ who: ref('Practitioner/dr') }],
  } as Resource & { id: string },
];
const medicationRequest = (id: string, patient: string): Resource & { id: string } => ({
  resourceType: 'MedicationRequest', id, status: 'active', intent: 'order', subject: ref(`Patient/${patient}`), medicationReference: ref('#med'),
  contained: [{ resourceType: 'Medication', id: 'med', code: { coding: [{ system: 'urn:med', code: 'm1' }] } }],
} as Resource & { id: string });
COMPARTMENT_SEED.push(medicationRequest('mr-a', 'alice'), medicationRequest('mr-b', 'bruno'));

/** What Alice may see of the seed (the Observation that later moves is added by the tests). */
const ALICE_OBS = ['obs-a-bridge', 'obs-a1', 'obs-a2', 'obs-a3'];

async function ids(reader: StoreReader, ctx: AccessContext, type: string, qs: string): Promise<{ matches: string[]; includes: string[]; total?: number }> {
  const { query } = parseSearchParams(registry, type ? [type] : [], queryPairs(qs));
  const res = await reader.search(ctx, query);
  const key = (r: Resource) => `${r.resourceType}/${r.id ?? ''}`;
  return { matches: res.matches.map(key).sort(), includes: res.includes.map(key).sort(), ...(res.total !== undefined ? { total: res.total } : {}) };
}

/** Every page of a search with _count=1, following the cursors. */
async function allPages(store: ResourceStore, ctx: AccessContext, qs: string): Promise<string[]> {
  const seen: string[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 20; i++) {
    const { query } = parseSearchParams(registry, ['Observation'], queryPairs(qs));
    const res = await store.search(ctx, { ...query, count: 1, ...(cursor ? { cursor } : {}) });
    seen.push(...res.matches.map((r) => r.id ?? ''));
    cursor = res.nextCursor;
    if (!cursor) break;
  }
  return seen.sort();
}

export function compartmentContract({ newStore }: StoreContractOptions): void {
  let t: StoreUnderTest;
  let store: ResourceStore;
  beforeAll(async () => {
    t = await newStore({ poolSize: 2 });
    store = t.store;
    await store.transaction((tx) => tx.createMany(system, COMPARTMENT_SEED));
  });
  afterAll(async () => { await t?.dispose(); });

  test('reads: her own resources, never Bruno\'s (null, as for an unknown id)', async () => {
    expect((await store.read(alice, 'Observation', 'obs-a1'))?.id).toBe('obs-a1');
    expect((await store.read(alice, 'Patient', 'alice'))?.id).toBe('alice');
    for (const [type, id] of [['Patient', 'bruno'], ['Observation', 'obs-b1'], ['Condition', 'cond-b'], ['Group', 'grp-b'], ['Practitioner', 'dr'], ['Provenance', 'prov-both']]) {
      expect(await store.read(alice, type, id)).toBeNull();
      expect(await store.read(system, type, id)).not.toBeNull();
      expect(await store.vread(alice, type, id, 1)).toBeNull();
    }
  });

  test('search: matches, _total=accurate and every page hold only her rows', async () => {
    expect(await ids(store, alice, 'Observation', '_total=accurate')).toEqual({ matches: ALICE_OBS.map((i) => `Observation/${i}`), includes: [], total: ALICE_OBS.length });
    expect(await allPages(store, alice, '_sort=-_lastUpdated')).toEqual(ALICE_OBS);
    expect(await allPages(store, alice, '')).toEqual(ALICE_OBS);
    expect((await ids(store, alice, 'Observation', '_total=estimate')).total).toBe(ALICE_OBS.length);
    expect((await ids(store, alice, 'Observation', '_id=obs-b1,obs-a1')).matches).toEqual(['Observation/obs-a1']);
    expect((await ids(store, alice, 'Condition', 'code:text=Gout')).matches).toEqual([]);
    expect((await ids(store, alice, '', '_type=Patient,Group,Encounter')).matches).toEqual(['Patient/alice']);
  });

  test('a cursor of a confined search cannot be replayed without the confinement', async () => {
    const { query } = parseSearchParams(registry, ['Observation'], queryPairs(''));
    const first = await store.search(alice, { ...query, count: 1 });
    await expect(store.search(system, { ...query, count: 1, cursor: first.nextCursor })).rejects.toMatchObject({ status: 400 });
  });

  test('_contained searches confine the containers', async () => {
    expect((await ids(store, system, 'Medication', '_contained=true&code=urn:med|m1')).matches).toEqual(['MedicationRequest/mr-a', 'MedicationRequest/mr-b']);
    expect((await ids(store, alice, 'Medication', '_contained=true&code=urn:med|m1&_total=accurate')).matches).toEqual(['MedicationRequest/mr-a']);
    const contained = await ids(store, alice, 'Medication', '_contained=true&_containedType=contained&code=urn:med|m1&_total=accurate');
    expect([contained.matches, contained.total]).toEqual([['Medication/med'], 1]);
  });

  test('compartment search of Bruno under her context is empty', async () => {
    const q = { ...parseSearchParams(registry, [], queryPairs('')).query, compartment: { resourceType: 'Patient', id: 'bruno' } };
    expect((await store.search(alice, q)).matches).toEqual([]);
    expect((await store.search(system, q)).matches.length).toBeGreaterThan(0);
  });

  test('includes: no round, :iterate included, passes through a row she may not see', async () => {
    const qs = '_include=Observation:performer&_revinclude:iterate=Observation:performer&_revinclude=Provenance:target&_revinclude=Observation:derived-from';
    const open = await ids(store, system, 'Observation', `subject=Patient/alice&${qs}`);
    expect(open.includes).toEqual(expect.arrayContaining(['Observation/obs-b1', 'Practitioner/dr', 'Provenance/prov-both']));
    expect((await ids(store, alice, 'Observation', qs)).includes).toEqual([]);
    // With Practitioner exempt (a user/Practitioner scope), the doctor comes in; the iterate round from him still stops at her compartment.
    const viaDoctor = await ids(store, confined(['Practitioner']), 'Observation', qs);
    expect(viaDoctor.includes).toEqual(['Practitioner/dr']);
  });

  test('chains and _has never test a row she may not see', async () => {
    expect((await ids(store, system, 'Observation', 'derived-from:Observation.code=c-b')).matches).toEqual(['Observation/obs-a-bridge']);
    expect((await ids(store, alice, 'Observation', 'derived-from:Observation.code=c-b')).matches).toEqual([]);
    expect((await ids(store, system, 'Observation', '_has:Observation:derived-from:code=c-b')).matches).toEqual(['Observation/obs-a1']);
    expect((await ids(store, alice, 'Observation', '_has:Observation:derived-from:code=c-b')).matches).toEqual([]);
    expect((await ids(store, alice, 'Observation', 'subject:Patient.name=Zeller')).matches).toEqual([]);
    expect((await ids(store, alice, 'Patient', '_has:Condition:subject:code:text=Gout')).matches).toEqual([]);
  });

  test('history and vread follow each version\'s own compartment', async () => {
    await store.transaction((tx) => tx.create(system, obs('obs-moves', 'alice', 'c-m')));
    await store.transaction((tx) => tx.update(system, obs('obs-moves', 'bruno', 'c-m')));
    await store.transaction((tx) => tx.update(system, obs('obs-moves', 'alice', 'c-m2')));
    await store.transaction((tx) => tx.update(system, obs('obs-moves', 'bruno', 'c-m3')));
    expect((await store.vread(alice, 'Observation', 'obs-moves', 1))?.versionId).toBe(1);
    expect(await store.vread(alice, 'Observation', 'obs-moves', 2)).toBeNull();
    expect((await store.vread(alice, 'Observation', 'obs-moves', 3))?.versionId).toBe(3);
    expect(await store.read(alice, 'Observation', 'obs-moves')).toBeNull();
    const inst = await store.history(alice, { resourceType: 'Observation', id: 'obs-moves', count: 10 });
    expect(inst.entries.map((e) => e.versionId)).toEqual([3, 1]);
    expect(inst.total).toBe(2);
    const typeHistory = await store.history(alice, { resourceType: 'Observation', count: 100 });
    expect(typeHistory.entries.every((e) => ALICE_OBS.includes(e.id) || (e.id === 'obs-moves' && [1, 3].includes(e.versionId)))).toBe(true);
    const sys = await store.history(alice, { count: 100 });
    expect(sys.entries.map((e) => `${e.resourceType}/${e.id}`)).not.toContain('Patient/bruno');
    const foreign = new Set(['bruno', 'obs-b1', 'cond-b', 'enc-b', 'grp-b', 'dr', 'prov-both']);
    expect(sys.entries.filter((e) => foreign.has(e.id))).toEqual([]);
  });

  test('a delete marker belongs to the compartment of the version it deleted', async () => {
    await store.transaction((tx) => tx.create(system, obs('obs-gone-a', 'alice', 'x')));
    await store.transaction((tx) => tx.create(system, obs('obs-gone-b', 'bruno', 'x')));
    await store.transaction((tx) => tx.delete(system, 'Observation', 'obs-gone-a'));
    await store.transaction((tx) => tx.delete(system, 'Observation', 'obs-gone-b'));
    expect((await store.read(alice, 'Observation', 'obs-gone-a'))?.deleted).toBe(true);
    expect(await store.read(alice, 'Observation', 'obs-gone-b')).toBeNull();
    expect((await store.history(alice, { resourceType: 'Observation', id: 'obs-gone-a', count: 5 })).entries.map((e) => e.method)).toEqual(['delete', 'create']);
    expect((await store.history(alice, { resourceType: 'Observation', id: 'obs-gone-b', count: 5 })).entries).toEqual([]);
  });

  test('writes outside her compartment are refused (403) inside the transaction; nothing is written', async () => {
    await expect(store.transaction((tx) => tx.create(alice, obs('obs-new-b', 'bruno', 'x')))).rejects.toMatchObject({ status: 403 });
    await expect(store.transaction((tx) => tx.update(alice, obs('obs-b1', 'alice', 'x')))).rejects.toMatchObject({ status: 403 });
    await expect(store.transaction((tx) => tx.update(alice, obs('obs-a1', 'bruno', 'x')))).rejects.toMatchObject({ status: 403 });
    await expect(store.transaction((tx) => tx.delete(alice, 'Observation', 'obs-b1'))).rejects.toMatchObject({ status: 403 });
    await expect(store.transaction((tx) => tx.delete(alice, 'Practitioner', 'dr'))).rejects.toMatchObject({ status: 403 });
    await expect(store.transaction((tx) => tx.createMany(alice, [obs('obs-ok', 'alice', 'x'), obs('obs-new-b2', 'bruno', 'x')]))).rejects.toMatchObject({ status: 403 });
    await expect(store.transaction((tx) => tx.update(alice, { resourceType: 'Patient', id: 'carl' }))).rejects.toMatchObject({ status: 403 });
    for (const id of ['obs-new-b', 'obs-ok', 'obs-new-b2']) expect(await store.read(system, 'Observation', id)).toBeNull();
    expect((await store.read(system, 'Observation', 'obs-b1'))?.versionId).toBe(1);
    const mine = await store.transaction((tx) => tx.create(alice, obs('obs-mine', 'alice', 'x')));
    expect(mine.versionId).toBe(1);
  });
}
