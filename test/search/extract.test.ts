/** Registry resolution and index-value extraction rules (pure: no database). */
import type { Resource } from 'fhir/r4';
import { createSearchRegistry } from '../../server/search/registry';
import { FhirError } from '../../server/core/fhir-error';
import type { QuantityIndex } from '../../server/search/types';

const registry = createSearchRegistry();
const extract = (r: object): ReturnType<typeof registry.extract> => registry.extract(r as Resource);
const rows = <T extends { param: string }>(list: T[], param: string): Omit<T, 'param'>[] =>
  list.filter((r) => r.param === param).map(({ param: _p, ...rest }) => rest);

describe('search registry', () => {
  it('resolves official and base parameters per type', () => {
    const codes = registry.forType('Observation').map((d) => d.code);
    for (const c of ['code', 'subject', 'patient', 'value-quantity', '_id', '_lastUpdated', '_tag', '_profile', '_security', '_source', '_text', '_content']) {
      expect(codes).toContain(c);
    }
    expect(registry.get('Patient', '_text')?.type).toBe('string');
    expect(registry.get('Patient', 'value-quantity')).toBeUndefined();
    expect(registry.resourceTypes()).toHaveLength(146);
  });

  it('narrows union expressions to the branches of each type', () => {
    expect(registry.get('Condition', 'onset-date')?.expression).toBe('Condition.onset.as(dateTime) | Condition.onset.as(Period)');
    expect(registry.get('Observation', 'patient')?.expression).toBe('Observation.subject.where(resolve() is Patient)');
    expect(registry.get('Encounter', 'date')?.expression).toBe('Encounter.period');
    expect(registry.get('InsurancePlan', 'name')?.expression).toBe('name | alias');
  });

  it('knows the Patient compartment', () => {
    expect(registry.compartmentParams('Patient', 'Observation')).toEqual(expect.arrayContaining(['subject', 'performer']));
    expect(registry.compartmentParams('Patient', 'ValueSet')).toEqual([]);
  });

  it('adds valid custom SearchParameters and indexes with them', () => {
    const reg = createSearchRegistry();
    reg.addCustom({ resourceType: 'SearchParameter', url: 'https://x/sp/birthplace', name: 'bp', status: 'active', description: 'd',
      code: 'birthplace-city', base: ['Patient'], type: 'string',
      expression: "Patient.extension.where(url='http://hl7.org/fhir/StructureDefinition/patient-birthPlace').value.city" });
    expect(reg.get('Patient', 'birthplace-city')?.type).toBe('string');
    const v = reg.extract({ resourceType: 'Patient', extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/patient-birthPlace', valueAddress: { city: 'Köln' } }] } as Resource);
    expect(rows(v.string, 'birthplace-city')).toEqual([{ norm: 'koln', exact: 'Köln' }]);
  });

  it.each([
    [{ code: undefined }, 'code'],
    [{ base: [] }, 'base'],
    [{ base: ['Nope'] }, 'base'],
    [{ type: 'fuzzy' }, 'type'],
    [{ expression: undefined }, 'expression'],
    [{ expression: 'Patient.name.where(' }, 'expression'],
  ])('rejects an invalid custom SearchParameter %#', (patch, field) => {
    const sp = { resourceType: 'SearchParameter', url: 'u', name: 'n', status: 'active', description: 'd', code: 'c', base: ['Patient'], type: 'string', expression: 'Patient.name', ...patch };
    let err: unknown;
    try {
      createSearchRegistry().addCustom(sp as never);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FhirError);
    expect((err as FhirError).status).toBe(400);
    expect((err as FhirError).issues[0].expression?.[0] ?? (err as FhirError).message).toContain(field === 'code' ? 'code' : field);
  });
});

describe('index extraction', () => {
  it('extracts tokens from CodeableConcept, Identifier, ContactPoint, boolean and code', () => {
    const v = extract({
      resourceType: 'Patient', active: true, gender: 'female',
      identifier: [{ system: 'urn:mrn', value: '42', type: { coding: [{ system: 'urn:v2', code: 'MR' }] } }],
      telecom: [{ system: 'email', value: 'a@b.org' }],
      maritalStatus: { coding: [{ system: 'urn:ms', code: 'M', display: 'Married' }], text: 'Verheiratet' },
    });
    expect(rows(v.token, 'active')).toEqual([{ system: null, code: 'true', display: null }]);
    expect(rows(v.token, 'gender')).toEqual([{ system: null, code: 'female', display: null }]);
    expect(rows(v.token, 'identifier')).toEqual([{ system: 'urn:mrn', code: '42', display: null, typeSystem: 'urn:v2', typeCode: 'MR' }]);
    expect(rows(v.token, 'email')).toEqual([{ system: 'email', code: 'a@b.org', display: null }]);
    expect(rows(v.token, 'phone')).toEqual([]);
  });

  it('normalises strings and expands HumanName and Address', () => {
    const v = extract({ resourceType: 'Patient', name: [{ family: '  Ñúñez   García ', given: ['José', 'María'], text: 'Dr. José' }], address: [{ line: ['Calle 1'], city: 'Málaga', postalCode: '29001' }] });
    expect(rows(v.string, 'family')).toEqual([{ norm: 'nunez garcia', exact: '  Ñúñez   García ' }]);
    expect(rows(v.string, 'name').map((r) => r.norm)).toEqual(['nunez garcia', 'jose', 'maria', 'dr. jose']);
    expect(rows(v.string, 'address').map((r) => r.norm)).toEqual(['calle 1', 'malaga', '29001']);
  });

  it('turns dates into UTC ranges from their precision', () => {
    const d = (r: object, p: string): Omit<{ param: string; low: string; high: string }, 'param'>[] => rows(extract(r).date, p);
    expect(d({ resourceType: 'Patient', birthDate: '2020' }, 'birthdate')).toEqual([{ low: '2020-01-01T00:00:00.000Z', high: '2020-12-31T23:59:59.999Z' }]);
    expect(d({ resourceType: 'Patient', birthDate: '2024-02' }, 'birthdate')).toEqual([{ low: '2024-02-01T00:00:00.000Z', high: '2024-02-29T23:59:59.999Z' }]);
    expect(d({ resourceType: 'Observation', effectiveDateTime: '2020-06-15T10:00:00+02:00' }, 'date')).toEqual([{ low: '2020-06-15T08:00:00.000Z', high: '2020-06-15T08:00:00.999Z' }]);
    expect(d({ resourceType: 'Observation', effectiveDateTime: '2020-06-15T10:00:00' }, 'date')).toEqual([{ low: '2020-06-15T10:00:00.000Z', high: '2020-06-15T10:00:00.999Z' }]);
    expect(d({ resourceType: 'Observation', effectiveInstant: '2020-06-15T10:00:00.12Z' }, 'date')).toEqual([{ low: '2020-06-15T10:00:00.120Z', high: '2020-06-15T10:00:00.129Z' }]);
    expect(d({ resourceType: 'Encounter', period: { start: '2021-03-04' } }, 'date')).toEqual([{ low: '2021-03-04T00:00:00.000Z', high: 'infinity' }]);
    expect(d({ resourceType: 'Encounter', period: { end: '2021-03-04' } }, 'date')).toEqual([{ low: '-infinity', high: '2021-03-04T23:59:59.999Z' }]);
    expect(d({ resourceType: 'CarePlan', activity: [{ detail: { status: 'scheduled', scheduledTiming: { event: ['2021-01-01', '2021-02-01T10:00Z'] } } }] }, 'activity-date'))
      .toEqual([{ low: '2021-01-01T00:00:00.000Z', high: '2021-01-01T23:59:59.999Z' }, { low: '2021-02-01T10:00:00.000Z', high: '2021-02-01T10:00:59.999Z' }]);
    expect(d({ resourceType: 'Patient', birthDate: '2021-02-30' }, 'birthdate')).toEqual([]);
    expect(d({ resourceType: 'Patient', birthDate: '0099-12-31' }, 'birthdate')).toEqual([{ low: '0099-12-31T00:00:00.000Z', high: '0099-12-31T23:59:59.999Z' }]);
  });

  it('keeps numbers exact with a precision range, and quantities in canonical UCUM', () => {
    const ra = extract({ resourceType: 'RiskAssessment', prediction: [{ probabilityDecimal: 100 }, { probabilityDecimal: 0.25 }] });
    expect(rows(ra.number, 'probability')).toEqual([{ value: '100', low: '99.5', high: '100.5' }, { value: '0.25', low: '0.245', high: '0.255' }]);
    const vq = (q: object): QuantityIndex => extract({ resourceType: 'Observation', valueQuantity: q }).quantity.filter((r) => r.param === 'value-quantity')[0];
    const gl = vq({ value: 1, system: 'http://unitsofmeasure.org', code: 'g/L', unit: 'g/L' });
    const mg = vq({ value: 100, system: 'http://unitsofmeasure.org', code: 'mg/dL' });
    expect(gl.canonicalCode).toBe(mg.canonicalCode);
    expect(Number(gl.canonicalValue)).toBeCloseTo(Number(mg.canonicalValue), 9);
    expect(mg).toMatchObject({ param: 'value-quantity', value: '100', system: 'http://unitsofmeasure.org', code: 'mg/dL', unit: null });
    const pct = vq({ value: 5, system: 'http://unitsofmeasure.org', code: '%' });
    expect(pct.canonicalCode).toBeUndefined();
    const other = vq({ value: 5, system: 'urn:x', code: 'g' });
    expect(other.canonicalCode).toBeUndefined();
  });

  it('splits references into type, id, version and url', () => {
    const v = extract({ resourceType: 'Observation', subject: { reference: 'Patient/p1/_history/3' }, performer: [{ reference: 'https://x.org/fhir/Practitioner/pr1' }, { reference: 'urn:uuid:0b2c' }, { reference: '#contained' }],
      hasMember: [{ identifier: { system: 'urn:s', value: 'v' } }] });
    expect(rows(v.reference, 'subject')).toEqual([{ targetType: 'Patient', targetId: 'p1', targetVersion: '3', url: null }]);
    expect(rows(v.reference, 'patient')).toEqual([{ targetType: 'Patient', targetId: 'p1', targetVersion: '3', url: null }]);
    expect(rows(v.reference, 'performer')).toEqual([
      { targetType: 'Practitioner', targetId: 'pr1', targetVersion: null, url: 'https://x.org/fhir/Practitioner/pr1' },
      { targetType: null, targetId: null, targetVersion: null, url: 'urn:uuid:0b2c' },
      // A local reference to a contained resource is kept as written (chains evaluate inside contained resources).
      { targetType: null, targetId: null, targetVersion: null, url: '#contained' },
    ]);
    expect(rows(v.reference, 'has-member')).toEqual([{ targetType: null, targetId: null, url: null, identifierSystem: 'urn:s', identifierValue: 'v' }]);
    const qr = extract({ resourceType: 'QuestionnaireResponse', questionnaire: 'http://x.org/Questionnaire/q1|2.0' });
    expect(rows(qr.reference, 'questionnaire')[0]).toMatchObject({ url: 'http://x.org/Questionnaire/q1|2.0' });
  });

  it('indexes meta, uri, full text and narrative', () => {
    const v = extract({ resourceType: 'ValueSet', url: 'http://acme.org/vs', meta: { tag: [{ system: 's', code: 't' }], security: [{ system: 's2', code: 'R' }], profile: ['http://p'], source: 'http://src' },
      name: 'Colours', text: { status: 'generated', div: '<div><p>Hello &amp; <b>Wörld</b></p></div>' } });
    expect(rows(v.token, '_tag')).toEqual([{ system: 's', code: 't', display: null }]);
    expect(rows(v.token, '_security')).toEqual([{ system: 's2', code: 'R', display: null }]);
    expect(rows(v.uri, '_profile')).toEqual([{ value: 'http://p' }]);
    expect(rows(v.uri, '_source')).toEqual([{ value: 'http://src' }]);
    expect(rows(v.uri, 'url')).toEqual([{ value: 'http://acme.org/vs' }]);
    expect(v.content).toContain('colours');
    expect(v.content).not.toContain('<div>');
    expect(v.narrative).toBe('hello & world');
  });

  it('clips huge values so that they fit a B-tree entry', () => {
    const v = extract({ resourceType: 'Patient', name: [{ family: 'é'.repeat(5000) }] });
    expect(Buffer.byteLength(rows(v.string, 'family')[0].exact)).toBeLessThanOrEqual(1000);
  });
});
