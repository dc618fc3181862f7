/**
 * fast-check properties of `apply` on hostile resources: real Synthea resources with random values
 * planted in the fields the profile redacts, random extra keys, arbitrary JSON and deep nesting. It never
 * throws, keeps the resource shape, and no planted value survives.
 */
import fc from 'fast-check';
import type { Resource } from 'fhir/r4';
import { loadStoredSynthea } from '../../bench/lib/synthea-stored';
import { shiftDate } from '../../server/bulk/pseudonymize/date-shift';
import { type Json, pseudonymizer } from './pseudonymize-helpers';

const ps = pseudonymizer();
const samples: Resource[] = loadStoredSynthea(3).flatMap((b) => b.resources).filter((_r, i) => i % 7 === 0);
// upper-case letters never occur in the lower-case hex of hashes and pseudonyms
const marker = fc.string({ unit: fc.constantFrom(...'ABCDEFGHJKLMNPQRSTUVWXYZ'), minLength: 10, maxLength: 20 }).map((s) => `ZQ${s}`);

/** Plants `m` where the gdpr-default profile must remove or transform it. */
function plant(r: Resource, m: string, where: number): Json {
  const out: Json = structuredClone(r);
  switch (where) {
    case 0: out.name = [{ family: m, given: [m] }]; break;
    case 1: out.address = [{ line: [m], city: m, postalCode: m, district: m }]; break;
    case 2: out.telecom = [{ system: 'phone', value: m }]; break;
    case 3: out.identifier = [{ system: 'urn:x', value: m }]; break;
    case 4: out.text = { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml">${m}</div>` }; break;
    case 5: out.note = [{ text: m, authorString: m }]; break;
    case 6: out.extension = [{ url: 'http://example.org/any', valueString: m }]; break;
    case 7: out.meta = { source: `urn:src:${m}`, versionId: m }; break;
    default: out.subject = { reference: `Patient?name=${m}`, display: m };
  }
  return out;
}

describe('pseudonymize properties', () => {
  test('planted values in redacted fields never survive; the output is a resource of the same type with a pseudonym id', () => {
    fc.assert(fc.property(fc.constantFrom(...samples), marker, fc.integer({ min: 0, max: 8 }), (r, m, where) => {
      const out = ps.apply(plant(r, m, where) as Resource);
      expect(out?.resourceType).toBe(r.resourceType);
      expect(out?.id).toMatch(/^[0-9a-f]{40}$/);
      expect(JSON.stringify(out)).not.toContain(m);
    }), { numRuns: 400 });
  });

  test('random extra keys and values anywhere never throw, and keys the R4 model does not know are not passed through', () => {
    const junk = fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }).map((k) => `zz${k}`), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 });
    fc.assert(fc.property(fc.constantFrom(...samples), junk, junk, (r, top, nested) => {
      const input: Json = { ...structuredClone(r), ...top };
      if (Array.isArray(input.identifier)) input.identifier = [{ ...input.identifier[0], ...nested }];
      const out = ps.apply(input as Resource);
      expect(Object.keys(out ?? {}).some((k) => k.startsWith('zz'))).toBe(false);
      expect(JSON.stringify(out ?? {})).not.toMatch(/"zz/);
    }), { numRuns: 200 });
  });

  test('arbitrary JSON as a resource: no throw; undefined for a non-resource, otherwise an object of a known type', () => {
    const type = fc.constantFrom('Patient', 'Observation', 'Bundle', 'Extension', 'NotAType', 'DocumentReference');
    const value = fc.oneof(fc.jsonValue({ maxDepth: 4 }), fc.record({ resourceType: type }).chain((h) => fc.dictionary(fc.constantFrom('id', 'name', 'status', 'contained', 'entry', 'extension', 'valueString', 'birthDate', 'code', 'subject', 'period', '_birthDate', 'text'), fc.jsonValue({ maxDepth: 4 })).map((d) => ({ ...d, ...h }))));
    fc.assert(fc.property(value, (v) => {
      const out = ps.apply(v as Resource);
      if (out !== undefined) expect(['Patient', 'Observation', 'Bundle']).toContain(out.resourceType);
    }), { numRuns: 500 });
    // found by this property: an id that is an object without a usable toString
    expect(() => ps.apply({ resourceType: 'Bundle', id: { toString: [] } } as unknown as Resource)).not.toThrow();
  });

  test('deep nesting (extensions, Bundles in Bundles) is cut off, never a stack overflow', () => {
    let ext: Json = { url: 'u', valueCode: 'x' };
    for (let i = 0; i < 20_000; i++) ext = { url: 'u', extension: [ext] };
    expect(() => ps.apply({ resourceType: 'Patient', id: 'deep', extension: [ext] } as Resource)).not.toThrow();
    let bundle: Json = { resourceType: 'Patient', id: 'x' };
    for (let i = 0; i < 5_000; i++) bundle = { resourceType: 'Bundle', type: 'collection', entry: [{ resource: bundle }] };
    expect(() => ps.apply(bundle as Resource)).not.toThrow();
  });

  test('date shift: precision and time kept, shifting back restores the value, the shift is never 0 days', () => {
    const date = fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true });
    const form = fc.constantFrom((d: Date) => d.toISOString().slice(0, 4), (d: Date) => d.toISOString().slice(0, 7), (d: Date) => d.toISOString().slice(0, 10), (d: Date) => `${d.toISOString().slice(0, 19)}+02:00`, (d: Date) => d.toISOString());
    fc.assert(fc.property(date, form, fc.integer({ min: -365, max: 365 }).filter((n) => n !== 0), (d, f, days) => {
      const v = f(d);
      const shifted = shiftDate(v, days);
      expect(shifted?.length).toBe(v.length);
      expect(shifted?.slice(10)).toBe(v.slice(10));
      if (v.length >= 10) {
        expect(shifted).not.toBe(v);
        expect(shiftDate(shifted ?? '', -days)).toBe(v);
      }
    }), { numRuns: 500 });
    for (const bad of ['2023-02-30', '2023-13-01', 'yesterday', '2023-01-01T25:00', '20230101']) expect(shiftDate(bad, 3)).toBeUndefined();
  });
});
