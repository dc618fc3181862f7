/**
 * Compartment search over HTTP for all five official R4 CompartmentDefinitions (Patient, Encounter,
 * RelatedPerson, Practitioner, Device), `{def}` and `/*`, on both drivers; the bundled definitions
 * equal the HL7 R4 package's.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { createSearchRegistry } from '../../server/search/registry';
import { driversUnderTest } from '../support/databases';
import { type TestApp, startTestApp } from '../support/test-app';
import { matchKeys } from './helpers/matches';

const FHIR = 'application/fhir+json';
const LOINC = 'http://loinc.org';

interface CompartmentDefinitionJson { code: string; resource: { code: string; param?: string[] }[] }

describe('bundled CompartmentDefinitions', () => {
  const registry = createSearchRegistry();
  it.each(['patient', 'encounter', 'relatedPerson', 'practitioner', 'device'])('%s equals the HL7 R4 definition', (name) => {
    const dir = path.dirname(require.resolve('hl7.fhir.r4.examples/package.json'));
    const def = JSON.parse(readFileSync(path.join(dir, `CompartmentDefinition-${name}.json`), 'utf8')) as CompartmentDefinitionJson;
    const withParams = def.resource.filter((r) => r.param?.length);
    expect(registry.compartmentTypes(def.code).sort()).toEqual(withParams.map((r) => r.code).sort());
    for (const r of withParams) expect(registry.compartmentParams(def.code, r.code)).toEqual(r.param);
  });
});

const put = (resource: { resourceType: string; id: string } & Record<string, unknown>) => ({ resource, request: { method: 'PUT', url: `${resource.resourceType}/${resource.id}` } });
const ref = (reference: string) => ({ reference });

const resources = [
  { resourceType: 'Patient', id: 'pa' },
  { resourceType: 'Patient', id: 'pb' },
  { resourceType: 'Practitioner', id: 'dr' },
  { resourceType: 'RelatedPerson', id: 'mum', patient: ref('Patient/pa') },
  { resourceType: 'Device', id: 'dev' },
  { resourceType: 'Encounter', id: 'e1', status: 'finished', class: { code: 'AMB' }, subject: ref('Patient/pa'), participant: [{ individual: ref('Practitioner/dr') }] },
  { resourceType: 'Encounter', id: 'e2', status: 'finished', class: { code: 'AMB' }, subject: ref('Patient/pb') },
  { resourceType: 'Observation', id: 'o1', status: 'final', code: { coding: [{ system: LOINC, code: '1-1' }] }, subject: ref('Patient/pa'), encounter: ref('Encounter/e1'), performer: [ref('Practitioner/dr')] },
  { resourceType: 'Observation', id: 'o2', status: 'final', code: { coding: [{ system: LOINC, code: '1-1' }] }, subject: ref('Patient/pa'), device: ref('Device/dev'), performer: [ref('RelatedPerson/mum')] },
  { resourceType: 'Observation', id: 'o3', status: 'final', code: { coding: [{ system: LOINC, code: '2-2' }] }, subject: ref('Patient/pb'), encounter: ref('Encounter/e2') },
  { resourceType: 'Condition', id: 'c1', subject: ref('Patient/pa'), encounter: ref('Encounter/e1'), asserter: ref('Practitioner/dr') },
];

describe.each(driversUnderTest())('compartment search over HTTP on %s', (kind) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(kind);
    const res = await request(app.http).post('/fhir').set('Content-Type', FHIR).send({ resourceType: 'Bundle', type: 'transaction', entry: resources.map(put) });
    expect(res.status).toBe(200);
  });
  afterAll(async () => { await app.dispose(); });

  const found = (url: string): Promise<string[]> => matchKeys(app.http, url);

  it.each([
    ['/fhir/Patient/pa/Observation', ['Observation/o1', 'Observation/o2']],
    ['/fhir/Patient/pa/Observation?code=http://loinc.org|1-1&_sort=-_lastUpdated', ['Observation/o1', 'Observation/o2']],
    ['/fhir/Encounter/e1/Observation', ['Observation/o1']],
    ['/fhir/Encounter/e1/Encounter', ['Encounter/e1']],
    ['/fhir/Encounter/e1/*', ['Condition/c1', 'Encounter/e1', 'Observation/o1']],
    ['/fhir/Practitioner/dr/Encounter', ['Encounter/e1']],
    ['/fhir/Practitioner/dr/*', ['Condition/c1', 'Encounter/e1', 'Observation/o1', 'Practitioner/dr']],
    ['/fhir/RelatedPerson/mum/Observation', ['Observation/o2']],
    ['/fhir/Device/dev/Observation', ['Observation/o2']],
    ['/fhir/Patient/pa/*', ['Condition/c1', 'Encounter/e1', 'Observation/o1', 'Observation/o2', 'RelatedPerson/mum']],
    ['/fhir/Patient/pb/*?_type=Observation', ['Observation/o3']],
    ['/fhir/Patient/pa/ValueSet', []],
  ])('GET %s', async (url, expected) => {
    expect(await found(url)).toEqual(expected);
  });

  it('POST [compartment]/[type]/_search answers like GET', async () => {
    const res = await request(app.http).post('/fhir/Encounter/e1/Condition/_search').set('Content-Type', 'application/x-www-form-urlencoded').send('');
    expect(res.status).toBe(200);
    expect(res.body.entry.map((e: { resource: { id: string } }) => e.resource.id)).toEqual(['c1']);
  });

  it('a resource type without a CompartmentDefinition is no compartment (404)', async () => {
    const res = await request(app.http).get('/fhir/Organization/x/Patient');
    expect(res.status).toBe(404);
    expect(res.body.resourceType).toBe('OperationOutcome');
  });

  it('paging links stay inside the compartment', async () => {
    const res = await request(app.http).get('/fhir/Patient/pa/*?_count=2');
    const next = (res.body.link as { relation: string; url: string }[]).find((l) => l.relation === 'next')?.url;
    expect(next).toContain('/Patient/pa/*?');
    const all: string[] = res.body.entry.map((e: { resource: { id: string } }) => e.resource.id);
    let url: string | undefined = next;
    while (url) {
      const page = await request(app.http).get(new URL(url).pathname + new URL(url).search);
      all.push(...page.body.entry.map((e: { resource: { id: string } }) => e.resource.id));
      url = (page.body.link as { relation: string; url: string }[]).find((l) => l.relation === 'next')?.url;
    }
    expect(all.sort()).toEqual(['c1', 'e1', 'mum', 'o1', 'o2']);
  });
});
