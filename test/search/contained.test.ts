/**
 * `_contained` / `_containedType` (R4 search.html "contained"), over HTTP on both drivers: criteria
 * are evaluated inside contained resources (all of them within the same contained resource); the
 * containers are returned (`true`) or added to the ordinary matches (`both`), or with
 * `_containedType=contained` the contained resources themselves (fullUrl: container URL + `#id`).
 * What is not supported (_sort, chains, includes of contained matches) is a 400 OperationOutcome.
 */
import request from 'supertest';
import { createSearchRegistry } from '../../server/search/registry';
import { parseSearchParams } from '../../server/search/parse';
import { FhirError } from '../../server/core/fhir-error';
import { driversUnderTest } from '../support/databases';
import { type TestApp, startTestApp } from '../support/test-app';
import { matchKeys } from './helpers/matches';

const registry = createSearchRegistry();
const RX = 'http://www.nlm.nih.gov/research/umls/rxnorm';
const FORMS = 'http://snomed.info/sct';

describe('parsing _contained and _containedType', () => {
  const parse = (pairs: [string, string][], type = 'Medication') => parseSearchParams(registry, [type], pairs);

  it.each([
    [[['_contained', 'false']], undefined, undefined],
    [[['_contained', 'true']], 'true', undefined],
    [[['_contained', 'both'], ['_containedType', 'container']], 'both', undefined],
    [[['_contained', 'true'], ['_containedType', 'contained']], 'true', 'contained'],
    [[['_containedType', 'contained']], undefined, undefined],
  ] as [[string, string][], string | undefined, string | undefined][])('%j → %s %s', (pairs, mode, type) => {
    const { query, warnings } = parse(pairs);
    expect(query.contained).toBe(mode);
    expect(query.containedType).toBe(type);
    expect(warnings).toEqual([]);
  });

  it.each([
    [[['_contained', 'yes']], 'invalid'],
    [[['_containedType', 'inner']], 'invalid'],
    [[['_contained', 'true'], ['_sort', 'code']], 'not-supported'],
    [[['_contained', 'true'], ['_containedType', 'contained'], ['_include', 'Medication:manufacturer']], 'not-supported'],
  ] as [[string, string][], string][])('%j → 400 %s', (pairs, code) => {
    let error: unknown;
    try {
      parse(pairs);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FhirError);
    expect((error as FhirError).status).toBe(400);
    expect((error as FhirError).issues[0].code).toBe(code);
  });

  it('indexes contained resources under #Type:code rows, one group per contained resource', () => {
    const values = registry.extract({
      resourceType: 'MedicationRequest', id: 'x', status: 'active', intent: 'order', subject: { reference: 'Patient/1' }, medicationReference: { reference: '#m' },
      contained: [{ resourceType: 'Medication', id: 'm', code: { coding: [{ system: RX, code: '1' }] } }],
    } as never);
    expect(values.token).toEqual(expect.arrayContaining([
      expect.objectContaining({ param: '#Medication:code', system: RX, code: '1', group: 0 }),
      expect.objectContaining({ param: '#Medication:_id', code: 'm', group: 0 }),
    ]));
    expect(values.token.filter((t) => t.param === 'status')).toEqual([expect.objectContaining({ code: 'active' })]);
  });
});

const med = (id: string, code: string, form?: string) => ({
  resourceType: 'Medication', id, code: { coding: [{ system: RX, code }] }, ...(form ? { form: { coding: [{ system: FORMS, code: form }] } } : {}),
});
const request_ = (id: string, contained: object[]) => ({
  resourceType: 'MedicationRequest', id, status: 'active', intent: 'order', subject: { reference: 'Patient/pt' }, contained,
  medicationReference: { reference: `#${(contained[0] as { id: string }).id}` },
  // Every contained resource must be referenced from its container (dom-3).
  ...(contained.length > 1 ? { supportingInformation: contained.slice(1).map((c) => ({ reference: `#${(c as { id: string }).id}` })) } : {}),
});

