/** FHIRPath Patch (https://hl7.org/fhir/R4/fhirpatch.html): spec examples, choice types, list handling and errors. */
import type { Observation, Parameters, ParametersParameter, Patient, Resource } from 'fhir/r4';
import { FhirError } from '../../server/core/fhir-error';
import { applyFhirPathPatch } from '../../server/rest/fhirpath-patch';

type Part = ParametersParameter;

const part = (name: string, value: Omit<Part, 'name'>): Part => ({ name, ...value });
const operation = (type: string, path: string, ...parts: Part[]): Part => ({
  name: 'operation',
  part: [part('type', { valueCode: type }), part('path', { valueString: path }), ...parts],
});
const patchOf = (...ops: Part[]): Parameters => ({ resourceType: 'Parameters', parameter: ops });
const apply = <T extends Resource>(r: T, ...ops: Part[]): T => applyFhirPathPatch(r, patchOf(...ops)) as T;

function patient(): Patient {
  return {
    resourceType: 'Patient',
    id: 'p1',
    identifier: [
      { system: 'x', value: '1' },
      { system: 'y', value: '2' },
    ],
    name: [
      { use: 'official', family: 'Chalmers', given: ['Peter', 'James'] },
      { use: 'usual', given: ['Jim'] },
      { use: 'maiden', family: 'Windsor' },
    ],
    telecom: [{ system: 'phone', value: '555-1' }],
    gender: 'male',
    birthDate: '1974-12-25',
  };
}

function observation(): Observation {
  return {
    resourceType: 'Observation',
    id: 'o1',
    status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code: '29463-7' }] },
    valueQuantity: { value: 72.5, unit: 'kg', system: 'http://unitsofmeasure.org', code: 'kg' },
    component: [{ code: { text: 'c' }, valueString: 'a' }],
  };
}

/** Runs `fn` and returns the FhirError it throws. */
function errorOf(fn: () => unknown): FhirError {
  try {
    fn();
  } catch (err) {
    if (err instanceof FhirError) return err;
    throw err;
  }
  throw new Error('expected a FhirError');
}

function expectError(fn: () => unknown, status: number, code: string, expression?: string): FhirError {
  const err = errorOf(fn);
  expect(err.status).toBe(status);
  expect(err.issues[0].code).toBe(code);
  expect(err.issues[0].diagnostics).toMatch(/FHIRPath Patch/);
  if (expression) expect(err.issues[0].expression).toEqual([expression]);
  return err;
}

