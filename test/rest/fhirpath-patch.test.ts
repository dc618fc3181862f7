/** FHIRPath Patch (https://hl7.org/fhir/R4/fhirpatch.html): spec examples, choice types, list handling and errors. */
import type { Observation, Parameters, ParametersParameter as Part, Patient, Questionnaire, Resource } from 'fhir/r4';
import { FhirError } from '../../server/core/fhir-error';
import { R4Model } from '../../server/core/r4/element-model';
import { applyFhirPathPatch } from '../../server/rest/fhirpath-patch';

const model = new R4Model();

const part = (name: string, value: Omit<Part, 'name'>): Part => ({ name, ...value });
const value = (v: Omit<Part, 'name'>): Part => part('value', v);
const named = (n: string): Part => part('name', { valueString: n });
const int = (n: 'index' | 'source' | 'destination', i: number): Part => part(n, { valueInteger: i });
const op = (type: string, path: string, ...parts: Part[]): Part => ({
  name: 'operation',
  part: [part('type', { valueCode: type }), part('path', { valueString: path }), ...parts],
});
const patchOf = (...ops: Part[]): Parameters => ({ resourceType: 'Parameters', parameter: ops });
const apply = <T extends Resource>(r: T, ...ops: Part[]): T => applyFhirPathPatch(model, r, patchOf(...ops)) as T;

const patient = (): Patient => ({
  resourceType: 'Patient',
  id: 'p1',
  identifier: [{ system: 'x', value: '1' }, { system: 'y', value: '2' }],
  name: [
    { use: 'official', family: 'Chalmers', given: ['Peter', 'James'] },
    { use: 'usual', given: ['Jim'] },
    { use: 'maiden', family: 'Windsor' },
  ],
  telecom: [{ system: 'phone', value: '555-1' }],
  gender: 'male',
  birthDate: '1974-12-25',
});

const observation = (): Observation => ({
  resourceType: 'Observation',
  status: 'final',
  code: { coding: [{ system: 'http://loinc.org', code: '29463-7' }] },
  valueQuantity: { value: 72.5, unit: 'kg', system: 'http://unitsofmeasure.org', code: 'kg' },
  component: [{ code: { text: 'c' }, valueString: 'a' }],
});

/** Asserts `fn` throws a FhirError with this status/code (and expression), and returns it. */
function expectError(fn: () => unknown, status: number, code: string, expression?: string): FhirError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(FhirError);
  const err = caught as FhirError;
  expect([err.status, err.issues[0].code]).toEqual([status, code]);
  expect(err.issues[0].diagnostics).toMatch(/FHIRPath Patch/);
  if (expression) expect(err.issues[0].expression).toEqual([expression]);
  return err;
}

