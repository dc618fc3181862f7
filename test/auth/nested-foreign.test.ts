/**
 * Foreign data inside resources outside Bruno's compartment (issue 11), through the real app and IdP: stored
 * Bundles carrying both patients' records, her resources containing or listing his, and resources in no
 * compartment naming him. Alice's patient-scoped token never reads a stored Bundle (Bundle is in no Patient
 * compartment); with a user/Bundle.rs grant beside it she reads them with every entry that is not hers cut to a
 * stub and its url strings masked, through read, vread, history, search, batch and her bulk export alike.
 * Every body is scanned for Bruno's ids and values (cross-patient-seed.ts).
 */
import type { Bundle, Observation } from 'fhir/r4';
import { type SmartWorld, startSmartWorld } from './smart-setup';
import { BRUNO_MARKERS, dataOf, seedCrossPatient } from './cross-patient-seed';
import { BUNDLES, HER_CARRIERS, HER_ENTRIES, HER_OWN, NESTED_SEED, NO_COMPARTMENT } from './nested-foreign-seed';

jest.setTimeout(180_000);

let w: SmartWorld;
let system: string;
let alice: string;
let aliceBundles: string;

beforeAll(async () => {
  w = await startSmartWorld();
  system = await seedCrossPatient(w);
  for (const r of NESTED_SEED) {
    const res = await w.fhir(`${r.resourceType}/${r.id}`, system, { method: 'PUT', body: r });
    if (res.status !== 201) throw new Error(`seeding ${r.resourceType}/${r.id}: ${res.status} ${JSON.stringify(res.body)}`);
  }
  alice = (await w.user({ scope: 'openid fhirUser launch/patient patient/*.rs', patient: 'maria' })).access_token;
  aliceBundles = (await w.user({ scope: 'openid fhirUser launch/patient patient/*.rs user/Bundle.rs', patient: 'maria' })).access_token;
});
afterAll(async () => { await w?.close(); });

type Res = { status: number; body: any };
/** A request with one of Alice's tokens: the body must carry nothing of Bruno's. */
async function as(token: string, path: string, init: Parameters<SmartWorld['fhir']>[2] = {}): Promise<Res> {
  const res = await w.fhir(path, token, init);
  expect({ path, leaked: dataOf(res.body).match(BRUNO_MARKERS)?.[0] }).toEqual({ path, leaked: undefined });
  return res;
}
const entryIds = (body: any): string[] => (body.entry ?? []).map((e: any) => e.resource?.id).filter(Boolean).sort();
const isMasked = (r: any): boolean => (r?.meta?.security ?? []).some((c: any) => c.code === 'MASKED');

test('unmasked, every seeded carrier holds Bruno\'s data (system token: the scan can fail)', async () => {
  for (const r of NESTED_SEED.filter((x) => !HER_OWN.includes(x))) expect([r.id, dataOf((await w.fhir(`${r.resourceType}/${r.id}`, system)).body)]).toEqual([r.id, expect.stringMatching(BRUNO_MARKERS)]);
});

describe('patient scopes only', () => {
  test('stored Bundles and resources in no compartment: 404 on read, vread, history; searches and includes find none', async () => {
    for (const r of [...BUNDLES, ...NO_COMPARTMENT]) {
      for (const path of [`${r.resourceType}/${r.id}`, `${r.resourceType}/${r.id}/_history/1`, `${r.resourceType}/${r.id}/_history`]) {
        expect([path, (await as(alice, path)).status]).toEqual([path, 404]);
      }
    }
    const lists = await as(alice, 'List?_total=accurate');
    expect([entryIds(lists.body), lists.body.total]).toEqual([['list-a'], 1]);
    expect(entryIds((await as(alice, 'Observation?_id=obs-a1&_revinclude=List:item')).body)).toEqual(['list-a', 'obs-a1']);
    expect(entryIds((await as(alice, 'Condition?_id=cond-a&_revinclude=Composition:entry')).body)).toEqual(['comp-a', 'cond-a']);
  });

  test('her carriers come back with his records masked: contained Condition cut to a stub, list items, sections, evaluated resources', async () => {
    const carrier = (await as(alice, 'Observation/obs-contains-his')).body;
    const [, ...hers] = (HER_CARRIERS[0] as Observation).contained ?? [];
    expect([isMasked(carrier), carrier.contained]).toEqual([true, [{ resourceType: 'Condition', id: 'c1', meta: { security: [expect.objectContaining({ code: 'MASKED' })] } }, ...hers]]);
    const list = (await as(alice, 'List/list-a')).body;
    expect(list.entry.map((e: any) => e.item.reference ?? e.item.extension[0].valueCode)).toEqual(['masked', 'masked', 'Observation/obs-a1']);
    for (const r of HER_CARRIERS.slice(2)) expect([r.id, isMasked((await as(alice, `${r.resourceType}/${r.id}`)).body)]).toEqual([r.id, true]);
  });

  test('searches with includes, $everything and batch reads of them stay clean', async () => {
    for (const q of ['List?_include=List:item', 'Composition?_include=Composition:entry', 'MeasureReport?_include=MeasureReport:evaluated-resource',
      'DocumentManifest?_include=DocumentManifest:item', 'Observation?_id=obs-contains-his', 'Patient/maria/$everything', 'Patient/maria/List']) {
      expect([q, (await as(alice, q)).status]).toEqual([q, 200]);
    }
    const everything = await as(alice, 'Patient/maria/$everything?_count=500');
    expect(entryIds(everything.body)).toEqual(expect.arrayContaining(HER_CARRIERS.map((r) => r.id)));
    const batch = { resourceType: 'Bundle', type: 'batch', entry: NESTED_SEED.map((r) => ({ request: { method: 'GET', url: `${r.resourceType}/${r.id}` } })) };
    const res = await as(alice, '', { method: 'POST', body: batch });
    expect(res.body.entry.map((e: any) => e.response.status.slice(0, 3))).toEqual(NESTED_SEED.map((r) => ([...HER_CARRIERS, ...HER_OWN].includes(r) ? '200' : '404')));
  });

  test('searches on elements masked in her copies find nothing; on what she is shown they find it', async () => {
    const user = (await w.user({ scope: 'openid fhirUser user/*.rs' })).access_token;
    // narrative dropped (list-a names a record of his), a contained Condition of his, items naming his records
    for (const q of ['List?_text=relative', 'Observation?_content=Brunonian', 'List?item=Observation/obs-b1', 'MeasureReport?evaluated-resource=Observation/obs-b1',
      // contained resources cut in her copies: neither found through nor returned by a contained search
      'Condition?code:text=Brunonian&_contained=true', 'Condition?subject=Patient/sofia&_contained=true&_containedType=contained', 'Patient?name=Bruno&_contained=true',
      'Patient?identifier=MRN-ZELLER&_contained=true&_containedType=contained']) {
      expect([q, entryIds((await w.fhir(q, user)).body).length > 0]).toEqual([q, true]);
      const res = await as(alice, q);
      expect([q, res.status, entryIds(res.body)]).toEqual([q, 200, []]);
    }
    for (const [q, ids] of [['Observation?_text=home', ['obs-own-narrative']], ['Observation?performer:identifier=urn:mrn|MRN-ASHBY', ['obs-own-identifier']],
      ['Observation?derived-from=Observation/obs-a1', ['obs-own-narrative']], ['Observation?_content=drawn', []], ['List?item=Observation/obs-a1', ['list-a']],
      ['Observation?_content=metformin', ['obs-contains-his']], ['Condition?code:text=eczema&_contained=true', ['obs-contains-his']],
      ['Patient?identifier=urn:mrn|MRN-ASHBY&_contained=true', ['obs-contains-his']], ['Observation?_content=fasting', ['obs-own-identifier', 'obs-own-narrative']]] as const) {
      expect([q, entryIds((await as(alice, q)).body)]).toEqual([q, ids]);
    }
  });
});

