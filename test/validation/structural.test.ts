/** Structural validation: schema errors as readable issues with FHIRPath expressions, plus the spec rules the schema misses. */
import { type ResourceValidator, createValidator } from '../../server/validation';
import { errorPaths, errorsOf } from './helpers';

let v: ResourceValidator;
beforeAll(() => {
  v = createValidator();
});

const patient = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  resourceType: 'Patient',
  id: 'p1',
  name: [{ family: 'Chalmers', given: ['Peter', 'James'] }],
  birthDate: '1974-12-25',
  ...extra,
});

const observation = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  resourceType: 'Observation',
  status: 'final',
  code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] },
  subject: { reference: 'Patient/p1' },
  valueQuantity: { value: 72, unit: '/min', system: 'http://unitsofmeasure.org', code: '/min' },
  ...extra,
});

/** The single error issue of `resource` (fails if there is not exactly one). */
function onlyError(resource: unknown): { expression: string; diagnostics: string; code: string } {
  const errors = errorsOf(v.validate(resource));
  expect(errors).toHaveLength(1);
  return { expression: errors[0].expression?.[0] ?? '', diagnostics: errors[0].diagnostics, code: String(errors[0].code) };
}

describe('valid resources', () => {
  it('accepts a plain Patient and Observation', () => {
    expect(v.validate(patient())).toEqual([]);
    expect(v.validate(observation())).toEqual([]);
  });

  it('accepts primitive extensions with null alignment in arrays', () => {
    const p = patient({ name: [{ given: [null, 'James'], _given: [{ extension: [{ url: 'http://x.org/e', valueString: 'x' }] }, null] }] });
    expect(v.validate(p)).toEqual([]);
  });

  it('accepts a non-breaking space in strings (FHIR regexes use XML Schema whitespace)', () => {
    expect(v.validate(patient({ name: [{ family: 'van\u00a0Dijk' }] }))).toEqual([]);
  });

  it('accepts extensions on canonical elements, which the R4 schema generator forgot', () => {
    const p = patient({ meta: { profile: ['http://example.org/p'], _profile: [{ extension: [{ url: 'http://x.org/e', valueCode: 'a' }] }] } });
    expect(v.validate(p)).toEqual([]);
  });

  it('lists the R4 resource types only (no Medplum additions)', () => {
    const types = v.resourceTypes();
    expect(types).toHaveLength(146);
    expect(types).toEqual(expect.arrayContaining(['Patient', 'Bundle', 'Parameters', 'Binary']));
    expect(types).not.toContain('Project');
  });
});

describe('schema errors become issues with FHIRPath expressions', () => {
  it('unknown element', () => {
    expect(onlyError(patient({ foo: 1 }))).toMatchObject({ expression: 'Patient.foo', diagnostics: "Unknown element 'foo'", code: 'structure' });
  });

  it("Medplum's meta additions are not R4", () => {
    expect(onlyError(patient({ meta: { project: 'x' } }))).toMatchObject({ expression: 'Patient.meta.project' });
  });

  it('wrong primitive type', () => {
    const e = onlyError(patient({ name: [{ given: ['Peter', 2] }] }));
    expect(e).toEqual({ expression: 'Patient.name[0].given[1]', diagnostics: 'Expected string, got number', code: 'structure' });
  });

  it('object where an array is expected', () => {
    const e = onlyError(patient({ name: { family: 'x' } }));
    expect(e.expression).toBe('Patient.name');
    expect(e.diagnostics).toMatch(/Expected an array/);
  });

  it('missing required complex element (schema) and primitive element (cardinality table)', () => {
    const { code: _code, ...noCode } = observation();
    expect(onlyError(noCode)).toMatchObject({ expression: 'Observation.code', code: 'required' });
    const { status: _status, ...noStatus } = observation();
    expect(onlyError(noStatus)).toMatchObject({ expression: 'Observation.status', code: 'required' });
  });

  it('missing required choice element', () => {
    const med = { resourceType: 'MedicationRequest', status: 'active', intent: 'order', subject: { reference: 'Patient/p1' } };
    expect(onlyError(med)).toMatchObject({ expression: 'MedicationRequest.medication', code: 'required' });
  });

  it('bad resource id', () => {
    const e = onlyError(patient({ id: 'bad_id' }));
    expect(e).toMatchObject({ expression: 'Patient.id', code: 'value' });
    expect(e.diagnostics).toMatch(/Invalid resource id 'bad_id'/);
    expect(onlyError(patient({ id: 'x'.repeat(65) })).expression).toBe('Patient.id');
  });

  it('bad code value and bad date format', () => {
    expect(onlyError(patient({ gender: 'x' }))).toMatchObject({ expression: 'Patient.gender', code: 'code-invalid' });
    const e = onlyError(patient({ birthDate: 'not a date' }));
    expect(e.expression).toBe('Patient.birthDate');
    expect(e.diagnostics).toMatch(/^Invalid date 'not a date': expected YYYY/);
  });

  it('choice elements are written as ofType()', () => {
    const e = onlyError(observation({ valueQuantity: { value: 'high' } }));
    expect(e.expression).toBe('Observation.value.ofType(Quantity).value');
  });

  it('dateTime with a time but no timezone', () => {
    expect(onlyError(observation({ effectiveDateTime: '2020-01-01T10:00:00' })).expression).toBe('Observation.effective.ofType(dateTime)');
  });
});

