/**
 * Nested resources under a patient-context token (core/foreign-mask.ts, core/bundle-urls.ts), pure: a stored
 * Bundle's entries are judged as if stored (shown when their type is exempt or they are in her compartment,
 * else cut to a stub with their url strings masked); a contained resource is cut only when it is in another
 * patient's compartment and not hers. Compartments here come from `subject` (the store computes them from the
 * search registry). Examples, then properties over random Bundles and containers.
 */
import fc from 'fast-check';
import type { Resource } from 'fhir/r4';
import { type CompartmentsOf, foreignRulesOf, maskForeign } from '../../server/core/foreign-mask';
import { namedTargets } from '../../server/core/bundle-urls';

type Json = Record<string, any>;
const bySubject: CompartmentsOf = (r) => {
  const target = typeof r.subject === 'object' && r.subject !== null ? /^Patient\/(.+)$/.exec(String((r.subject as Json).reference)) : null;
  return r.resourceType === 'Patient' && typeof r.id === 'string' ? [r.id] : target ? [target[1]] : [];
};
const rulesFor = (exemptTypes: string[] = []) => foreignRulesOf({ patient: 'alice', exemptTypes }, new Set(), [], bySubject);
type Owner = 'alice' | 'bruno' | 'none';
const secret = (owner: Owner): string => `secret-of-${owner}`;
const nested = (type: string, owner: Owner, id = 'x1'): Json => ({
  resourceType: type, id, code: { text: secret(owner) }, ...(owner === 'none' ? {} : { subject: { reference: `Patient/${owner}` } }),
});

describe('examples', () => {
  test('named targets in url strings: paths, versioned paths, search values; not lower-case words or bare types', () => {
    expect(namedTargets('http://h/fhir/Observation/o1/_history/2')).toEqual([{ type: 'Observation', id: 'o1' }]);
    expect(namedTargets('Observation?subject=Patient/p1&performer=Practitioner/d,Patient/p2')).toEqual(
      [{ type: 'Patient', id: 'p1' }, { type: 'Practitioner', id: 'd' }, { type: 'Patient', id: 'p2' }]);
    for (const s of ['Observation', 'urn:uuid:1', 'observation/x', 'Observation?code=a/b']) expect([s, namedTargets(s)]).toEqual([s, []]);
  });

  test('a Bundle of both: hers whole, his and the compartment-less entry cut, their urls masked; an exempt type stays', () => {
    const bundle = { resourceType: 'Bundle', type: 'collection', entry: [
      { fullUrl: 'Observation/a', resource: nested('Observation', 'alice', 'a') },
      { fullUrl: 'Observation/b', resource: nested('Observation', 'bruno', 'b') },
      { fullUrl: 'urn:uuid:n', resource: nested('Condition', 'none') },
      { fullUrl: 'Practitioner/p', resource: nested('Practitioner', 'none', 'p') },
    ] } as unknown as Resource;
    const out = maskForeign(bundle, rulesFor(['Practitioner'])) as Json;
    expect(out.entry[0]).toBe((bundle as Json).entry[0]);
    expect(out.entry[3]).toBe((bundle as Json).entry[3]);
    for (const e of out.entry.slice(1, 3)) expect(e).toEqual({ _fullUrl: { extension: [expect.objectContaining({ valueCode: 'masked' })] }, resource: { resourceType: e.resource.resourceType, meta: expect.anything() } });
  });
});

const owner = fc.constantFrom<Owner>('alice', 'bruno', 'none');
const type = fc.constantFrom('Observation', 'Condition', 'Practitioner');
const url = fc.tuple(fc.constantFrom('', 'http://h.example/fhir/'), fc.constantFrom('Patient/alice', 'Patient/bruno', 'Observation/o1', 'urn:uuid:u1'))
  .map(([base, path]) => (path.startsWith('urn') ? path : base + path));
const entry = fc.record({
  fullUrl: fc.option(url, { nil: undefined }),
  resource: fc.option(fc.tuple(type, owner).map(([t, o]) => nested(t, o)), { nil: undefined }),
  request: fc.option(fc.record({ method: fc.constant('PUT'), url }), { nil: undefined }),
}).map((e) => JSON.parse(JSON.stringify(e)) as Json);
const bundles = fc.array(entry, { maxLength: 6 }).map((entry) => ({ resourceType: 'Bundle', id: 'b', type: 'collection', entry }) as unknown as Resource);
const containers = fc.array(fc.tuple(type, owner), { maxLength: 5 })
  .map((cs) => ({ ...nested('Observation', 'alice', 'top'), contained: cs.map(([t, o], i) => nested(t, o, `c${i}`)) }) as unknown as Resource);
const exempt = fc.subarray(['Observation', 'Condition', 'Practitioner']);

const count = (r: unknown, s: string): number => JSON.stringify(r).split(s).length - 1;
const stringsNaming = (r: unknown, s: string): number => (JSON.stringify(r).match(new RegExp(`"[^"]*${s}[^"]*"`, 'g')) ?? []).length;

describe('properties', () => {
  test('Bundles: no Patient/bruno left; a non-exempt entry shows its data only when hers; her entries come back as they were', () => {
    fc.assert(fc.property(bundles, exempt, (b, ex) => {
      const before = JSON.stringify(b);
      const out = maskForeign(b, rulesFor(ex)) as Json;
      expect(JSON.stringify(b)).toBe(before);
      expect(stringsNaming(out, 'Patient/bruno')).toBe(0);
      (b as Json).entry.forEach((e: Json, i: number) => {
        const o = out.entry[i];
        const shown = e.resource && (ex.includes(e.resource.resourceType) || e.resource.subject?.reference === 'Patient/alice');
        if (e.resource) expect(count(o.resource, 'secret-of-')).toBe(shown ? 1 : 0);
        if (shown && !JSON.stringify(e).includes('bruno')) expect(o).toEqual(e);
        if (e.resource && !shown) expect([o.fullUrl, o.request?.url]).toEqual([undefined, undefined]);
      });
      expect(maskForeign(out as Resource, rulesFor(ex))).toEqual(out);
    }), { numRuns: 400 });
  });

  test('contained: only resources in another patient\'s compartment are cut (keeping their local ids); hers and compartment-less ones stay', () => {
    fc.assert(fc.property(containers, exempt, (r, ex) => {
      const out = maskForeign(r, rulesFor(ex)) as Json;
      expect(out.contained.map((c: Json) => c.id)).toEqual((r as Json).contained.map((c: Json) => c.id));
      (r as Json).contained.forEach((c: Json, i: number) => {
        const cut = c.subject?.reference === 'Patient/bruno' && !ex.includes(c.resourceType);
        expect([c.id, count(out.contained[i], secret('bruno')) + count(out.contained[i], secret('none')) + count(out.contained[i], secret('alice'))]).toEqual([c.id, cut ? 0 : 1]);
      });
      expect(stringsNaming(out, 'Patient/bruno')).toBe(0);
    }), { numRuns: 300 });
  });
});
