/**
 * registry.extractOnly (the subscription fan-out's filters ask about one or two parameters): for any resource and
 * any set of the type's parameter names, exactly the rows `extract` gives those names — contained resources'
 * rows are named apart (#Type:code) and never answer for the container's own parameters.
 */
import type { FhirResource, Resource } from 'fhir/r4';
import fc from 'fast-check';
import { createSearchRegistry } from '../../server/search/registry';
import type { IndexValues } from '../../server/search/types';
import { allFixtures } from './helpers/fixtures';

const registry = createSearchRegistry();
const KINDS = ['token', 'string', 'reference', 'date', 'number', 'quantity', 'uri'] as const;

const withContained = (r: FhirResource): Resource => ({
  ...r, contained: [{ resourceType: 'Patient', id: 'c1', name: [{ family: 'Inner' }], generalPractitioner: [{ reference: 'Practitioner/x' }] }],
} as unknown as Resource);

const only = (v: IndexValues, codes: ReadonlySet<string>): Partial<IndexValues> =>
  Object.fromEntries(KINDS.map((k) => [k, (v[k] as { param: string }[]).filter((row) => codes.has(row.param))]));

describe('extractOnly', () => {
  test('gives the rows extract gives the same parameter names (property over fixtures, contained or not, and name subsets)', () => {
    const resources = allFixtures.flatMap((r) => [r as Resource, withContained(r)]);
    fc.assert(fc.property(fc.constantFrom(...resources), fc.infiniteStream(fc.boolean()), (r, picks) => {
      const names = registry.forType(r.resourceType).map((d) => d.code);
      const it = picks[Symbol.iterator]();
      const codes = new Set(names.filter(() => it.next().value === true));
      const got = registry.extractOnly(r, codes);
      expect(only(got, codes)).toEqual(only(registry.extract(r), codes));
      // nothing beyond the names asked for
      for (const k of KINDS) expect((got[k] as { param: string }[]).every((row) => codes.has(row.param))).toBe(true);
    }), { seed: 15, numRuns: 300 });
  });

  test('an Observation\'s subject rows alone, without its other parameters', () => {
    const obs = allFixtures.find((r) => r.resourceType === 'Observation' && 'subject' in r) as Resource;
    const got = registry.extractOnly(obs, new Set(['subject']));
    expect(got.reference.length).toBeGreaterThan(0);
    expect(got.reference.every((row) => row.param === 'subject')).toBe(true);
    expect(got.token).toHaveLength(0);
    expect(got.reference).toEqual(registry.extract(obs).reference.filter((row) => row.param === 'subject'));
  });
});