describe('patient scopes with user/Bundle.rs: stored Bundles readable, entries judged one by one', () => {
  const mixedPaths = ['Bundle/bdl-mixed', 'Bundle/bdl-mixed/_history/1'];

  test('read and vread: her entries whole, his cut to stubs, their url strings and the names in the links masked', async () => {
    for (const path of mixedPaths) {
      const b = (await as(aliceBundles, path)).body;
      expect([path, isMasked(b), b.entry.slice(0, 2)]).toEqual([path, true, HER_ENTRIES]);
      expect(b.entry.slice(2, 5).map((e: any) => [Object.keys(e).sort(), e.resource.meta.security[0].code, e._fullUrl.extension[0].valueCode]))
        .toEqual([['_fullUrl', 'resource'], ['_fullUrl', 'resource'], ['_fullUrl', 'resource']].map((k) => [k, 'MASKED', 'masked']));
      expect([b.link[0].relation, b.link[0].url, b.link[0]._url.extension[0].valueCode]).toEqual(['self', undefined, 'masked']);
    }
  });

  test('a stored history Bundle: her entry whole; his resource, request urls, conditions and locations masked, methods and statuses kept', async () => {
    const b = (await as(aliceBundles, 'Bundle/bdl-history')).body;
    expect(b.entry[0]).toEqual((BUNDLES.find((r) => r.id === 'bdl-history') as Bundle).entry?.[0]);
    const masked = { extension: [expect.objectContaining({ valueCode: 'masked' })] };
    expect(b.entry.slice(1)).toEqual([
      { _fullUrl: masked, resource: expect.objectContaining({ resourceType: 'Observation', meta: expect.anything() }), request: { method: 'PUT', _url: masked }, response: { status: '200', _location: masked } },
      { request: { method: 'DELETE', _url: masked }, response: { status: '204', _location: masked } },
      { request: { method: 'POST', url: 'Observation', _ifNoneExist: masked }, response: { status: '200' } },
    ]);
  });

  test('history, searches, batch and a document of his: nothing of Bruno\'s', async () => {
    for (const q of ['Bundle/bdl-mixed/_history', 'Bundle/_history', 'Bundle?_total=accurate', 'Bundle?type=document', 'Bundle/bdl-his-document']) {
      const res = await as(aliceBundles, q);
      expect([q, res.status]).toEqual([q, 200]);
    }
    const doc = (await as(aliceBundles, 'Bundle/bdl-his-document')).body;
    expect(doc.entry.map((e: any) => [e.resource.resourceType, isMasked(e.resource)])).toEqual([['Composition', true], ['Patient', true]]);
    const batch = { resourceType: 'Bundle', type: 'batch', entry: BUNDLES.map((r) => ({ request: { method: 'GET', url: `Bundle/${r.id}` } })) };
    expect((await as(aliceBundles, '', { method: 'POST', body: batch })).body.entry.map((e: any) => isMasked(e.resource))).toEqual(BUNDLES.map(() => true));
  });

  test('her token still cannot write a masked Bundle back over the stored one', async () => {
    const copy = (await as(aliceBundles, 'Bundle/bdl-mixed')).body;
    expect((await as(aliceBundles, 'Bundle/bdl-mixed', { method: 'PUT', body: copy })).status).toBe(403);
    expect(dataOf((await w.fhir('Bundle/bdl-mixed', system)).body)).toMatch(BRUNO_MARKERS);
  });
});
