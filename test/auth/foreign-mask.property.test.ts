/**
 * Element masking for patient-context tokens (core/foreign-mask.ts), pure: examples for the resources that
 * name two patients, and properties over random resource trees and hostile JSON — no foreign Patient id
 * survives, the token's own references do, nothing is mutated, masking is idempotent and a resource that
 * names nothing foreign comes back as the very same object.
 */
import fc from 'fast-check';
import type { Resource } from 'fhir/r4';
import { DATA_ABSENT_REASON, foreignRulesOf, isMaskedCopy, maskForeign, referenceTarget, referenceTargets } from '../../server/core/foreign-mask';

const own = foreignRulesOf({ patient: 'alice', exemptTypes: [] });
const masked = { extension: [{ url: DATA_ABSENT_REASON, valueCode: 'masked' }], type: 'Patient' };
const foreignPatients = (r: unknown): string[] => [...referenceTargets(r)].filter((t) => t.startsWith('Patient/') && t !== 'Patient/alice');
const ownRefs = (r: unknown): number => (JSON.stringify(r).match(/Patient\/alice(?![A-Za-z0-9\-.])/g) ?? []).length;

describe('examples', () => {
  test('a Group of Alice and Bruno keeps her member, masks his in place (1..1 entity), is labelled and loses its narrative', () => {
    const group = {
      resourceType: 'Group', id: 'g', type: 'person', actual: true, text: { status: 'generated', div: '<div>Alice, Bruno Zeller</div>' },
      member: [{ entity: { reference: 'Patient/alice' } }, { entity: { reference: 'https://x.example/fhir/Patient/bruno/_history/2', display: 'Bruno Zeller' } }],
    } as Resource;
    const out = maskForeign(group, own) as any;
    expect(out.member).toEqual([{ entity: { reference: 'Patient/alice' } }, { entity: masked }]);
    expect(out.text).toBeUndefined();
    expect(out.meta.security).toEqual([expect.objectContaining({ system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'MASKED' })]);
    expect(isMaskedCopy(out)).toBe(true);
    expect(JSON.stringify(out)).not.toMatch(/bruno|Zeller/i);
  });

  test('Patient.link, Provenance.target, looked-up foreign resources; Patient refs stay when a broad scope exempts Patient', () => {
    const patient = { resourceType: 'Patient', id: 'alice', link: [{ other: { reference: 'Patient/bruno' }, type: 'seealso' }] } as Resource;
    expect((maskForeign(patient, own) as any).link[0].other).toEqual(masked);
    const prov = { resourceType: 'Provenance', target: [{ reference: 'Observation/b1' }, { reference: 'Observation/a1' }] } as unknown as Resource;
    const out = maskForeign(prov, foreignRulesOf({ patient: 'alice', exemptTypes: [] }, new Set(['Observation/b1']))) as any;
    expect(out.target).toEqual([{ extension: masked.extension, type: 'Observation' }, { reference: 'Observation/a1' }]);
    expect(maskForeign(patient, foreignRulesOf({ patient: 'alice', exemptTypes: ['Patient'] }))).toBe(patient);
  });

  test('reference parsing: relative, absolute, versioned; contained, urn and garbage are not targets', () => {
    expect(referenceTarget('Patient/p-1.2')).toEqual({ type: 'Patient', id: 'p-1.2' });
    expect(referenceTarget('http://h/fhir/Patient/x/_history/3')).toEqual({ type: 'Patient', id: 'x' });
    for (const r of ['#p1', 'urn:uuid:5b1c', 'Patient', 'Patient/', 'patient/x', 'Patient/x y']) expect([r, referenceTarget(r)]).toEqual([r, undefined]);
  });
});

const ids = fc.constantFrom('alice', 'bruno', 'carla-2', 'x.9');
const ref = fc.record({
  reference: fc.tuple(fc.constantFrom('', 'http://h.example/fhir/', 'https://o.example/'), ids, fc.constantFrom('', '/_history/1'))
    .map(([base, id, hist]) => `${base}Patient/${id}${hist}`),
  display: fc.option(fc.constantFrom('Alice', 'Someone'), { nil: undefined }),
}, { requiredKeys: ['reference'] });
const tree: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small' }, ref, fc.string(), fc.integer(), fc.array(tie('node'), { maxLength: 4 }), fc.dictionary(fc.constantFrom('a', 'member', 'entity', 'link', 'other'), tie('node'), { maxKeys: 3 })),
})).node;
const resources = fc.record({ resourceType: fc.constantFrom('Group', 'Encounter', 'CareTeam'), id: fc.constantFrom('r1'), body: tree })
  .map(({ body, ...r }) => ({ ...r, contained: [body] }) as unknown as Resource);

describe('properties', () => {
  test('no foreign Patient reference survives; her own references all do; the input is not mutated', () => {
    fc.assert(fc.property(resources, (r) => {
      const before = JSON.stringify(r);
      const out = maskForeign(r, own);
      expect(JSON.stringify(r)).toBe(before);
      expect(foreignPatients(out)).toEqual([]);
      expect(ownRefs(out)).toBe(ownRefs(r));
      if (foreignPatients(r).length) expect(isMaskedCopy(out)).toBe(true);
      else expect(out).toBe(r);
    }), { numRuns: 300 });
  });

  test('idempotent: masking a masked copy changes nothing more', () => {
    fc.assert(fc.property(resources, (r) => {
      const once = maskForeign(r, own);
      expect(maskForeign(once, own)).toEqual(once);
    }), { numRuns: 200 });
  });

  test('hostile JSON never throws and never keeps a foreign Patient reference', () => {
    fc.assert(fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
      const r = { resourceType: 'Basic', x: a, y: [{ reference: 'Patient/bruno', z: b }] } as unknown as Resource;
      expect(foreignPatients(maskForeign(r, own))).toEqual([]);
    }), { numRuns: 300 });
  });
});
