/** A small clinical data set covering every search-parameter type, modifier and prefix under test. */
import type { FhirResource } from 'fhir/r4';

const LOINC = 'http://loinc.org';
const UCUM = 'http://unitsofmeasure.org';
const V2 = 'http://terminology.hl7.org/CodeSystem/v2-0203';

export const TAG_PROVISIONAL = { system: 'https://twinfhir.org/fhir/CodeSystem/twinfhir', code: 'provisional' };

export type Fixture = FhirResource & { id: string };

export const patients: Fixture[] = [
  {
    resourceType: 'Patient', id: 'pat-1', active: true, gender: 'male', birthDate: '1980-05-17',
    name: [{ family: 'Müller', given: ['Jöhn', 'Q'] }],
    identifier: [{ system: 'http://hosp/mrn', value: 'MRN1', type: { coding: [{ system: V2, code: 'MR' }] } }],
    telecom: [{ system: 'phone', value: '555-1234' }, { system: 'email', value: 'john@example.org' }],
    address: [{ line: ['1 Main St'], city: 'Boston' }],
    generalPractitioner: [{ reference: 'Practitioner/prac-1' }],
    text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml"><p>John <b>Müller</b> narrative</p></div>' },
  },
  {
    resourceType: 'Patient', id: 'pat-2', active: false, gender: 'female', birthDate: '1990',
    name: [{ family: 'Smith', given: ['Jane'] }], managingOrganization: { reference: 'Organization/org-1' },
  },
  {
    resourceType: 'Patient', id: 'pat-3', gender: 'male', birthDate: '1975-03-01', deceasedDateTime: '2020-01-01',
    name: [{ family: 'Smithson', given: ['Bob'] }], identifier: [{ system: 'http://x', value: 'a,b|c' }],
  },
];

export const others: Fixture[] = [
  { resourceType: 'Practitioner', id: 'prac-1', name: [{ family: 'House', given: ['Gregory'] }] },
  { resourceType: 'Organization', id: 'org-1', name: 'Acme Hospital', partOf: { reference: 'Organization/org-2' } },
  { resourceType: 'Organization', id: 'org-2', name: 'Acme Holding' },
  { resourceType: 'Encounter', id: 'enc-1', status: 'finished', class: { code: 'AMB' }, subject: { reference: 'Patient/pat-1' }, serviceProvider: { reference: 'Organization/org-1' } },
  { resourceType: 'ValueSet', id: 'vs-1', status: 'active', url: 'http://acme.org/fhir/ValueSet/colors' },
  { resourceType: 'ValueSet', id: 'vs-2', status: 'active', url: 'http://acme.org/fhir/ValueSet/colors/extra' },
  { resourceType: 'RiskAssessment', id: 'ra-1', status: 'final', subject: { reference: 'Patient/pat-1' }, prediction: [{ probabilityDecimal: 100.03 }] },
  { resourceType: 'RiskAssessment', id: 'ra-2', status: 'final', subject: { reference: 'Patient/pat-1' }, prediction: [{ probabilityDecimal: 100.2 }] },
  { resourceType: 'RiskAssessment', id: 'ra-3', status: 'final', subject: { reference: 'Patient/pat-1' }, prediction: [{ probabilityDecimal: 99.4 }] },
];

export const observations: Fixture[] = [
  {
    resourceType: 'Observation', id: 'obs-1', status: 'final',
    meta: { tag: [TAG_PROVISIONAL], security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'AIAST' }], profile: ['http://hl7.org/fhir/StructureDefinition/vitalsigns'] },
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }],
    code: { coding: [{ system: LOINC, code: '2339-0', display: 'Glucose' }] },
    subject: { reference: 'Patient/pat-1' }, encounter: { reference: 'Encounter/enc-1' }, performer: [{ reference: 'Practitioner/prac-1' }],
    effectiveDateTime: '2020-06-15T10:00:00+02:00',
    valueQuantity: { value: 100, unit: 'mg/dL', system: UCUM, code: 'mg/dL' },
  },
  {
    resourceType: 'Observation', id: 'obs-2', status: 'preliminary',
    code: { coding: [{ system: LOINC, code: '2339-0', display: 'Glucose' }] },
    subject: { reference: 'Patient/pat-2' }, effectiveDateTime: '2020',
    valueQuantity: { value: 100.3, unit: 'mg/dL', system: UCUM, code: 'mg/dL' },
  },
  {
    resourceType: 'Observation', id: 'obs-3', status: 'final',
    code: { coding: [{ system: LOINC, code: '2345-7' }], text: 'Glucose [Mass/volume] in Serum' },
    subject: { reference: 'Patient/pat-1' }, effectivePeriod: { start: '2021-01-01' },
    valueQuantity: { value: 0.06, unit: 'g/L', system: UCUM, code: 'g/L' },
  },
  {
    resourceType: 'Observation', id: 'obs-4', status: 'final',
    code: { coding: [{ system: 'http://example.org', code: 'x1' }] },
    subject: { reference: 'Patient/pat-3' }, effectiveDateTime: '2019-12-31T23:30:00-05:00',
    valueQuantity: { value: 5, unit: 'points', system: 'http://example.org/units', code: 'pts' },
  },
  {
    resourceType: 'Observation', id: 'obs-5', status: 'final',
    code: { coding: [{ system: LOINC, code: '85354-9', display: 'Blood pressure panel' }] },
    subject: { reference: 'http://other.server/fhir/Patient/ext-1' }, hasMember: [{ reference: 'Observation/obs-1' }],
    valueString: 'Hello Wörld',
  },
  {
    resourceType: 'Observation', id: 'obs-6', status: 'cancelled',
    code: { coding: [{ system: LOINC, code: '2339-0' }] },
    subject: { identifier: { system: 'http://hosp/mrn', value: 'MRN9' } },
  },
];

/** Everything, referenced resources first. */
export const allFixtures: Fixture[] = [...others, ...patients, ...observations];
