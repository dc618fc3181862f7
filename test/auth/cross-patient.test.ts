/**
 * Cross-patient access (IDOR) through the real app with tokens from the real authorization server: Alice's
 * patient-context token tries every path to Bruno's data — read, vread, history, searches with totals and
 * paging, includes with :iterate, chains, _has, _id, compartment searches, $everything/$document/$twin,
 * Bundles, conditional and plain writes. Every response body is scanned for Bruno's ids and Bruno-only values;
 * totals must equal Alice's own counts. A user token sees Bruno through the same requests (so the scan can fail).
 */
import { type SmartWorld, startSmartWorld } from './smart-setup';
import { ALICE_SEES, BRUNO, BRUNO_MARKERS, TWO_PATIENTS, dataOf, seedCrossPatient } from './cross-patient-seed';

jest.setTimeout(180_000);

let w: SmartWorld;
let alice: string;
let user: string;
let system: string;
const ALICE_OBS = ALICE_SEES.filter((r) => r.resourceType === 'Observation').map((r) => r.id).sort();

beforeAll(async () => {
  w = await startSmartWorld();
  system = await seedCrossPatient(w);
  alice = (await w.user({ scope: 'openid fhirUser launch/patient patient/*.cruds', patient: 'maria' })).access_token;
  user = (await w.user({ scope: 'openid fhirUser user/*.rs' })).access_token;
});
afterAll(async () => { await w?.close(); });

/** A request as Alice: the body must carry nothing of Bruno's. */
async function asAlice(path: string, init: Parameters<SmartWorld['fhir']>[2] = {}): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await w.fhir(path, alice, init);
  expect({ path, leaked: dataOf(res.body).match(BRUNO_MARKERS)?.[0] }).toEqual({ path, leaked: undefined });
  return res;
}
const entryIds = (body: any): string[] => (body.entry ?? []).map((e: any) => e.resource?.id).filter(Boolean).sort();