describe('add', () => {
  it('adds a primitive to the resource (spec example)', () => {
    const { birthDate: _omit, ...p } = patient();
    const out = apply(p as Patient, operation('add', 'Patient', part('name', { valueString: 'birthDate' }), part('value', { valueDate: '1930-01-01' })));
    expect(out.birthDate).toBe('1930-01-01');
  });

  it('adds a complex, anonymous element from parts (spec contact example)', () => {
    const value = part('value', { part: [part('name', { valueHumanName: { text: 'a name' } })] });
    const out = apply(patient(), operation('add', 'Patient', part('name', { valueString: 'contact' }), value));
    expect(out.contact).toEqual([{ name: { text: 'a name' } }]);
  });

  it('appends a telecom built from parts to the existing list', () => {
    const value = part('value', {
      part: [part('system', { valueCode: 'email' }), part('value', { valueString: 'p@example.org' }), part('use', { valueCode: 'home' })],
    });
    const out = apply(patient(), operation('add', 'Patient', part('name', { valueString: 'telecom' }), value));
    expect(out.telecom).toEqual([{ system: 'phone', value: '555-1' }, { system: 'email', value: 'p@example.org', use: 'home' }]);
  });

  it('appends an identifier given as valueIdentifier', () => {
    const out = apply(patient(), operation('add', 'Patient', part('name', { valueString: 'identifier' }), part('value', { valueIdentifier: { system: 'z', value: '3' } })));
    expect(out.identifier?.map((i) => i.system)).toEqual(['x', 'y', 'z']);
  });

  it('adds a Coding from parts under a nested element', () => {
    const value = part('value', { part: [part('system', { valueUri: 'http://snomed.info/sct' }), part('code', { valueCode: '27113001' })] });
    const out = apply(observation(), operation('add', 'Observation.code', part('name', { valueString: 'coding' }), value));
    expect(out.code.coding).toHaveLength(2);
    expect(out.code.coding?.[1]).toEqual({ system: 'http://snomed.info/sct', code: '27113001' });
  });

  it('adds an extension whose choice value is given as a part', () => {
    const value = part('value', { part: [part('url', { valueUri: 'http://e' }), part('value', { valueString: 's' })] });
    const out = apply(patient(), operation('add', 'Patient', part('name', { valueString: 'extension' }), value));
    expect(out.extension).toEqual([{ url: 'http://e', valueString: 's' }]);
  });

  it('appends to a primitive list', () => {
    const out = apply(patient(), operation('add', "Patient.name.where(use='usual')", part('name', { valueString: 'given' }), part('value', { valueString: 'Jimmy' })));
    expect(out.name?.[1].given).toEqual(['Jim', 'Jimmy']);
  });

  it('names a choice element by its base name and picks the suffix from the value type', () => {
    const out = apply(patient(), operation('add', 'Patient', part('name', { valueString: 'deceased' }), part('value', { valueBoolean: false })));
    expect(out.deceasedBoolean).toBe(false);
    const again = () => apply(out, operation('add', 'Patient', part('name', { valueString: 'deceased' }), part('value', { valueDateTime: '2020-01-01' })));
    expectError(again, 422, 'processing', 'Patient');
  });

  it('adds an extension to a primitive in its _ companion', () => {
    const value = part('value', { part: [part('url', { valueUri: 'http://birthTime' }), part('value', { valueDateTime: '1974-12-25T14:35:45-05:00' })] });
    const out = apply(patient(), operation('add', 'Patient.birthDate', part('name', { valueString: 'extension' }), value));
    expect(out.birthDate).toBe('1974-12-25');
    expect(out._birthDate).toEqual({ extension: [{ url: 'http://birthTime', valueDateTime: '1974-12-25T14:35:45-05:00' }] });
  });

  it('adds a contained resource given as resource', () => {
    const value = part('value', { resource: { resourceType: 'Organization', id: 'o', name: 'Org' } });
    const out = apply(patient(), operation('add', 'Patient', part('name', { valueString: 'contained' }), value));
    expect(out.contained).toEqual([{ resourceType: 'Organization', id: 'o', name: 'Org' }]);
  });

  it('rejects adding a non-repeating element that already exists', () => {
    const op = operation('add', 'Patient', part('name', { valueString: 'birthDate' }), part('value', { valueDate: '1930-01-01' }));
    expectError(() => apply(patient(), op), 422, 'processing', 'Patient');
  });

  it('rejects an unknown element name and a path matching several elements', () => {
    const unknown = operation('add', 'Patient', part('name', { valueString: 'nickname' }), part('value', { valueString: 'x' }));
    expectError(() => apply(patient(), unknown), 422, 'processing', 'Patient');
    const several = operation('add', 'Patient.name', part('name', { valueString: 'text' }), part('value', { valueString: 'x' }));
    expectError(() => apply(patient(), several), 422, 'processing', 'Patient.name');
  });
});