describe('add', () => {
  it('adds a primitive to the resource (spec example)', () => {
    const { birthDate: _omit, ...p } = patient();
    const out = apply(p as Patient, op('add', 'Patient', named('birthDate'), value({ valueDate: '1930-01-01' })));
    expect(out.birthDate).toBe('1930-01-01');
  });

  it('adds an anonymous (backbone) element from parts (spec contact example)', () => {
    const out = apply(patient(), op('add', 'Patient', named('contact'), value({ part: [part('name', { valueHumanName: { text: 'a name' } })] })));
    expect(out.contact).toEqual([{ name: { text: 'a name' } }]);
  });

  it('appends a telecom built from parts, and an identifier given as valueIdentifier', () => {
    const telecom = value({ part: [part('system', { valueCode: 'email' }), part('value', { valueString: 'p@x.org' })] });
    const out = apply(patient(), op('add', 'Patient', named('telecom'), telecom),
      op('add', 'Patient', named('identifier'), value({ valueIdentifier: { system: 'z', value: '3' } })));
    expect(out.telecom).toEqual([{ system: 'phone', value: '555-1' }, { system: 'email', value: 'p@x.org' }]);
    expect(out.identifier?.map((i) => i.system)).toEqual(['x', 'y', 'z']);
  });

  it('adds a Coding from parts under a nested element', () => {
    const coding = value({ part: [part('system', { valueUri: 'http://snomed.info/sct' }), part('code', { valueCode: '27113001' })] });
    const out = apply(observation(), op('add', 'Observation.code', named('coding'), coding));
    expect(out.code.coding).toEqual([{ system: 'http://loinc.org', code: '29463-7' }, { system: 'http://snomed.info/sct', code: '27113001' }]);
  });

  it('adds an extension whose choice value is a part, and nested repeating backbone parts', () => {
    const ext = value({ part: [part('url', { valueUri: 'http://e' }), part('value', { valueString: 's' })] });
    expect(apply(patient(), op('add', 'Patient', named('extension'), ext)).extension).toEqual([{ url: 'http://e', valueString: 's' }]);
    const q: Questionnaire = { resourceType: 'Questionnaire', status: 'draft', item: [{ linkId: '1', type: 'group' }] };
    const item = value({ part: [part('linkId', { valueString: '1.1' }), part('type', { valueCode: 'group' }),
      part('item', { part: [part('linkId', { valueString: '1.1.1' }), part('type', { valueCode: 'string' })] })] });
    const out = apply(q, op('add', 'Questionnaire.item[0]', named('item'), item));
    expect(out.item?.[0].item).toEqual([{ linkId: '1.1', type: 'group', item: [{ linkId: '1.1.1', type: 'string' }] }]);
  });

  it('appends to a primitive list', () => {
    const out = apply(patient(), op('add', "Patient.name.where(use='usual')", named('given'), value({ valueString: 'Jimmy' })));
    expect(out.name?.[1].given).toEqual(['Jim', 'Jimmy']);
  });

  it('names a choice element by its base name; the value type picks the suffix', () => {
    const out = apply(patient(), op('add', 'Patient', named('deceased'), value({ valueBoolean: false })));
    expect(out.deceasedBoolean).toBe(false);
    // Any [x] variant counts as already present.
    expectError(() => apply(out, op('add', 'Patient', named('deceased'), value({ valueDateTime: '2020-01-01' }))), 422, 'processing', 'Patient');
    expectError(() => apply(patient(), op('add', 'Patient', named('deceased'), value({ part: [part('x', { valueString: 'y' })] }))), 400, 'invalid');
  });

  it('adds an extension to a primitive in its _ companion', () => {
    const ext = value({ part: [part('url', { valueUri: 'http://bt' }), part('value', { valueDateTime: '1974-12-25T14:35:45-05:00' })] });
    const out = apply(patient(), op('add', 'Patient.birthDate', named('extension'), ext));
    expect(out.birthDate).toBe('1974-12-25');
    expect(out._birthDate).toEqual({ extension: [{ url: 'http://bt', valueDateTime: '1974-12-25T14:35:45-05:00' }] });
  });

  it('adds a contained resource given as resource', () => {
    const out = apply(patient(), op('add', 'Patient', named('contained'), value({ resource: { resourceType: 'Organization', id: 'o' } })));
    expect(out.contained).toEqual([{ resourceType: 'Organization', id: 'o' }]);
  });

  it('rejects an existing non-repeating element, an unknown name and a path matching several elements', () => {
    expectError(() => apply(patient(), op('add', 'Patient', named('birthDate'), value({ valueDate: '1930-01-01' }))), 422, 'processing', 'Patient');
    expectError(() => apply(patient(), op('add', 'Patient', named('nickname'), value({ valueString: 'x' }))), 422, 'processing', 'Patient');
    expectError(() => apply(patient(), op('add', 'Patient.name', named('text'), value({ valueString: 'x' }))), 422, 'processing', 'Patient.name');
  });
});