describe('Alice\'s token never reaches Bruno', () => {
  test('the scan catches Bruno\'s data when it is there (user token, same requests)', async () => {
    const res = await w.fhir('Observation?_include=Observation:performer&_revinclude:iterate=Observation:derived-from', user);
    expect(dataOf(res.body)).toMatch(BRUNO_MARKERS);
  });

  test.each(BRUNO.map((r) => [r.resourceType, r.id]))('read, vread and instance history of %s/%s → 404', async (type, id) => {
    for (const path of [`${type}/${id}`, `${type}/${id}/_history/1`, `${type}/${id}/_history`]) expect((await asAlice(path)).status).toBe(404);
    expect((await w.fhir(`${type}/${id}`, system)).status).toBe(200);
  });

  test('type searches: her rows only, _total equal to her own count', async () => {
    const res = await asAlice('Observation?_total=accurate&_count=100');
    expect(entryIds(res.body)).toEqual(ALICE_OBS);
    expect(res.body.total).toBe(ALICE_OBS.length);
    for (const type of ['Condition', 'Encounter', 'DocumentReference', 'Provenance', 'Group', 'Patient', 'Appointment', 'CareTeam']) {
      const own = ALICE_SEES.filter((r) => r.resourceType === type).map((r) => r.id).sort();
      const r = await asAlice(`${type}?_total=accurate`);
      expect([type, entryIds(r.body), r.body.total]).toEqual([type, own, own.length]);
    }
  });

  test('paging with _count=1 walks her Observations only', async () => {
    const seen: string[] = [];
    let path: string | undefined = 'Observation?_count=1&_sort=-date&_total=accurate';
    for (let i = 0; path && i < 20; i++) {
      const res = await asAlice(path);
      expect(res.body.total).toBe(ALICE_OBS.length);
      seen.push(...entryIds(res.body));
      const next: string | undefined = res.body.link?.find((l: any) => l.relation === 'next')?.url;
      path = next ? next.slice(w.fhirBase.length + 1) : undefined;
    }
    expect(seen.sort()).toEqual(ALICE_OBS);
  });

  test('includes, :iterate, chains, _has and _id reach nothing of his', async () => {
    const include = await asAlice('Observation?_include=Observation:performer&_revinclude:iterate=Observation:performer&_revinclude=Provenance:target&_revinclude:iterate=Observation:derived-from');
    expect(entryIds(include.body)).toEqual(expect.arrayContaining(['prov-a', ...ALICE_OBS]));
    expect((await asAlice('Provenance?_include:iterate=Provenance:target')).status).toBe(200);
    for (const q of ['Observation?subject:Patient.name=Zeller', 'Observation?subject.identifier=urn:mrn|MRN-ZELLER', 'Patient?_has:Condition:subject:code:text=Brunonian',
      'Observation?_has:Observation:derived-from:subject=Patient/sofia', 'Observation?_id=obs-b1,obs-b2', 'Condition?subject=Patient/sofia', 'Patient?name=Zeller',
      'Patient/maria/Observation?_id=obs-b1', 'Condition?_content=Brunonian', 'Patient?_content=Zeller', 'DocumentReference?_content=Zeller']) {
      const res = await asAlice(q);
      expect([q, res.status, entryIds(res.body)]).toEqual([q, 200, []]);
    }
  });

  // Search predicates see only what she is shown (issue 11): an element masked in her copy (his identifier or
  // id in her Observation, his name in a contained Patient, a narrative naming him) matches nothing, so a
  // search is no oracle for what a hidden element holds. Each query finds something for the user token.
  test('searches on masked elements of her own resources find nothing', async () => {
    for (const q of ['Observation?_content=Zeller', 'Observation?performer:identifier=urn:mrn|MRN-ZELLER', 'Observation?performer:identifier=MRN-ZELLER',
      'Group?member=Patient/sofia', 'Provenance?target=Patient/sofia', 'Appointment?_text=Zeller', 'Observation?derived-from=Observation/obs-b1',
      'Patient?link=Patient/sofia', 'CareTeam?participant=Patient/sofia', 'Group?_content=Bruno']) {
      expect([q, entryIds((await w.fhir(q, user)).body).length > 0]).toEqual([q, true]);
      expect([q, entryIds((await asAlice(q)).body)]).toEqual([q, []]);
    }
  });

  test('searches on what she is shown of the same resources still find them', async () => {
    const found = async (q: string): Promise<string[]> => entryIds((await asAlice(q)).body);
    expect(await found('Group?member=Patient/maria')).toEqual(['grp-a', 'team-both']);
    expect(await found('Condition?_content=asthma')).toEqual(['cond-a']);
    expect(await found('Appointment?_content=booked')).toEqual(['appt-two']);
  });

  test('history: type history lists her versions only; system history needs more than patient scopes', async () => {
    const res = await asAlice('Observation/_history?_count=100');
    expect(res.status).toBe(200);
    expect([...new Set(entryIds(res.body))].sort()).toEqual(ALICE_OBS);
    expect((await asAlice('_history')).status).toBe(403);
  });

  test('compartment searches and operations on Bruno → 404', async () => {
    expect((await w.fhir('Patient/sofia/$twin', system, { method: 'POST' })).status).toBe(200);
    const twinId = entryIds((await w.fhir('Composition?subject=Patient/sofia', system)).body)[0];
    expect(twinId).toBeDefined();
    for (const [method, path] of [['GET', 'Patient/sofia/*'], ['GET', 'Patient/sofia/Observation'], ['GET', 'Patient/sofia/$everything'],
      ['POST', 'Patient/sofia/$twin'], ['GET', `Composition/${twinId}/$document`], ['GET', `Composition/${twinId}`],
      ['POST', 'DocumentReference/doc-b/$extract'], ['GET', 'Condition/cond-b/$validate']]) {
      const body = method === 'POST' ? { resourceType: 'Parameters' } : undefined;
      expect([path, (await asAlice(path, { method, body })).status]).toEqual([path, 404]);
    }
    const mine = await asAlice('Patient/maria/$everything');
    expect(entryIds(mine.body)).toEqual(expect.arrayContaining(['maria', ...ALICE_OBS, 'cond-a', 'enc-a', 'doc-a', 'grp-a', 'prov-a']));
    expect((await asAlice('Patient/maria/$twin', { method: 'POST' })).status).toBe(200);
  });

  test('batch and transaction entries are confined each', async () => {
    const batch = { resourceType: 'Bundle', type: 'batch', entry: [
      { request: { method: 'GET', url: 'Observation/obs-a1' } }, { request: { method: 'GET', url: 'Observation/obs-b1' } },
      { request: { method: 'GET', url: 'Observation?_total=accurate' } }, { request: { method: 'GET', url: 'Patient/sofia/_history/1' } },
      { request: { method: 'PUT', url: 'Observation/obs-b2' }, resource: { ...BRUNO[2], subject: { reference: 'Patient/maria' } } },
    ] };
    const res = await asAlice('', { method: 'POST', body: batch });
    expect(res.body.entry.map((e: any) => e.response.status.slice(0, 3))).toEqual(['200', '404', '200', '404', '403']);
    expect(res.body.entry[2].resource.total).toBe(ALICE_OBS.length);
    const tx = { resourceType: 'Bundle', type: 'transaction', entry: [{ request: { method: 'DELETE', url: 'Condition/cond-b' } }] };
    expect((await asAlice('', { method: 'POST', body: tx })).status).toBe(403);
    expect((await w.fhir('Condition/cond-b', system)).status).toBe(200);
  });

  test('conditional and plain writes with his criteria change nothing of his', async () => {
    const mine = { resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: 'Patient/maria' } };
    const created = await asAlice('Observation', { method: 'POST', body: mine, headers: { 'If-None-Exist': '_id=obs-b1' } });
    expect(created.status).toBe(201);
    expect((await asAlice('Observation?_id=obs-b2', { method: 'PUT', body: mine })).status).toBe(201);
    expect((await asAlice('Observation?_id=obs-b3', { method: 'DELETE' })).status).toBeLessThan(300);
    expect((await asAlice('Observation/obs-b1', { method: 'PUT', body: { ...mine, id: 'obs-b1' } })).status).toBe(403);
    expect((await asAlice('Observation/obs-b1', { method: 'DELETE' })).status).toBe(403);
    expect((await asAlice('Observation/obs-b1', { method: 'PATCH', body: [{ op: 'replace', path: '/status', value: 'amended' }], headers: { 'Content-Type': 'application/json-patch+json' } })).status).toBe(404);
    expect((await asAlice('Observation', { method: 'POST', body: { ...mine, subject: { reference: 'Patient/sofia' } } })).status).toBe(403);
    for (const id of ['obs-b1', 'obs-b2', 'obs-b3']) {
      const theirs = await w.fhir(`Observation/${id}`, system);
      expect([id, theirs.status, theirs.body.meta.versionId, theirs.body.subject.reference]).toEqual([id, 200, '1', 'Patient/sofia']);
    }
  });
});