describe.each(driversUnderTest())('_contained over HTTP on %s', (kind) => {
  let app: TestApp;
  const put = async (r: { resourceType: string; id: string }) => {
    const res = await request(app.http).put(`/fhir/${r.resourceType}/${r.id}`).set('Content-Type', 'application/fhir+json').send(r);
    if (![200, 201].includes(res.status)) throw new Error(`${r.resourceType}/${r.id}: ${res.status} ${JSON.stringify(res.body).slice(0, 600)}`);
  };
  beforeAll(async () => {
    app = await startTestApp(kind);
    await put({ resourceType: 'Patient', id: 'pt' } as never);
    await put(med('top', '111'));
    await put(request_('mr1', [med('m1', '111', 'tablet')]));
    await put(request_('mr2', [med('m2', '222', 'tablet'), med('m3', '111', 'capsule')]));
    await put({
      resourceType: 'Observation', id: 'obs', status: 'final', code: { text: 'x' },
      contained: [{ resourceType: 'Patient', id: 'p1', name: [{ family: 'Inside' }] }], subject: { reference: '#p1' },
    } as never);
  });
  afterAll(async () => { await app.dispose(); });

  const found = (url: string): Promise<string[]> => matchKeys(app.http, url);

  it.each([
    [`/fhir/Medication?code=${RX}|111`, ['Medication/top']],
    [`/fhir/Medication?code=${RX}|111&_contained=false`, ['Medication/top']],
    [`/fhir/Medication?code=${RX}|111&_contained=true`, ['MedicationRequest/mr1', 'MedicationRequest/mr2']],
    [`/fhir/Medication?code=${RX}|111&_contained=both`, ['Medication/top', 'MedicationRequest/mr1', 'MedicationRequest/mr2']],
    [`/fhir/Medication?code=${RX}|111&form=${FORMS}|tablet&_contained=true`, ['MedicationRequest/mr1']],
    [`/fhir/Medication?code=${RX}|222&form=${FORMS}|capsule&_contained=true`, []],
    [`/fhir/Medication?code:not=${RX}|111&_contained=true`, ['MedicationRequest/mr2']],
    ['/fhir/Medication?_id=m3&_contained=true', ['MedicationRequest/mr2']],
    ['/fhir/Medication?_contained=true&_containedType=container', ['MedicationRequest/mr1', 'MedicationRequest/mr2']],
    ['/fhir/Patient?family=Inside', []],
    ['/fhir/Patient?family=Inside&_contained=true', ['Observation/obs']],
    ['/fhir/MedicationRequest?status=active&_contained=true', []],
    // Chains are evaluated inside contained resources, through local references.
    ['/fhir/Observation?subject:Patient.name=Inside', ['Observation/obs']],
    ['/fhir/Observation?subject.name=Inside', ['Observation/obs']],
    ['/fhir/Observation?subject.name=Outside', []],
    [`/fhir/MedicationRequest?medication.code=${RX}|111`, ['MedicationRequest/mr1']],
    [`/fhir/MedicationRequest?medication.code=${RX}|222`, ['MedicationRequest/mr2']],
    ['/fhir/Observation?subject:missing=false', ['Observation/obs']],
  ])('GET %s', async (url, expected) => {
    expect(await found(url)).toEqual(expected);
  });

  it('pages through containers with signed cursors', async () => {
    const first = await request(app.http).get(`/fhir/Medication?code=${RX}|111&_contained=true&_count=1`);
    const next = (first.body.link as { relation: string; url: string }[]).find((l) => l.relation === 'next')?.url as string;
    const second = await request(app.http).get(new URL(next).pathname + new URL(next).search);
    expect([first.body.entry[0].resource.id, second.body.entry[0].resource.id].sort()).toEqual(['mr1', 'mr2']);
  });

  it('_containedType=contained returns the contained resources, with their container\'s URL and #id', async () => {
    const res = await request(app.http).get('/fhir/Patient?family=Inside&_contained=true&_containedType=contained');
    expect(res.status).toBe(200);
    expect(res.body.entry).toHaveLength(1);
    expect(res.body.entry[0].resource).toEqual({ resourceType: 'Patient', id: 'p1', name: [{ family: 'Inside' }] });
    expect(res.body.entry[0].fullUrl).toMatch(/\/fhir\/Observation\/obs#p1$/);
  });

  it('_contained=both&_containedType=contained pages through top-level and contained matches both ways, with totals', async () => {
    const qs = `/fhir/Medication?code=${RX}|111&_contained=both&_containedType=contained&_count=1&_total=accurate`;
    const urls: string[] = [];
    const pages: { link: { relation: string; url: string }[]; entry: { fullUrl: string }[]; total: number }[] = [];
    let url: string | undefined = qs;
    while (url) {
      const res = await request(app.http).get(url);
      if (res.status !== 200) throw new Error(`${url}: ${JSON.stringify(res.body)}`);
      pages.push(res.body);
      urls.push(...res.body.entry.map((e: { fullUrl: string }) => e.fullUrl.replace(/^.*\/fhir\//, '')));
      const next: string | undefined = res.body.link.find((l: { relation: string }) => l.relation === 'next')?.url;
      url = next ? new URL(next).pathname + new URL(next).search : undefined;
    }
    expect(urls).toEqual(['Medication/top', 'MedicationRequest/mr1#m1', 'MedicationRequest/mr2#m3']);
    expect(pages.map((p) => p.total)).toEqual([3, 3, 3]);
    const prev = pages[2].link.find((l) => l.relation === 'previous')?.url as string;
    const back = await request(app.http).get(new URL(prev).pathname + new URL(prev).search);
    expect(back.body.entry[0].fullUrl).toMatch(/MedicationRequest\/mr1#m1$/);
  });

  it('a rewritten container is found by its new contained resources only', async () => {
    await put(request_('mr1', [med('m1', '333')]));
    expect(await found(`/fhir/Medication?code=${RX}|111&_contained=true`)).toEqual(['MedicationRequest/mr2']);
    expect(await found(`/fhir/Medication?code=${RX}|333&_contained=true`)).toEqual(['MedicationRequest/mr1']);
    await request(app.http).delete('/fhir/MedicationRequest/mr1');
    expect(await found(`/fhir/Medication?code=${RX}|333&_contained=true`)).toEqual([]);
  });

  it.each([
    '/fhir/Medication?_contained=true&_sort=code',
    '/fhir/Medication?_contained=true&_containedType=contained&_revinclude=MedicationRequest:medication',
    '/fhir/Patient?organization.name=x&_contained=true',
    '/fhir/Patient/pt/Medication?_contained=true',
  ])('%s → 400 OperationOutcome', async (url) => {
    const res = await request(app.http).get(url);
    expect(res.status).toBe(400);
    expect(res.body.resourceType).toBe('OperationOutcome');
  });
});