describe('insert', () => {
  const identifier = value({ valueIdentifier: { system: 'http://example.org', value: 'value 3' } });

  it('inserts into a list at an index (spec example)', () => {
    const out = apply(patient(), op('insert', 'Patient.identifier', identifier, int('index', 0)));
    expect(out.identifier?.map((i) => i.value)).toEqual(['value 3', '1', '2']);
  });

  it('inserts a name at index 0 and at the end', () => {
    const name = value({ valueHumanName: { family: 'New' } });
    const out = apply(patient(), op('insert', 'Patient.name', name, int('index', 0)), op('insert', 'Patient.name', name, int('index', 4)));
    expect(out.name?.map((n) => n.family)).toEqual(['New', 'Chalmers', undefined, 'Windsor', 'New']);
  });

  it('inserts into an absent list via its parent', () => {
    const { telecom: _omit, ...p } = patient();
    const out = apply(p as Patient, op('insert', 'Patient.telecom', value({ valueContactPoint: { value: 'a@b.c' } }), int('index', 0)));
    expect(out.telecom).toEqual([{ value: 'a@b.c' }]);
  });

  it('keeps a primitive list aligned with its _ companion', () => {
    const p = { resourceType: 'Patient', name: [{ given: ['a', 'b'], _given: [null, { id: 'g' }] }] } as Patient;
    const out = apply(p, op('insert', 'Patient.name.given', value({ valueString: 'z' }), int('index', 0)));
    expect(out.name?.[0]).toEqual({ given: ['z', 'a', 'b'], _given: [null, null, { id: 'g' }] });
  });

  it('rejects an index beyond the list and a path that is not a list', () => {
    expectError(() => apply(patient(), op('insert', 'Patient.identifier', identifier, int('index', 3))), 422, 'processing', 'Patient.identifier');
    expectError(() => apply(patient(), op('insert', 'Patient.birthDate', value({ valueDate: '2000-01-01' }), int('index', 0))), 422, 'processing');
  });
});

describe('delete', () => {
  it('deletes an element selected with where(), or by index (spec example)', () => {
    expect(apply(patient(), op('delete', "Patient.identifier.where(system='x')")).identifier).toEqual([{ system: 'y', value: '2' }]);
    expect(apply(patient(), op('delete', 'Patient.identifier[0]')).identifier).toEqual([{ system: 'y', value: '2' }]);
  });

  it('is a no-op when nothing matches', () => {
    expect(apply(patient(), op('delete', "Patient.identifier.where(system='nope')"), op('delete', 'Patient.deceased'))).toEqual(patient());
  });

  it('rejects a path matching more than one element', () => {
    expectError(() => apply(patient(), op('delete', 'Patient.identifier')), 422, 'processing', 'Patient.identifier');
  });

  it('removes a list that becomes empty, and a primitive with its _ companion', () => {
    const p = { ...patient(), _birthDate: { id: 'b' } } as Patient;
    const out = apply(p, op('delete', 'Patient.identifier[1]'), op('delete', 'Patient.identifier'), op('delete', 'Patient.birthDate'));
    expect(Object.keys(out)).toEqual(['resourceType', 'id', 'name', 'telecom', 'gender']);
  });

  it('deletes an extension found by extension(url) and drops the emptied companion', () => {
    const p = { resourceType: 'Patient', birthDate: '2000-01-01', _birthDate: { extension: [{ url: 'http://e', valueString: 'x' }] } } as Patient;
    expect(apply(p, op('delete', "Patient.birthDate.extension('http://e')"))).toEqual({ resourceType: 'Patient', birthDate: '2000-01-01' });
  });

  it('deletes a primitive list entry together with its companion entry', () => {
    const p = { resourceType: 'Patient', name: [{ given: ['a', 'b'], _given: [{ id: 'ga' }, null] }] } as Patient;
    expect(apply(p, op('delete', 'Patient.name.given[0]')).name).toEqual([{ given: ['b'] }]);
  });
});

