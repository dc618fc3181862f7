/**
 * Masking by identifier (core/foreign-mask.ts): references by identifier only (or carrying one) to a Patient
 * or to an unknown type, and Patients nested in a visible resource (contained, Bundle entries), are another
 * patient's unless the identifiers are the token patient's own. Examples, then properties over random trees:
 * no other patient's identifier survives in a patient position, hers all do, references typed as another
 * resource keep theirs, the input is not mutated, masking is idempotent, and a broad Patient scope masks none.
 */
import fc from 'fast-check';
import type { Resource } from 'fhir/r4';
import { DATA_ABSENT_REASON, type OwnIdentifier, foreignRulesOf, isMaskedCopy, maskForeign } from '../../server/core/foreign-mask';

const ALICE_IDS: OwnIdentifier[] = [{ system: 'urn:mrn', value: 'MRN-A' }, { system: 'urn:ssn', value: '111' }];
const rules = foreignRulesOf({ patient: 'alice', exemptTypes: [] }, new Set(), ALICE_IDS);
const broad = foreignRulesOf({ patient: 'alice', exemptTypes: ['Patient'] }, new Set(), ALICE_IDS);
const dar = [{ url: DATA_ABSENT_REASON, valueCode: 'masked' }];
const mrn = (value: string, system = 'urn:mrn') => ({ system, value });
const stub = (id?: string) => ({ resourceType: 'Patient', ...(id ? { id } : {}), meta: { security: [expect.objectContaining({ code: 'MASKED' })] } });

describe('examples', () => {
  test('identifier references: typed Patient, untyped, typed by uri or by literal are masked unless hers; Practitioner ones are kept', () => {
    const obs = {
      resourceType: 'Observation', id: 'o', status: 'final', code: { text: 'x' }, subject: { reference: 'Patient/alice' },
      performer: [
        { identifier: mrn('MRN-B'), display: 'Bruno Zeller' }, { type: 'Patient', identifier: mrn('MRN-B') },
        { type: 'http://hl7.org/fhir/StructureDefinition/Patient', identifier: mrn('MRN-B') }, { reference: 'Patient/alice', identifier: mrn('MRN-B') },
        { type: 'Patient', identifier: mrn('MRN-A') }, { identifier: { value: '111' } }, { type: 'Patient', identifier: mrn('MRN-A', 'urn:other') },
        { type: 'Practitioner', identifier: mrn('NPI-9', 'urn:npi') }, { reference: 'Practitioner/p1', identifier: mrn('NPI-9', 'urn:npi') },
      ],
    } as unknown as Resource;
    const out = maskForeign(obs, rules) as any;
    expect(out.performer).toEqual([
      { extension: dar }, { extension: dar, type: 'Patient' }, { extension: dar, type: 'Patient' }, { extension: dar, type: 'Patient' },
      { type: 'Patient', identifier: mrn('MRN-A') }, { identifier: { value: '111' } }, { extension: dar, type: 'Patient' },
      { type: 'Practitioner', identifier: mrn('NPI-9', 'urn:npi') }, { reference: 'Practitioner/p1', identifier: mrn('NPI-9', 'urn:npi') },
    ]);
    expect(isMaskedCopy(out)).toBe(true);
    expect(JSON.stringify(out)).not.toMatch(/MRN-B|Bruno/);
  });

  test('an element with more than Reference keys is not a reference (Contract.term-like backbones keep their identifier)', () => {
    const r = { resourceType: 'Contract', term: [{ identifier: mrn('T-1', 'urn:t'), text: 'term' }] } as unknown as Resource;
    expect(maskForeign(r, rules)).toBe(r);
  });

  test('contained Patients: another\'s becomes a stub keeping its local id; hers (every identifier hers) stays; a contained resource\'s identifier reference is masked', () => {
    const obs = {
      resourceType: 'Observation', id: 'o', status: 'final', code: { text: 'x' }, subject: { reference: 'Patient/alice' }, focus: [{ reference: '#c1' }, { reference: '#c2' }, { reference: '#c3' }],
      contained: [
        { resourceType: 'Patient', id: 'c1', name: [{ family: 'Zeller' }], identifier: [mrn('MRN-B')] },
        { resourceType: 'Patient', id: 'c2', name: [{ family: 'Ashby' }], identifier: [mrn('MRN-A')] },
        { resourceType: 'Patient', id: 'c3', name: [{ family: 'Mixed' }], identifier: [mrn('MRN-A'), mrn('MRN-B')] },
        { resourceType: 'Patient', id: 'c4', name: [{ family: 'Nobody' }] },
        { resourceType: 'RelatedPerson', id: 'c5', patient: { identifier: mrn('MRN-B') } },
      ],
    };
    const out = maskForeign(obs as unknown as Resource, rules) as any;
    expect(out.contained).toEqual([stub('c1'), obs.contained[1], stub('c3'), stub('c4'), { resourceType: 'RelatedPerson', id: 'c5', patient: { extension: dar } }]);
    expect(out.focus).toEqual(obs.focus);
    expect(JSON.stringify(out)).not.toMatch(/MRN-B|Zeller|Mixed|Nobody/);
    expect(maskForeign(obs as unknown as Resource, broad)).toBe(obs);
  });

  test('a Patient in a Bundle entry loses its server id too; the top resource is never taken for a nested one', () => {
    const bundle = { resourceType: 'Bundle', type: 'collection', entry: [{ resource: { resourceType: 'Patient', id: 'bruno', identifier: [mrn('MRN-B')] } }] } as unknown as Resource;
    expect((maskForeign(bundle, rules) as any).entry[0].resource).toEqual(stub());
    const bruno = { resourceType: 'Patient', id: 'alice', identifier: [mrn('MRN-B')] } as Resource;
    expect(maskForeign(bruno, rules)).toBe(bruno);
  });

  test('hostile identifiers (not objects, no value, arrays) are masked in patient positions, never thrown on', () => {
    for (const identifier of ['MRN-B', 42, null, {}, { system: 'urn:mrn' }, { value: 7 }]) {
      const r = { resourceType: 'Basic', x: { type: 'Patient', identifier } } as unknown as Resource;
      expect([identifier, (maskForeign(r, rules) as any).x]).toEqual([identifier, { extension: dar, type: 'Patient' }]);
    }
  });
});