const isMasked = (r: any): boolean => (r?.meta?.security ?? []).some((c: any) => c.code === 'MASKED' && c.system === 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue');
const TWO = TWO_PATIENTS.map((r) => [r.resourceType, r.id] as [string, string]);

describe('resources naming both patients reach Alice with Bruno masked', () => {
  test('unmasked they carry Bruno\'s ids (system token: the scan can fail)', async () => {
    for (const [type, id] of TWO) expect([id, dataOf((await w.fhir(`${type}/${id}`, system)).body)]).toEqual([id, expect.stringMatching(BRUNO_MARKERS)]);
  });

  test.each(TWO)('read, vread and history of %s/%s: MASKED, her own references kept, data-absent-reason in place', async (type, id) => {
    for (const path of [`${type}/${id}`, `${type}/${id}/_history/1`]) {
      const res = await asAlice(path);
      expect([path, res.status, isMasked(res.body)]).toEqual([path, 200, true]);
      // a contained Patient becomes a labelled stub (no data-absent-reason: that extension is for elements, not resources)
      if (id !== 'obs-contained-his') expect(JSON.stringify(res.body)).toMatch(/"valueCode":"masked"/);
      if (id !== 'alias-pat' && type !== 'Provenance') expect(JSON.stringify(res.body)).toMatch(/Patient\/maria|"reference":"Observation\/obs-a1"/);
    }
    const history = await asAlice(`${type}/${id}/_history`);
    expect(history.body.entry.map((e: any) => isMasked(e.resource))).toEqual([true]);
  });

  test('identifier references and contained Patients: his masked, hers kept, the contained stub keeps its local id', async () => {
    const byIdentifier = (await asAlice('Observation/obs-by-identifier')).body;
    expect(byIdentifier.performer.slice(1).map((p: any) => [p.identifier, p.extension?.[0]?.valueCode])).toEqual([[undefined, 'masked'], [undefined, 'masked']]);
    expect(byIdentifier.focus).toEqual([{ type: 'Patient', identifier: { system: 'urn:mrn', value: 'MRN-ASHBY' } }]);
    const contained = (await asAlice('Observation/obs-contained-his')).body;
    expect([contained.contained, contained.focus]).toEqual([[{ resourceType: 'Patient', id: 'c1', meta: { security: [expect.objectContaining({ code: 'MASKED' })] } }], [{ reference: '#c1' }]]);
  });

  test('searches with includes, $everything, batch entries and her bulk export carry them masked', async () => {
    const found = await asAlice('Group?member=Patient/maria&_include=Group:member');
    expect(entryIds(found.body)).toEqual(['grp-a', 'maria', 'team-both']);
    for (const q of ['Provenance?_include=Provenance:target', 'Appointment?actor=Patient/maria', 'CareTeam?_revinclude=Provenance:target', 'Patient?link=Patient/maria', 'Observation?_id=obs-from-his']) {
      const res = await asAlice(q);
      expect([q, res.status, (res.body.entry ?? []).length > 0]).toEqual([q, 200, true]);
    }
    const everything = await asAlice('Patient/maria/$everything');
    const shared = everything.body.entry.filter((e: any) => TWO.some(([, id]) => id === e.resource.id));
    expect(shared.map((e: any) => [e.resource.id, isMasked(e.resource)]).sort()).toEqual(TWO.map(([, id]) => [id, true]).sort());
    const batch = await asAlice('', { method: 'POST', body: { resourceType: 'Bundle', type: 'batch', entry: TWO.map(([t, id]) => ({ request: { method: 'GET', url: `${t}/${id}` } })) } });
    expect(batch.body.entry.map((e: any) => isMasked(e.resource))).toEqual(TWO.map(() => true));
    const kick = await asAlice('Patient/$export?_type=Group,Provenance,Appointment,CareTeam,Patient,Observation', { headers: { Prefer: 'respond-async' } });
    expect(kick.status).toBe(202);
    const status = (kick.headers.get('content-location') as string).slice(w.fhirBase.length + 1);
    let manifest = await w.fhir(status, alice);
    for (let i = 0; manifest.status === 202 && i < 300; i++) manifest = (await new Promise((r) => setTimeout(r, 100)), await w.fhir(status, alice));
    const lines = [];
    for (const out of manifest.body.output) {
      const file = (await asAlice(out.url.slice(w.fhirBase.length + 1))).body;
      // a one-line file arrives parsed (the helper tries JSON first)
      lines.push(...(typeof file === 'string' ? file.trim().split('\n') : [JSON.stringify(file)]));
    }
    const exported = lines.map((l) => JSON.parse(l)).filter((r) => TWO.some(([, id]) => id === r.id));
    expect(exported.map((r) => [r.id, isMasked(r)]).sort()).toEqual(TWO.map(([, id]) => [id, true]).sort());
  });

  test('her token cannot write them back or change them: the hidden references survive', async () => {
    const copy = (await asAlice('Group/team-both')).body;
    const { meta: _m, ...cleaned } = { ...copy, member: [{ entity: { reference: 'Patient/maria' } }] };
    const derived = (await asAlice('Observation/obs-from-his')).body;
    const attempts: [string, string, unknown, Record<string, string>?][] = [
      ['PUT', 'Group/team-both', copy], ['PUT', 'Group/team-both', cleaned], ['DELETE', 'Group/team-both', undefined],
      ['PATCH', 'Group/team-both', [{ op: 'remove', path: '/member/1' }], { 'Content-Type': 'application/json-patch+json' }],
      ['PUT', 'Observation/obs-from-his', derived], ['PUT', 'Patient/alias-pat', { resourceType: 'Patient', id: 'alias-pat' }],
    ];
    for (const [method, path, body, headers] of attempts) expect([method, path, (await asAlice(path, { method, body, headers })).status]).toEqual([method, path, 403]);
    for (const [type, id] of TWO) {
      const theirs = await w.fhir(`${type}/${id}`, system);
      expect([id, theirs.body.meta.versionId, isMasked(theirs.body), dataOf(theirs.body)]).toEqual([id, '1', false, expect.stringMatching(BRUNO_MARKERS)]);
    }
  });
});