describe('replace', () => {
  it('replaces a primitive (spec example: birthDate) and an element selected with where()', () => {
    const out = apply(patient(), op('replace', 'Patient.birthDate', value({ valueDate: '1930-01-01' })),
      op('replace', "Patient.name.where(use='official').family", value({ valueString: 'Smith' })));
    expect(out.birthDate).toBe('1930-01-01');
    expect(out.name?.map((n) => n.family)).toEqual(['Smith', undefined, 'Windsor']);
  });

  it('replaces a choice element addressed without its suffix (Observation.value)', () => {
    const quantity = { value: 80, unit: 'kg', system: 'http://unitsofmeasure.org', code: 'kg' };
    expect(apply(observation(), op('replace', 'Observation.value', value({ valueQuantity: quantity }))).valueQuantity).toEqual(quantity);
    const str = apply(observation(), op('replace', 'Observation.value', value({ valueString: 'heavy' })));
    expect(str.valueString).toBe('heavy');
    expect(str).not.toHaveProperty('valueQuantity');
  });

  it('replaces a choice element inside a backbone element', () => {
    const out = apply(observation(), op('replace', 'Observation.component[0].value', value({ valueCodeableConcept: { text: 'cc' } })));
    expect(out.component).toEqual([{ code: { text: 'c' }, valueCodeableConcept: { text: 'cc' } }]);
  });

  it('keeps the id/extensions of a primitive whose value is replaced', () => {
    const p = { ...patient(), _birthDate: { extension: [{ url: 'http://e', valueString: 'x' }] } } as Patient;
    expect(apply(p, op('replace', 'Patient.birthDate', value({ valueDate: '1930-01-01' })))._birthDate).toEqual(p._birthDate);
  });

  it('replaces list entries with a Reference and a whole HumanName', () => {
    const p: Patient = { ...patient(), generalPractitioner: [{ reference: 'Practitioner/1' }] };
    const out = apply(p, op('replace', 'Patient.generalPractitioner[0]', value({ valueReference: { reference: 'Practitioner/2' } })),
      op('replace', 'Patient.name[1]', value({ valueHumanName: { text: 'J' } })));
    expect(out.generalPractitioner).toEqual([{ reference: 'Practitioner/2' }]);
    expect(out.name?.[1]).toEqual({ text: 'J' });
  });

  it('rejects a path resolving to two elements, or to none', () => {
    const err = expectError(() => apply(patient(), op('replace', 'Patient.identifier.value', value({ valueString: 'v' }))), 422, 'processing');
    expect(err.issues[0].expression).toEqual(['Patient.identifier.value']);
    expect(err.issues[0].diagnostics).toMatch(/matches 2 elements/);
    expectError(() => apply(patient(), op('replace', 'Patient.deceased', value({ valueBoolean: true }))), 422, 'processing', 'Patient.deceased');
  });

  it('rejects values of the wrong type', () => {
    expectError(() => apply(observation(), op('replace', 'Observation.value', value({ valueHumanName: { text: 'x' } }))), 422, 'processing');
    expectError(() => apply(patient(), op('replace', 'Patient.name[0]', value({ valueString: 'x' }))), 422, 'processing');
  });

  it('rejects replacing the resource itself or a computed value', () => {
    expectError(() => apply(patient(), op('replace', 'Patient', value({ valueString: 'x' }))), 422, 'processing');
    expectError(() => apply(patient(), op('replace', 'Patient.name.count()', value({ valueInteger: 1 }))), 422, 'processing');
  });
});

describe('move', () => {
  it('moves within a list (spec example) and reorders names', () => {
    const ids = apply(patient(), op('move', 'Patient.identifier', int('source', 0), int('destination', 1))).identifier;
    expect(ids?.map((i) => i.system)).toEqual(['y', 'x']);
    const names = apply(patient(), op('move', 'Patient.name', int('source', 2), int('destination', 0))).name;
    expect(names?.map((n) => n.use)).toEqual(['maiden', 'official', 'usual']);
  });

  it('rejects indexes outside the list', () => {
    expectError(() => apply(patient(), op('move', 'Patient.name', int('source', 0), int('destination', 3))), 422, 'processing', 'Patient.name');
  });
});