describe('insert', () => {
  const identifier = part('value', { valueIdentifier: { system: 'http://example.org', value: 'value 3' } });

  it('inserts into a list at an index (spec example)', () => {
    const out = apply(patient(), operation('insert', 'Patient.identifier', identifier, part('index', { valueInteger: 0 })));
    expect(out.identifier?.map((i) => i.value)).toEqual(['value 3', '1', '2']);
  });

  it('inserts a name at index 0 and at the end', () => {
    const name = part('value', { valueHumanName: { family: 'New' } });
    const out = apply(patient(), operation('insert', 'Patient.name', name, part('index', { valueInteger: 0 })), operation('insert', 'Patient.name', name, part('index', { valueInteger: 4 })));
    expect(out.name?.map((n) => n.family)).toEqual(['New', 'Chalmers', undefined, 'Windsor', 'New']);
  });

  it('inserts into an absent list via its parent', () => {
    const { telecom: _omit, ...p } = patient();
    const value = part('value', { valueContactPoint: { system: 'email', value: 'a@b.c' } });
    const out = apply(p as Patient, operation('insert', 'Patient.telecom', value, part('index', { valueInteger: 0 })));
    expect(out.telecom).toEqual([{ system: 'email', value: 'a@b.c' }]);
  });

  it('keeps a primitive list aligned with its _ companion', () => {
    const p: Patient = { resourceType: 'Patient', name: [{ given: ['a', 'b'], _given: [null, { id: 'g' }] } as never] };
    const out = apply(p, operation('insert', 'Patient.name.given', part('value', { valueString: 'z' }), part('index', { valueInteger: 0 })));
    expect(out.name?.[0]).toEqual({ given: ['z', 'a', 'b'], _given: [null, null, { id: 'g' }] });
  });

  it('rejects an index beyond the list and a path that is not a list', () => {
    expectError(() => apply(patient(), operation('insert', 'Patient.identifier', identifier, part('index', { valueInteger: 3 }))), 422, 'processing', 'Patient.identifier');
    const notList = operation('insert', 'Patient.birthDate', part('value', { valueDate: '2000-01-01' }), part('index', { valueInteger: 0 }));
    expectError(() => apply(patient(), notList), 422, 'processing');
  });
});

describe('delete', () => {
  it('deletes an element selected with where() (spec style)', () => {
    const out = apply(patient(), operation('delete', "Patient.identifier.where(system='x')"));
    expect(out.identifier).toEqual([{ system: 'y', value: '2' }]);
  });

  it('deletes by index (spec example)', () => {
    const out = apply(patient(), operation('delete', 'Patient.identifier[0]'));
    expect(out.identifier?.map((i) => i.system)).toEqual(['y']);
  });

  it('is a no-op when nothing matches', () => {
    const out = apply(patient(), operation('delete', "Patient.identifier.where(system='nope')"), operation('delete', 'Patient.deceased'));
    expect(out).toEqual(patient());
  });

  it('rejects a path matching more than one element', () => {
    expectError(() => apply(patient(), operation('delete', 'Patient.identifier')), 422, 'processing', 'Patient.identifier');
  });

  it('removes a list that becomes empty, and a primitive with its _ companion', () => {
    const p = { ...patient(), _birthDate: { id: 'b' } } as Patient;
    const out = apply(p, operation('delete', "Patient.identifier.where(system='x')"), operation('delete', 'Patient.identifier'), operation('delete', 'Patient.birthDate'));
    expect(out).not.toHaveProperty('identifier');
    expect(out).not.toHaveProperty('birthDate');
    expect(out).not.toHaveProperty('_birthDate');
  });

  it('deletes an extension found by extension(url) and drops the emptied companion', () => {
    const p = { resourceType: 'Patient', birthDate: '2000-01-01', _birthDate: { extension: [{ url: 'http://e', valueString: 'x' }] } } as Patient;
    const out = apply(p, operation('delete', "Patient.birthDate.extension('http://e')"));
    expect(out).toEqual({ resourceType: 'Patient', birthDate: '2000-01-01' });
  });

  it('deletes a primitive list entry together with its companion entry', () => {
    const p: Patient = { resourceType: 'Patient', name: [{ given: ['a', 'b'], _given: [{ id: 'ga' }, null] } as never] };
    const out = apply(p, operation('delete', 'Patient.name.given[0]'));
    expect(out.name?.[0]).toEqual({ given: ['b'] });
  });
});