describe('spec rules the schema does not catch', () => {
  it('empty string, object and array', () => {
    expect(onlyError(patient({ name: [{ family: '' }] }))).toMatchObject({ expression: 'Patient.name[0].family', code: 'value' });
    expect(onlyError(patient({ gender: '' })).expression).toBe('Patient.gender');
    expect(onlyError(patient({ maritalStatus: {} })).expression).toBe('Patient.maritalStatus');
    expect(onlyError(patient({ telecom: [] })).expression).toBe('Patient.telecom');
  });

  it('calendar dates that do not exist', () => {
    const e = onlyError(patient({ birthDate: '2021-02-29' }));
    expect(e).toMatchObject({ expression: 'Patient.birthDate', diagnostics: "Invalid date '2021-02-29': February 2021 has 28 days" });
    expect(v.validate(patient({ birthDate: '2020-02-29' }))).toEqual([]);
  });

  it('null only where a primitive array aligns with its _x array', () => {
    expect(onlyError(patient({ name: [{ given: ['a', null] }] })).expression).toBe('Patient.name[0].given[1]');
    expect(onlyError(patient({ name: [null] })).expression).toBe('Patient.name[0]');
  });

  it('only one type of a choice element', () => {
    const e = onlyError(observation({ valueString: 'x' }));
    expect(e.expression).toBe('Observation.value');
    expect(e.diagnostics).toMatch(/Only one of value\[x\]/);
  });

  it('integers and positive integers', () => {
    expect(onlyError(patient({ multipleBirthInteger: 1.5 })).expression).toBe('Patient.multipleBirth.ofType(integer)');
  });

  it('an element with only an id (ele-1)', () => {
    expect(onlyError(patient({ maritalStatus: { id: 'a' } })).diagnostics).toMatch(/^ele-1/);
  });

  it('reference format and target type', () => {
    expect(onlyError(observation({ subject: { reference: 'not a reference' } })).expression).toBe('Observation.subject.reference');
    const e = onlyError(observation({ subject: { reference: 'Practitioner/1' } }));
    expect(e.diagnostics).toMatch(/Practitioner is not allowed here \(allowed: Patient \| Group \| Device \| Location\)/);
    expect(v.validate(observation({ subject: { reference: 'Patient?identifier=http://x|1' } }))).toEqual([]);
    expect(v.validate(observation({ subject: { reference: 'urn:uuid:0c3151bd-1cbf-4d64-b04d-cd9187a4c6e0' } }))).toEqual([]);
  });

  it('Coding.system is an absolute URI; quantity units have a system', () => {
    expect(onlyError(observation({ code: { coding: [{ system: 'loinc', code: '1' }] } })).expression).toBe('Observation.code.coding[0].system');
    expect(onlyError(observation({ valueQuantity: { value: 1, code: 'mg' } })).diagnostics).toMatch(/^qty-3/);
  });

  it('attachment size and base64 content', () => {
    const doc = (attachment: Record<string, unknown>): unknown => ({
      resourceType: 'DocumentReference',
      status: 'current',
      content: [{ attachment: { contentType: 'text/plain', ...attachment } }],
    });
    expect(v.validate(doc({ data: 'aGVsbG8=', size: 5 }))).toEqual([]);
    expect(onlyError(doc({ data: 'aGVsbG8=', size: 100 })).expression).toBe('DocumentReference.content[0].attachment.size');
    expect(onlyError(doc({ data: '%%%2@()()' })).expression).toBe('DocumentReference.content[0].attachment.data');
  });

  it('copes with megabytes of base64 without overflowing the regexp stack', () => {
    const big = Buffer.alloc(3 * 1024 * 1024, 7).toString('base64');
    expect(v.validate(patient({ extension: [{ url: 'http://x.org/blob', valueBase64Binary: big }] }))).toEqual([]);
  });

  it('narrative XHTML: namespace, safe elements, entities', () => {
    const text = (div: string): Record<string, unknown> => patient({ text: { status: 'generated', div } });
    expect(v.validate(text('<div xmlns="http://www.w3.org/1999/xhtml"><p>Peter &amp; <b>James</b></p></div>'))).toEqual([]);
    expect(onlyError(text('<div xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></div>')).diagnostics).toMatch(/script/);
    expect(onlyError(text('<div xmlns="http://www.w3.org/1999/xhtml"><p onclick="x()">a</p></div>')).expression).toBe('Patient.text.div');
    expect(onlyError(text('<div xmlns="http://www.w3.org/1999/xhtml">&reg;</div>')).diagnostics).toMatch(/Invalid entity/);
    expect(onlyError(text('<div>no namespace</div>')).diagnostics).toMatch(/xmlns/);
  });
});

