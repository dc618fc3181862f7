/**
 * Property: whatever search a patient-confined context sends — random combinations of criteria, chains,
 * _has, includes with :iterate, sorts and totals — every row it gets back is in Alice's compartment, and
 * for plain criteria it gets exactly the unconfined answer's rows that are. Membership is computed
 * independently of the row restriction: by the unconfined compartment search (`Patient/alice/*`, the
 * idx_reference path) over the same data. Runs on every driver.
 */
import fc from 'fast-check';
import type { Resource } from 'fhir/r4';
import { type AccessContext, systemContext } from '../../server/core/access-context';
import { createSearchRegistry } from '../../server/search/registry';
import { parseSearchParams } from '../../server/search/parse';
import type { ResourceStore } from '../../server/store/types';
import { COMPARTMENT_SEED } from '../contracts/store-compartment-contract';
import { driversUnderTest } from '../support/databases';
import { type TestStore, openTestStore } from '../support/test-store';
import { queryPairs } from '../search/helpers/query';

jest.setTimeout(300_000);

const registry = createSearchRegistry();
const system = systemContext('property');
const restriction = { patient: 'alice', exemptTypes: [] as string[] };
const alice: AccessContext = { ...system, patient: 'alice', readRestriction: restriction, writeRestriction: restriction };
const PATIENTS = ['alice', 'bruno', 'carl'];

/** A deterministic random world: Observations, Conditions and Encounters pointing at random patients and at each other. */
function world(): (Resource & { id: string })[] {
  const pick = <T>(xs: T[], i: number): T => xs[i % xs.length];
  const out: (Resource & { id: string })[] = [{ resourceType: 'Patient', id: 'carl', name: [{ family: 'Carlsson' }], link: [{ other: { reference: 'Patient/alice' }, type: 'seealso' }] } as Resource & { id: string }];
  const [nums] = fc.sample(fc.array(fc.nat(1000), { minLength: 240, maxLength: 240 }), { seed: 42, numRuns: 1 });
  for (let i = 0; i < 40; i++) {
    const n = nums.slice(i * 6, i * 6 + 6);
    const subject = { reference: `Patient/${pick(PATIENTS, n[0])}` };
    out.push({
      resourceType: 'Observation', id: `o${i}`, status: 'final', code: { coding: [{ system: 'urn:c', code: `c${n[1] % 3}` }] }, subject,
      performer: [{ reference: n[2] % 3 === 0 ? `Patient/${pick(PATIENTS, n[3])}` : 'Practitioner/dr' }],
      ...(i > 0 && n[4] % 2 ? { derivedFrom: [{ reference: `Observation/o${n[5] % i}` }] } : {}),
    } as Resource & { id: string });
    if (i % 3 === 0) out.push({ resourceType: 'Condition', id: `k${i}`, subject, code: { text: `t${n[1] % 2}` } } as Resource & { id: string });
    if (i % 4 === 0) out.push({ resourceType: 'Encounter', id: `e${i}`, status: 'finished', class: { code: 'AMB' }, subject } as Resource & { id: string });
  }
  return out;
}

const TYPES = ['Observation', 'Condition', 'Encounter', 'Patient', 'Practitioner'] as const;
/**
 * Parameters by type; `true` marks those whose other end the restriction also confines; 'masked' those that
 * test an element masked in her copies (a reference to another patient), which match none of her rows.
 */
const PARAMS: Record<(typeof TYPES)[number], [string, boolean | 'masked'][]> = {
  Observation: [['code=c0', false], ['code=c1,c2', false], ['subject=Patient/bruno', 'masked'], ['subject=Patient/alice', false], ['performer=Patient/alice', false],
    ['_id=o1,o2,o3,o4,o5', false], ['subject:Patient.name=Zeller', true], ['derived-from:Observation.code=c1', true], ['_has:Observation:derived-from:code=c2', true],
    ['_include=Observation:performer', false], ['_revinclude:iterate=Observation:derived-from', false], ['_include:iterate=Observation:derived-from', false],
    ['_revinclude=Provenance:target', false], ['_sort=-_lastUpdated', false], ['_sort=code', false]],
  Condition: [['code:text=t1', false], ['subject=Patient/carl', false], ['subject:Patient.name=Carlsson', true], ['_include=Condition:subject', false]],
  Encounter: [['subject=Patient/bruno', false], ['_revinclude=Observation:encounter', false], ['_id=e0,e4', false]],
  Patient: [['name=Zeller', false], ['_has:Observation:subject:code=c1', true], ['link=Patient/alice', false], ['_revinclude=Observation:subject', false], ['_id=alice,bruno,carl', false]],
  Practitioner: [['_revinclude:iterate=Observation:performer', false]],
};

const query = fc.constantFrom(...TYPES).chain((type) => fc.tuple(fc.constant(type), fc.subarray(PARAMS[type], { maxLength: Math.min(4, PARAMS[type].length) })));

describe.each(driversUnderTest())('patient row restriction property on %s', (kind) => {
  let t: TestStore;
  let store: ResourceStore;
  let members: Set<string>;
  beforeAll(async () => {
    t = await openTestStore(kind);
    store = t.store;
    await store.transaction((tx) => tx.createMany(system, [...COMPARTMENT_SEED, ...world()]));
    const all = parseSearchParams(registry, [], queryPairs('_count=1000')).query;
    const found = await store.search(system, { ...all, compartment: { resourceType: 'Patient', id: 'alice' } });
    members = new Set(['Patient/alice', ...found.matches.map((r) => `${r.resourceType}/${r.id ?? ''}`)]);
  });
  afterAll(async () => { await t?.dispose(); });

  test('the independent membership is neither empty nor everything', () => {
    expect(members.has('Patient/carl')).toBe(true);
    expect(members.size).toBeGreaterThan(10);
    expect(members.has('Patient/bruno')).toBe(false);
  });

  test('no search returns, counts or includes a row outside her compartment', async () => {
    await fc.assert(fc.asyncProperty(query, async ([type, params]) => {
      const qs = ['_count=1000', '_total=accurate', ...params.map(([p]) => p)].join('&');
      const { query: q } = parseSearchParams(registry, [type], queryPairs(qs));
      const key = (r: Resource) => `${r.resourceType}/${r.id ?? ''}`;
      const mine = await store.search(alice, q);
      const open = await store.search(system, q);
      const got = mine.matches.map(key);
      expect(got.filter((k) => !members.has(k))).toEqual([]);
      expect(mine.includes.map(key).filter((k) => !members.has(k))).toEqual([]);
      expect(mine.total).toBe(got.length);
      const expected = open.matches.map(key).filter((k) => members.has(k)).sort();
      if (params.some(([, kind]) => kind === 'masked')) expect(got).toEqual([]);
      else if (params.some(([, chain]) => chain)) expect(expected).toEqual(expect.arrayContaining(got));
      else expect([...got].sort()).toEqual(expected);
    }), { numRuns: 60, seed: 7 });
  });
});