describe('replace', () => {
  it('replaces a primitive (spec example: birthDate)', () => {
    const out = apply(patient(), operation('replace', 'Patient.birthDate', part('value', { valueDate: '1930-01-01' })));
    expect(out.birthDate).toBe('1930-01-01');
  });

  it('replaces an element selected with where()', () => {
    const out = apply(patient(), operation('replace', "Patient.name.where(use='official').family", part('value', { valueString: 'Smith' })));
    expect(out.name?.[0].family).toBe('Smith');
    expect(out.name?.[2].family).toBe('Windsor');
  });

  it('replaces a choice element addressed without its suffix (Observation.value)', () => {
    const quantity = { value: 80, unit: 'kg', system: 'http://unitsofmeasure.org', code: 'kg' };
    const out = apply(observation(), operation('replace', 'Observation.value', part('value', { valueQuantity: quantity })));
    expect(out.valueQuantity).toEqual(quantity);
    const str = apply(observation(), operation('replace', 'Observation.value', part('value', { valueString: 'heavy' })));
    expect(str.valueString).toBe('heavy');
    expect(str).not.toHaveProperty('valueQuantity');
  });

  it('replaces a choice element inside a backbone element', () => {
    const out = apply(observation(), operation('replace', 'Observation.component[0].value', part('value', { valueCodeableConcept: { text: 'cc' } })));
    expect(out.component?.[0]).toEqual({ code: { text: 'c' }, valueCodeableConcept: { text: 'cc' } });
  });

  it('keeps the id/extensions of a primitive whose value is replaced', () => {
    const p = { ...patient(), _birthDate: { extension: [{ url: 'http://e', valueString: 'x' }] } } as Patient;
    const out = apply(p, operation('replace', 'Patient.birthDate', part('value', { valueDate: '1930-01-01' })));
    expect(out._birthDate).toEqual(p._birthDate);
  });

  it('replaces a list entry with a Reference and a whole HumanName', () => {
    const p: Patient = { ...patient(), generalPractitioner: [{ reference: 'Practitioner/1' }] };
    const out = apply(p, operation('replace', 'Patient.generalPractitioner[0]', part('value', { valueReference: { reference: 'Practitioner/2' } })), operation('replace', 'Patient.name[1]', part('value', { valueHumanName: { text: 'J' } })));
    expect(out.generalPractitioner).toEqual([{ reference: 'Practitioner/2' }]);
    expect(out.name?.[1]).toEqual({ text: 'J' });
  });

  it('rejects a path resolving to two elements, or to none', () => {
    expectError(() => apply(patient(), operation('replace', 'Patient.identifier.value', part('value', { valueString: 'v' }))), 422, 'processing', 'Patient.identifier.value');
    expectError(() => apply(patient(), operation('replace', 'Patient.deceased', part('value', { valueBoolean: true }))), 422, 'processing', 'Patient.deceased');
  });

  it('rejects values of the wrong type', () => {
    expectError(() => apply(observation(), operation('replace', 'Observation.value', part('value', { valueHumanName: { text: 'x' } }))), 422, 'processing');
    expectError(() => apply(patient(), operation('replace', 'Patient.name[0]', part('value', { valueString: 'x' }))), 422, 'processing');
  });

  it('rejects replacing the resource itself or a computed value', () => {
    expectError(() => apply(patient(), operation('replace', 'Patient', part('value', { valueString: 'x' }))), 422, 'processing');
    expectError(() => apply(patient(), operation('replace', 'Patient.name.count()', part('value', { valueInteger: 1 }))), 422, 'processing');
  });
});

describe('move', () => {
  it('moves within a list (spec example)', () => {
    const out = apply(patient(), operation('move', 'Patient.identifier', part('source', { valueInteger: 0 }), part('destination', { valueInteger: 1 })));
    expect(out.identifier?.map((i) => i.system)).toEqual(['y', 'x']);
  });

  it('reorders names', () => {
    const out = apply(patient(), operation('move', 'Patient.name', part('source', { valueInteger: 2 }), part('destination', { valueInteger: 0 })));
    expect(out.name?.map((n) => n.use)).toEqual(['maiden', 'official', 'usual']);
  });

  it('rejects indexes outside the list', () => {
    const op = operation('move', 'Patient.name', part('source', { valueInteger: 0 }), part('destination', { valueInteger: 3 }));
    expectError(() => apply(patient(), op), 422, 'processing', 'Patient.name');
  });
});