// Random trees of references by identifier (to Patient, unknown, or Practitioner) and nested Patients.
const identifier = fc.constantFrom(mrn('MRN-A'), mrn('MRN-B'), mrn('MRN-A', 'urn:other'), { value: '111' }, { value: 'MRN-C' }, mrn('111', 'urn:ssn'));
const idRef = fc.record({
  type: fc.constantFrom(undefined, 'Patient', 'http://hl7.org/fhir/StructureDefinition/Patient', 'Practitioner'),
  identifier, display: fc.option(fc.constant('Someone'), { nil: undefined }),
}, { requiredKeys: ['identifier'] }).map((r) => JSON.parse(JSON.stringify(r)) as Record<string, unknown>);
const nestedPatient = fc.record({ resourceType: fc.constant('Patient'), id: fc.constantFrom('c1', 'c2'), identifier: fc.array(identifier, { maxLength: 3 }) });
const tree: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small' }, idRef, nestedPatient, fc.string(), fc.array(tie('node'), { maxLength: 4 }),
    fc.dictionary(fc.constantFrom('a', 'performer', 'contained', 'entry', 'resource'), tie('node'), { maxKeys: 3 })),
})).node;
const resources = fc.record({ resourceType: fc.constantFrom('Observation', 'Group', 'Bundle'), id: fc.constant('r1'), body: tree })
  .map(({ body, ...r }) => ({ ...r, x: [body] }) as unknown as Resource);

const isHers = (i: any): boolean => ALICE_IDS.some((o) => typeof i?.value === 'string' && o.value === i.value && (i.system === undefined || i.system === o.system));

/** Identifiers left in patient positions (references typed Patient or untyped; nested Patients), judged independently of the implementation. */
function patientIdentifiers(node: unknown, top = true, out: unknown[] = []): unknown[] {
  if (Array.isArray(node)) node.forEach((v) => patientIdentifiers(v, false, out));
  else if (node && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    if (!top && o.resourceType === 'Patient') out.push(...((o.identifier as unknown[] | undefined) ?? []));
    else if (!top && 'identifier' in o && (o.type === undefined || String(o.type).endsWith('Patient'))) out.push(o.identifier);
    Object.values(o).forEach((v) => patientIdentifiers(v, false, out));
  }
  return out;
}
const practitionerIds = (r: unknown): number => (JSON.stringify(r).match(/"type":"Practitioner","identifier"/g) ?? []).length;

describe('properties', () => {
  test('no identifier but hers is left in a patient position; hers and Practitioner references survive; the input is not mutated', () => {
    fc.assert(fc.property(resources, (r) => {
      const before = JSON.stringify(r);
      const out = maskForeign(r, rules);
      expect(JSON.stringify(r)).toBe(before);
      expect(patientIdentifiers(out).filter((i) => !isHers(i))).toEqual([]);
      if (patientIdentifiers(r).some((i) => !isHers(i))) expect(isMaskedCopy(out)).toBe(true);
      // a Practitioner reference nested in a masked Patient goes with it; elsewhere it stays
      if (!JSON.stringify(r).includes('"resourceType":"Patient"')) expect(practitionerIds(out)).toBe(practitionerIds(r));
    }), { numRuns: 400 });
  });

  test('idempotent, and a broad Patient scope masks nothing', () => {
    fc.assert(fc.property(resources, (r) => {
      const once = maskForeign(r, rules);
      expect(maskForeign(once, rules)).toEqual(once);
      expect(maskForeign(r, broad)).toBe(r);
    }), { numRuns: 300 });
  });

  test('hostile JSON around an identifier reference never throws and never keeps another\'s identifier', () => {
    fc.assert(fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
      const r = { resourceType: 'Basic', x: a, y: [{ type: 'Patient', identifier: mrn('MRN-B') }, { resourceType: 'Patient', identifier: [mrn('MRN-B')], z: b }] } as unknown as Resource;
      expect(JSON.stringify(maskForeign(r, rules))).not.toContain('MRN-B');
    }), { numRuns: 300 });
  });
});
