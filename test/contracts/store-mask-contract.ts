/**
 * Element masking in the store's read seam (store/read-mask.ts), as a store contract without HTTP: resources
 * in Alice's and Bruno's compartments reach a context confined to Alice with Bruno's references masked on
 * every read path (read, vread, history, search matches and includes), a reference to a record only in
 * Bruno's compartment is masked too (looked up in SQL), and her context can neither change a shared resource
 * nor write a masked copy back. The unconfined context sees the same resources whole, so the checks can fail.
 */
import type { Resource } from 'fhir/r4';
import { type AccessContext, type RowRestriction, systemContext } from '../../server/core/access-context';
import { createSearchRegistry } from '../../server/search/registry';
import { parseSearchParams } from '../../server/search/parse';
import type { ResourceStore } from '../../server/store/types';
import { queryPairs } from '../search/helpers/query';
import type { StoreContractOptions, StoreUnderTest } from './types';

const registry = createSearchRegistry();
const system = systemContext('mask-contract');
const restriction: RowRestriction = { patient: 'ann', exemptTypes: [] };
const ann: AccessContext = { ...system, clientId: 'app', scopes: ['patient/*.cruds'], patient: 'ann', readRestriction: restriction, writeRestriction: restriction };
type R = Resource & { id: string };
const ref = (reference: string) => ({ reference });

const SEED: R[] = [
  { resourceType: 'Patient', id: 'ann', identifier: [{ system: 'urn:mrn', value: 'MRN-ANN' }] } as R,
  { resourceType: 'Patient', id: 'ben', name: [{ family: 'Benford' }], identifier: [{ system: 'urn:mrn', value: 'MRN-BEN' }] } as R,
  { resourceType: 'Observation', id: 'ob-ben', status: 'final', code: { text: 'x' }, subject: ref('Patient/ben') } as R,
  { resourceType: 'Group', id: 'g-both', type: 'person', actual: true, member: [{ entity: ref('Patient/ann') }, { entity: { reference: 'Patient/ben', display: 'Benford' } }] } as R,
  { resourceType: 'Observation', id: 'ob-ann', status: 'final', code: { text: 'x' }, subject: ref('Patient/ann'), derivedFrom: [ref('Observation/ob-ben')] } as R,
  // Hers, naming him by identifier only and in a contained Patient; and her own identifier, which stays.
  {
    resourceType: 'Observation', id: 'ob-ids', status: 'final', code: { text: 'x' }, subject: ref('Patient/ann'),
    performer: [{ identifier: { system: 'urn:mrn', value: 'MRN-BEN' } }, { type: 'Patient', identifier: { system: 'urn:mrn', value: 'MRN-ANN' } }],
    focus: [ref('#c1')], contained: [{ resourceType: 'Patient', id: 'c1', name: [{ family: 'Benford' }], identifier: [{ system: 'urn:mrn', value: 'MRN-BEN' }] }],
  } as R,
];
const LEAK = /ben|Benford|MRN-BEN/;

const isMasked = (r: Resource | undefined): boolean => (r?.meta?.security ?? []).some((c) => c.code === 'MASKED');
const text = (r: unknown): string => JSON.stringify(r);

export function maskContract(opts: StoreContractOptions): void {
  let sut: StoreUnderTest;
  let store: ResourceStore;

  beforeAll(async () => {
    sut = await opts.newStore({});
    store = sut.store;
    await store.transaction(async (tx) => { for (const r of SEED) await tx.create(system, r); });
  });
  afterAll(async () => { await sut?.dispose(); });

  test('read, vread and history: shared and foreign-derived resources are masked for her, whole for the system', async () => {
    for (const [type, id] of [['Group', 'g-both'], ['Observation', 'ob-ann'], ['Observation', 'ob-ids']] as const) {
      const whole = await store.read(system, type, id);
      expect(text(whole?.resource)).toMatch(LEAK);
      const reads = [await store.read(ann, type, id), await store.vread(ann, type, id, 1), ...(await store.history(ann, { resourceType: type, id, count: 5 })).entries];
      for (const r of reads) expect([id, isMasked(r?.resource), text(r?.resource).match(LEAK)?.[0], r?.json]).toEqual([id, true, undefined, undefined]);
    }
    expect(text((await store.read(ann, 'Group', 'g-both'))?.resource)).toContain('Patient/ann');
    const ids = (await store.read(ann, 'Observation', 'ob-ids'))?.resource as R & { performer: unknown[]; contained: unknown[] };
    expect(ids.performer[1]).toEqual({ type: 'Patient', identifier: { system: 'urn:mrn', value: 'MRN-ANN' } });
    expect(ids.contained).toEqual([{ resourceType: 'Patient', id: 'c1', meta: { security: [expect.objectContaining({ code: 'MASKED' })] } }]);
  });

  test('without her own Patient on file no identifier is hers: her identifier reference is masked too', async () => {
    const orphan: RowRestriction = { patient: 'nobody', exemptTypes: [] };
    const ctx: AccessContext = { ...ann, patient: 'nobody', readRestriction: orphan, writeRestriction: orphan };
    await store.transaction((tx) => tx.create(system, { resourceType: 'Observation', id: 'ob-nobody', status: 'final', code: { text: 'x' }, subject: ref('Patient/nobody'),
      performer: [{ type: 'Patient', identifier: { system: 'urn:mrn', value: 'MRN-ANN' } }] } as R));
    const read = (await store.read(ctx, 'Observation', 'ob-nobody'))?.resource;
    expect([isMasked(read), text(read)]).toEqual([true, expect.not.stringContaining('MRN-ANN')]);
  });

  test('search matches and includes are masked; a resource naming nothing foreign is untouched', async () => {
    const { query } = parseSearchParams(registry, ['Group'], queryPairs('_include=Group:member'));
    const res = await store.search(ann, query);
    expect(res.matches.map((r) => [r.id, isMasked(r)])).toEqual([['g-both', true]]);
    expect(res.includes.map((r) => [r.id, isMasked(r)])).toEqual([['ann', false]]);
    expect(text(res)).not.toMatch(LEAK);
    const own = await store.search(ann, parseSearchParams(registry, ['Patient'], []).query);
    expect(own.matches.map((r) => [r.id, r.meta?.security])).toEqual([['ann', undefined]]);
  });

  test('her context cannot change a shared resource, nor write a masked copy back (403); nothing changes', async () => {
    const copy = (await store.read(ann, 'Observation', 'ob-ann'))?.resource as R;
    await expect(store.transaction((tx) => tx.update(ann, copy))).rejects.toMatchObject({ status: 403 });
    await expect(store.transaction((tx) => tx.update(ann, { ...SEED[3], member: [{ entity: ref('Patient/ann') }] } as R))).rejects.toMatchObject({ status: 403 });
    await expect(store.transaction((tx) => tx.delete(ann, 'Group', 'g-both'))).rejects.toMatchObject({ status: 403 });
    await expect(store.transaction((tx) => tx.create(ann, { ...SEED[3], id: 'g-new' } as R))).rejects.toMatchObject({ status: 403 });
    for (const [type, id] of [['Group', 'g-both'], ['Observation', 'ob-ann']] as const) {
      const now = await store.read(system, type, id);
      expect([id, now?.versionId, text(now?.resource)]).toEqual([id, 1, expect.stringMatching(LEAK)]);
    }
  });
}