describe('malformed patches (400)', () => {
  it('rejects an unknown operation type', () => {
    expectError(() => apply(patient(), operation('upsert', 'Patient.birthDate')), 400, 'invalid');
  });

  it('rejects missing type, path or required parts', () => {
    const noPath: Part = { name: 'operation', part: [part('type', { valueCode: 'delete' })] };
    expectError(() => apply(patient(), noPath), 400, 'invalid');
    const noType: Part = { name: 'operation', part: [part('path', { valueString: 'Patient.birthDate' })] };
    expectError(() => apply(patient(), noType), 400, 'invalid');
    expectError(() => apply(patient(), operation('replace', 'Patient.birthDate')), 400, 'invalid');
    expectError(() => apply(patient(), operation('insert', 'Patient.name', part('value', { valueHumanName: {} }))), 400, 'invalid');
  });

  it('rejects other parameters, unknown parts, ambiguous values and bad FHIRPath', () => {
    expectError(() => applyFhirPathPatch(patient(), { resourceType: 'Parameters', parameter: [{ name: 'op' }] }), 400, 'invalid');
    expectError(() => apply(patient(), operation('delete', 'Patient.birthDate', part('colour', { valueString: 'x' }))), 400, 'invalid');
    const twoValues = part('value', { valueString: 'a', valueCode: 'b' });
    expectError(() => apply(patient(), operation('replace', 'Patient.birthDate', twoValues)), 400, 'invalid');
    expectError(() => apply(patient(), operation('delete', 'Patient.name.where(')), 400, 'invalid', 'Patient.name.where(');
  });

  it('validates every operation before applying any', () => {
    const input = patient();
    expectError(() => apply(input, operation('delete', 'Patient.birthDate'), operation('nope', 'Patient')), 400, 'invalid');
    expect(input.birthDate).toBe('1974-12-25');
  });
});

describe('general behaviour', () => {
  function deepFreeze<T>(v: T): T {
    if (v && typeof v === 'object') Object.values(v).forEach(deepFreeze);
    return Object.freeze(v);
  }

  it('never mutates its input', () => {
    const input = deepFreeze(patient());
    const out = apply(
      input,
      operation('replace', 'Patient.birthDate', part('value', { valueDate: '1930-01-01' })),
      operation('delete', 'Patient.identifier[0]'),
      operation('move', 'Patient.name', part('source', { valueInteger: 0 }), part('destination', { valueInteger: 1 })),
      operation('add', 'Patient.name[0]', part('name', { valueString: 'given' }), part('value', { valueString: 'J' })),
    );
    expect(input).toEqual(patient());
    expect(out.birthDate).toBe('1930-01-01');
    expect(out.name?.[0].given).toEqual(['Jim', 'J']);
  });

  it('returns an equal copy for an empty patch', () => {
    const input = patient();
    const out = applyFhirPathPatch(input, { resourceType: 'Parameters' });
    expect(out).toEqual(input);
    expect(out).not.toBe(input);
  });

  it('applies operations in order, each seeing the previous result', () => {
    const name = part('value', { valueHumanName: { use: 'nickname', given: ['P'] } });
    const out = apply(patient(), operation('insert', 'Patient.name', name, part('index', { valueInteger: 0 })), operation('replace', "Patient.name.where(use='nickname').given[0]", part('value', { valueString: 'Pete' })));
    expect(out.name?.[0]).toEqual({ use: 'nickname', given: ['Pete'] });
  });

  it('patches inside contained resources', () => {
    const p: Patient = { ...patient(), contained: [{ resourceType: 'Practitioner', id: 'pr', name: [{ family: 'Old' }] }] };
    const out = apply(p, operation('replace', 'Patient.contained.ofType(Practitioner).name.family', part('value', { valueString: 'New' })));
    expect(out.contained).toEqual([{ resourceType: 'Practitioner', id: 'pr', name: [{ family: 'New' }] }]);
  });
});