describe('nested resources are validated by their own type', () => {
  it('contained resources', () => {
    const p = patient({
      contained: [{ resourceType: 'Organization', id: 'o1', name: 3 }],
      managingOrganization: { reference: '#o1' },
    });
    expect(errorPaths(v.validate(p))).toEqual(['Patient.contained[0].name']);
  });

  it('local references resolve (ref-1) and contained resources are referenced (dom-3)', () => {
    const dangling = patient({ managingOrganization: { reference: '#nope' } });
    expect(onlyError(dangling)).toMatchObject({ expression: 'Patient.managingOrganization.reference' });
    const unreferenced = patient({ contained: [{ resourceType: 'Organization', id: 'o1', name: 'x' }] });
    expect(onlyError(unreferenced).diagnostics).toMatch(/^dom-3/);
  });

  it('Bundle entries, with unknown types reported once', () => {
    const bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { fullUrl: 'urn:uuid:0c3151bd-1cbf-4d64-b04d-cd9187a4c6e0', resource: patient({ birthDate: 'x' }), request: { method: 'POST', url: 'Patient' } },
        { resource: { resourceType: 'Foo' }, request: { method: 'POST', url: 'Foo' } },
        { resource: observation(), request: { url: 'Observation' } },
      ],
    };
    expect(errorPaths(v.validate(bundle))).toEqual(['Bundle.entry[0].resource.birthDate', 'Bundle.entry[1].resource', 'Bundle.entry[2].request.method']);
  });

  it('Bundle invariants and fullUrl rules', () => {
    const entry = { fullUrl: 'Patient/1', resource: patient() };
    const paths = errorPaths(v.validate({ resourceType: 'Bundle', type: 'collection', entry: [entry, { ...entry }] }));
    expect(paths).toEqual(['Bundle.entry[0].fullUrl', 'Bundle.entry[1].fullUrl', 'Bundle.entry[1]']);
  });
});

describe('not a resource', () => {
  it('unknown or missing resourceType, non-objects', () => {
    expect(onlyError({ resourceType: 'Foo' })).toMatchObject({ code: 'not-supported', expression: 'resourceType' });
    expect(onlyError({ id: 'x' })).toMatchObject({ code: 'required', expression: 'resourceType' });
    expect(onlyError([1, 2]).diagnostics).toMatch(/array/);
    expect(onlyError(null).diagnostics).toMatch(/null/);
  });

  it('refuses absurd nesting without throwing', () => {
    let ext: Record<string, unknown> = { url: 'http://x.org/e', valueString: 'leaf' };
    for (let i = 0; i < 20000; i++) ext = { url: 'http://x.org/e', extension: [ext] };
    const issues = v.validate(patient({ extension: [ext] }));
    expect(errorsOf(issues).length).toBeGreaterThan(0);
  });

  it('caps the number of issues', () => {
    const issues = v.validate(patient(Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`bad${i}`, 1]))));
    expect(issues).toHaveLength(201);
    expect(issues[200].severity).toBe('information');
  });
});