describe('malformed patches (400)', () => {
  it('rejects an unknown operation type', () => {
    expectError(() => apply(patient(), op('upsert', 'Patient.birthDate')), 400, 'invalid');
  });

  it('rejects missing type, path or required parts', () => {
    expectError(() => apply(patient(), { name: 'operation', part: [part('type', { valueCode: 'delete' })] }), 400, 'invalid');
    expectError(() => apply(patient(), { name: 'operation', part: [part('path', { valueString: 'Patient.birthDate' })] }), 400, 'invalid');
    expectError(() => apply(patient(), op('replace', 'Patient.birthDate')), 400, 'invalid');
    expectError(() => apply(patient(), op('insert', 'Patient.name', value({ valueHumanName: {} }))), 400, 'invalid');
  });

  it('rejects other parameters, unknown parts, ambiguous values and bad FHIRPath', () => {
    expectError(() => applyFhirPathPatch(model, patient(), { resourceType: 'Parameters', parameter: [{ name: 'op' }] }), 400, 'invalid');
    expectError(() => apply(patient(), op('delete', 'Patient.birthDate', part('colour', { valueString: 'x' }))), 400, 'invalid');
    expectError(() => apply(patient(), op('replace', 'Patient.birthDate', value({ valueString: 'a', valueCode: 'b' }))), 400, 'invalid');
    expectError(() => apply(patient(), op('delete', 'Patient.name.where(')), 400, 'invalid', 'Patient.name.where(');
  });

  it('validates every operation before applying any', () => {
    const input = patient();
    expectError(() => apply(input, op('delete', 'Patient.birthDate'), op('nope', 'Patient')), 400, 'invalid');
    expect(input.birthDate).toBe('1974-12-25');
  });
});

describe('general behaviour', () => {
  const deepFreeze = <T>(v: T): T => {
    if (v && typeof v === 'object') Object.values(v).forEach(deepFreeze);
    return Object.freeze(v);
  };

  it('never mutates its input', () => {
    const input = deepFreeze(patient());
    const out = apply(input,
      op('replace', 'Patient.birthDate', value({ valueDate: '1930-01-01' })),
      op('delete', 'Patient.identifier[0]'),
      op('move', 'Patient.name', int('source', 0), int('destination', 1)),
      op('add', 'Patient.name[0]', named('given'), value({ valueString: 'J' })));
    expect(input).toEqual(patient());
    expect(out.birthDate).toBe('1930-01-01');
    expect(out.name?.[0].given).toEqual(['Jim', 'J']);
  });

  it('returns an equal copy for an empty patch', () => {
    const input = patient();
    const out = applyFhirPathPatch(model, input, { resourceType: 'Parameters' });
    expect(out).toEqual(input);
    expect(out).not.toBe(input);
  });

  it('applies operations in order, each seeing the previous result', () => {
    const out = apply(patient(), op('insert', 'Patient.name', value({ valueHumanName: { use: 'nickname', given: ['P'] } }), int('index', 0)),
      op('replace', "Patient.name.where(use='nickname').given[0]", value({ valueString: 'Pete' })));
    expect(out.name?.[0]).toEqual({ use: 'nickname', given: ['Pete'] });
  });

  it('patches inside contained resources', () => {
    const p: Patient = { ...patient(), contained: [{ resourceType: 'Practitioner', id: 'pr', name: [{ family: 'Old' }] }] };
    const out = apply(p, op('replace', 'Patient.contained.ofType(Practitioner).name.family', value({ valueString: 'New' })));
    expect(out.contained).toEqual([{ resourceType: 'Practitioner', id: 'pr', name: [{ family: 'New' }] }]);
  });
});
