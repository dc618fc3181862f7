/** Search criteria end to end (parse → SQL → rows) for every parameter type, modifier and prefix, on PGlite and PostgreSQL. */
import { createSearchRegistry } from '../../server/search/registry';
import { parseSearchParams } from '../../server/search/parse';
import { executeSearch } from '../../server/store/search/search-sql';
import { FhirError } from '../../server/core/fhir-error';
import { openSearchDb, searchDrivers, type SearchDb } from './helpers/search-db';
import { allFixtures } from './helpers/fixtures';
import { matchingIds, queryPairs } from './helpers/query';

const registry = createSearchRegistry();
const NOW = new Date('2025-01-01T00:00:00Z');
const SECRET = 'test-secret';

describe.each(searchDrivers())('search criteria on %s', (kind) => {
  let db: SearchDb;
  beforeAll(async () => {
    db = await openSearchDb(kind, registry);
    for (const r of allFixtures) {
      const updated = r.id === 'obs-6' ? new Date('2024-07-01T00:00:00Z') : new Date('2024-01-01T00:00:00Z');
      await db.put(r, updated);
    }
  });
  afterAll(async () => db?.close());

  const ids = (type: string, qs: string): Promise<string[]> => matchingIds(db.sql, registry, type, qs, NOW);

  describe('token', () => {
    it.each([
      ['Patient', 'gender=male', ['pat-1', 'pat-3']],
      ['Patient', 'gender=male,female', ['pat-1', 'pat-2', 'pat-3']],
      ['Patient', 'gender:not=male', ['pat-2']],
      ['Patient', 'active=true', ['pat-1']],
      ['Patient', 'active=false', ['pat-2']],
      ['Patient', 'identifier=http://hosp/mrn|MRN1', ['pat-1']],
      ['Patient', 'identifier=MRN1', ['pat-1']],
      ['Patient', 'identifier=|MRN1', []],
      ['Patient', 'identifier=http://hosp/mrn|', ['pat-1']],
      ['Patient', 'identifier=http://other|MRN1', []],
      ['Patient', 'identifier:of-type=http://terminology.hl7.org/CodeSystem/v2-0203|MR|MRN1', ['pat-1']],
      ['Patient', 'identifier:of-type=http://terminology.hl7.org/CodeSystem/v2-0203|SS|MRN1', []],
      ['Patient', 'identifier=http://x|a\\,b\\|c', ['pat-3']],
      ['Patient', 'telecom=555-1234', ['pat-1']],
      ['Patient', 'email=john@example.org', ['pat-1']],
      ['Patient', 'phone=john@example.org', []],
      ['Observation', 'code=http://loinc.org|2339-0', ['obs-1', 'obs-2', 'obs-6']],
      ['Observation', 'code=2339-0,2345-7', ['obs-1', 'obs-2', 'obs-3', 'obs-6']],
      ['Observation', 'code:text=gluc', ['obs-1', 'obs-2', 'obs-3']],
      ['Observation', 'code:text=serum', ['obs-3']],
      ['Observation', 'status=final&code=2339-0', ['obs-1']],
      ['Observation', 'status:not=final', ['obs-2', 'obs-6']],
      ['Observation', '_tag=https://twinfhir.org/fhir/CodeSystem/twinfhir|provisional', ['obs-1']],
      ['Observation', '_security=http://terminology.hl7.org/CodeSystem/v3-ObservationValue|AIAST', ['obs-1']],
      ['Patient', '_id=pat-1,pat-3', ['pat-1', 'pat-3']],
      ['Patient', 'deceased=true', ['pat-3']],
    ])('%s?%s', async (type, qs, expected) => {
      expect(await ids(type, qs)).toEqual(expected);
    });
  });

  describe('string', () => {
    it.each([
      ['Patient', 'name=mull', ['pat-1']],
      ['Patient', 'name=MÜLLER', ['pat-1']],
      ['Patient', 'given=john', ['pat-1']],
      ['Patient', 'name:exact=Müller', ['pat-1']],
      ['Patient', 'name:exact=muller', []],
      ['Patient', 'family=smith', ['pat-2', 'pat-3']],
      ['Patient', 'family:exact=Smith', ['pat-2']],
      ['Patient', 'name:contains=ITH', ['pat-2', 'pat-3']],
      ['Patient', 'name=smith&name=jane', ['pat-2']],
      ['Patient', 'address-city=bost', ['pat-1']],
      ['Patient', 'address=main', []],
      ['Patient', 'address=1 main', ['pat-1']],
      ['Organization', 'name=acme%20h', ['org-1', 'org-2']],
      ['Patient', 'name=50%25', []],
    ])('%s?%s', async (type, qs, expected) => {
      expect(await ids(type, qs)).toEqual(expected);
    });
  });

  describe('date', () => {
    it.each([
      ['Patient', 'birthdate=1980-05-17', ['pat-1']],
      ['Patient', 'birthdate=1980', ['pat-1']],
      ['Patient', 'birthdate=1990', ['pat-2']],
      ['Patient', 'birthdate=1990-06', []],
      ['Patient', 'birthdate=ge1990-06', ['pat-2']],
      ['Patient', 'birthdate=le1990-06', ['pat-1', 'pat-2', 'pat-3']],
      ['Patient', 'birthdate=lt1980', ['pat-3']],
      ['Patient', 'birthdate=gt1985', ['pat-2']],
      ['Patient', 'birthdate=sa1980-05-17', ['pat-2']],
      ['Patient', 'birthdate=eb1980-05-17', ['pat-3']],
      ['Patient', 'birthdate=ne1980-05-17', ['pat-2', 'pat-3']],
      ['Patient', 'birthdate=ge1975&birthdate=lt1981', ['pat-1', 'pat-3']],
      ['Patient', 'death-date=2020', ['pat-3']],
      ['Observation', 'date=2020-06-15T08:00:00Z', ['obs-1']],
      ['Observation', 'date=2020-06-15T10:00:00%2B02:00', ['obs-1']],
      ['Observation', 'date=2020-06-15', ['obs-1']],
      ['Observation', 'date=ge2020-06', ['obs-1', 'obs-2', 'obs-3']],
      ['Observation', 'date=2020-01-01', ['obs-4']],
      ['Observation', 'date=2019-12-31', []],
      ['Observation', 'date=gt2030', ['obs-3']],
      ['Observation', 'date=lt2021', ['obs-1', 'obs-2', 'obs-4']],
      // ap: ±10% of the 4.5 years between the value and now (2025-01-01)
      ['Observation', 'date=ap2020-06-15', ['obs-1', 'obs-2', 'obs-4']],
      ['Observation', 'date=ap2010-01-01', []],
      ['Observation', 'date=ap2024-12-31', ['obs-3']],
      ['Observation', '_lastUpdated=gt2024-06', ['obs-6']],
      ['Observation', '_lastUpdated=2024-01-01', ['obs-1', 'obs-2', 'obs-3', 'obs-4', 'obs-5']],
    ])('%s?%s', async (type, qs, expected) => {
      expect(await ids(type, qs)).toEqual(expected);
    });
  });

  describe('number and quantity', () => {
    it.each([
      ['RiskAssessment', 'probability=100', ['ra-1', 'ra-2']],
      ['RiskAssessment', 'probability=100.0', ['ra-1']],
      ['RiskAssessment', 'probability=1e2', ['ra-1', 'ra-2', 'ra-3']],
      ['RiskAssessment', 'probability=gt100', ['ra-1', 'ra-2']],
      ['RiskAssessment', 'probability=le99.4', ['ra-3']],
      ['RiskAssessment', 'probability=ne100', ['ra-3']],
      ['RiskAssessment', 'probability=ap100', ['ra-1', 'ra-2', 'ra-3']],
      ['Observation', 'value-quantity=100', ['obs-1', 'obs-2']],
      ['Observation', 'value-quantity=100.0', ['obs-1']],
      ['Observation', 'value-quantity=gt5.4|http://unitsofmeasure.org|mg/dL', ['obs-1', 'obs-2', 'obs-3']],
      ['Observation', 'value-quantity=lt10|http://unitsofmeasure.org|mg/dL', ['obs-3']],
      ['Observation', 'value-quantity=6|http://unitsofmeasure.org|mg/dL', ['obs-3']],
      ['Observation', 'value-quantity=0.06|http://unitsofmeasure.org|g/L', ['obs-3']],
      ['Observation', 'value-quantity=lt0.1|http://unitsofmeasure.org|g/L', ['obs-3']],
      ['Observation', 'value-quantity=ge1|http://unitsofmeasure.org|g/L', ['obs-1', 'obs-2']],
      ['Observation', 'value-quantity=5|http://example.org/units|pts', ['obs-4']],
      ['Observation', 'value-quantity=5||pts', ['obs-4']],
      ['Observation', 'value-quantity=5||points', ['obs-4']],
      ['Observation', 'value-quantity=5||mg/dL', []],
      ['Observation', 'value-quantity:missing=true', ['obs-5', 'obs-6']],
      ['Observation', 'code-value-quantity=http://loinc.org|2339-0$gt100', ['obs-2']],
      ['Observation', 'code-value-quantity=2339-0$lt10|http://unitsofmeasure.org|mg/dL', []],
      ['Observation', 'code-value-quantity=2345-7$lt10|http://unitsofmeasure.org|mg/dL,x1$5', ['obs-3', 'obs-4']],
      ['Observation', 'code-value-string=85354-9$hello', ['obs-5']],
    ])('%s?%s', async (type, qs, expected) => {
      expect(await ids(type, qs)).toEqual(expected);
    });
  });

  describe('reference, uri, text, missing', () => {
    it.each([
      ['Observation', 'subject=Patient/pat-1', ['obs-1', 'obs-3']],
      ['Observation', 'subject=pat-1', ['obs-1', 'obs-3']],
      ['Observation', 'subject:Patient=pat-1', ['obs-1', 'obs-3']],
      ['Observation', 'patient=pat-1,pat-2', ['obs-1', 'obs-2', 'obs-3']],
      ['Observation', 'subject=http://other.server/fhir/Patient/ext-1', ['obs-5']],
      ['Observation', 'subject:identifier=http://hosp/mrn|MRN9', ['obs-6']],
      ['Observation', 'subject:missing=true', []],
      ['Observation', 'performer=Practitioner/prac-1', ['obs-1']],
      ['Patient', 'general-practitioner=prac-1', ['pat-1']],
      ['ValueSet', 'url=http://acme.org/fhir/ValueSet/colors', ['vs-1']],
      ['ValueSet', 'url:below=http://acme.org/fhir/ValueSet', ['vs-1', 'vs-2']],
      ['ValueSet', 'url:above=http://acme.org/fhir/ValueSet/colors/extra/deep', ['vs-1', 'vs-2']],
      ['ValueSet', 'url:above=http://acme.org/fhir/ValueSet/colors', ['vs-1']],
      ['Observation', '_profile=http://hl7.org/fhir/StructureDefinition/vitalsigns', ['obs-1']],
      ['Observation', '_content=wörld', ['obs-5']],
      ['Observation', '_content=hello%20world', ['obs-5']],
      ['Patient', '_text=narrative', ['pat-1']],
      ['Patient', '_text=muller', ['pat-1']],
      ['Patient', 'telecom:missing=true', ['pat-2', 'pat-3']],
      ['Patient', 'telecom:missing=false', ['pat-1']],
    ])('%s?%s', async (type, qs, expected) => {
      expect(await ids(type, qs)).toEqual(expected);
    });
  });

  describe('chains and _has', () => {
    it.each([
      ['Observation', 'subject:Patient.name=muller', ['obs-1', 'obs-3']],
      ['Observation', 'subject.name=smith', ['obs-2', 'obs-4']],
      ['Observation', 'subject.name:exact=Smith', ['obs-2']],
      ['Observation', 'patient.gender=male', ['obs-1', 'obs-3', 'obs-4']],
      ['Observation', 'encounter.service-provider.name=acme', ['obs-1']],
      ['Observation', 'subject:Patient.organization.partof.name=Acme%20Holding', ['obs-2']],
      ['Observation', 'subject:Patient.general-practitioner:Practitioner.family:exact=House', ['obs-1', 'obs-3']],
      ['Patient', '_has:Observation:patient:code=2345-7', ['pat-1']],
      ['Patient', '_has:Observation:subject:status=preliminary', ['pat-2']],
      ['Patient', '_has:Observation:patient:code=2339-0&_has:Observation:patient:status=final', ['pat-1']],
      ['Practitioner', '_has:Observation:performer:_has:Observation:has-member:code=85354-9', ['prac-1']],
      ['Organization', '_has:Patient:organization:name=smith', ['org-1']],
    ])('%s?%s', async (type, qs, expected) => {
      expect(await ids(type, qs)).toEqual(expected);
    });
  });

  it('system search with _type and common parameters', async () => {
    const { query } = parseSearchParams(registry, [], queryPairs('_type=Patient,Observation&_tag=https://twinfhir.org/fhir/CodeSystem/twinfhir|provisional'));
    const res = await executeSearch(db.sql, query, registry, { cursorSecret: SECRET });
    expect(res.matches.map((r) => `${r.resourceType}/${r.id}`)).toEqual(['Observation/obs-1']);
    const all = parseSearchParams(registry, [], queryPairs('_id=pat-1,obs-1,vs-1'));
    const res2 = await executeSearch(db.sql, all.query, registry, { cursorSecret: SECRET });
    expect(res2.matches.map((r) => r.id).sort()).toEqual(['obs-1', 'pat-1', 'vs-1']);
  });

  it('compartment search', async () => {
    const { query } = parseSearchParams(registry, ['Observation'], []);
    query.compartment = { resourceType: 'Patient', id: 'pat-1' };
    const res = await executeSearch(db.sql, query, registry, { cursorSecret: SECRET });
    expect(res.matches.map((r) => r.id).sort()).toEqual(['obs-1', 'obs-3']);
  });

  it('only live rows match', async () => {
    expect(await ids('Organization', 'name=acme')).toEqual(['org-1', 'org-2']);
    await db.remove('Organization', 'org-2');
    expect(await ids('Organization', 'name=acme')).toEqual(['org-1']);
    expect(await ids('Observation', 'subject:Patient.organization.partof.name=Acme%20Holding')).toEqual([]);
  });

  it('rejects malformed values with 400 naming the parameter', async () => {
    for (const qs of ['birthdate=2020-13-01', 'birthdate=xx2020', 'probability=abc', 'value-quantity=5|a']) {
      const [name] = qs.split('=');
      let err: unknown;
      try {
        await ids(qs.startsWith('probability') ? 'RiskAssessment' : qs.startsWith('value') ? 'Observation' : 'Patient', qs);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(FhirError);
      expect((err as FhirError).status).toBe(400);
      expect((err as FhirError).message).toContain(name);
    }
  });
});
