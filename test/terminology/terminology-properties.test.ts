/**
 * Property-based: over random hierarchies (nested concepts and parent properties, cycles allowed)
 * $subsumes agrees with the is-a expansion; random Parameters bodies and queries sent to every
 * terminology operation never cause a 5xx.
 */
import fc from 'fast-check';
import type { CodeSystem, CodeSystemConcept } from 'fhir/r4';
import { contains, expandResource, type TerminologySource } from '../../server/search/terminology';
import { indexCodeSystem, subsumption } from '../../server/search/terminology-index';
import { FhirError } from '../../server/core/fhir-error';
import { handleFhirRequest } from '../../server/rest/handler';
import { anonymousContext } from '../../server/core/access-context';
import type { FhirRequest } from '../../server/rest/types';
import { type TestApp } from '../support/test-app';
import { BODY } from './fixtures';
import { startTerminologyApp } from './helpers';

const SYS = 'http://example.org/random';

/** n codes; edges (child, parent); an edge whose parent precedes the child may be written as nesting. */
const hierarchy = fc.integer({ min: 1, max: 12 }).chain((n) => fc.record({
  n: fc.constant(n),
  edges: fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1), fc.boolean()), { maxLength: 20 }),
}));

function codeSystemOf(h: { n: number; edges: [number, number, boolean][] }): CodeSystem {
  const concepts: CodeSystemConcept[] = Array.from({ length: h.n }, (_, i) => ({ code: `k${i}`, property: [] }));
  const nestedIn = new Map<number, number>();
  for (const [child, parent, nest] of h.edges) {
    if (child === parent) continue;
    if (nest && parent < child && !nestedIn.has(child)) nestedIn.set(child, parent);
    else concepts[child].property?.push({ code: 'parent', valueCode: `k${parent}` });
  }
  // nest a concept under its parent's entry (parents come first, so the tree is well-formed)
  const top: CodeSystemConcept[] = [];
  for (let i = 0; i < h.n; i++) {
    const p = nestedIn.get(i);
    if (p === undefined) top.push(concepts[i]);
    else (concepts[p].concept ??= []).push(concepts[i]);
  }
  return { resourceType: 'CodeSystem', url: SYS, status: 'active', content: 'complete', concept: top };
}

describe('terminology properties', () => {
  test('a code is in the is-a expansion of A iff subsumes(A, code) is equivalent or subsumes', async () => {
    await fc.assert(fc.asyncProperty(hierarchy, fc.nat(11), async (h, aRaw) => {
      const cs = codeSystemOf(h);
      const idx = indexCodeSystem(cs);
      const src: TerminologySource = { valueSet: async () => undefined, codeSystem: async (url) => (url === SYS ? idx : undefined) };
      const a = `k${aRaw % h.n}`;
      const set = await expandResource(src, { resourceType: 'ValueSet', status: 'active', compose: { include: [{ system: SYS, filter: [{ property: 'concept', op: 'is-a', value: a }] }] } });
      for (let i = 0; i < h.n; i++) {
        const code = `k${i}`;
        const rel = subsumption(idx, a, code);
        expect(contains(set, SYS, code)).toBe(rel === 'equivalent' || rel === 'subsumes');
        // and the relation is symmetric in its inverse
        const back = subsumption(idx, code, a);
        expect(back).toBe({ equivalent: 'equivalent', subsumes: 'subsumed-by', 'subsumed-by': 'subsumes', 'not-subsumed': 'not-subsumed' }[rel]);
      }
    }), { numRuns: 300 });
  });
});

const NAMES = ['code', 'system', 'url', 'coding', 'codeableConcept', 'valueSet', 'codeSystem', 'conceptMap', 'filter', 'offset', 'count',
  'codeA', 'codeB', 'codingA', 'codingB', 'property', 'reverse', 'display', 'version', 'targetsystem', 'source', 'target', 'bogus'];
const anyValue = fc.oneof(
  fc.string({ maxLength: 20 }), fc.integer(), fc.boolean(), fc.constant(null), fc.constant(BODY), fc.constantFrom('cancer', 'lung', 'ovarian'),
  fc.record({ system: fc.oneof(fc.constant(BODY), fc.string({ maxLength: 10 }), fc.integer()), code: fc.oneof(fc.constantFrom('cancer', 'lung'), fc.integer(), fc.string({ maxLength: 5 })) }, { requiredKeys: [] }),
  fc.record({ coding: fc.oneof(fc.array(fc.record({ system: fc.constant(BODY), code: fc.string({ maxLength: 8 }) })), fc.string()) }, { requiredKeys: [] }),
  fc.record({ resourceType: fc.constantFrom('ValueSet', 'CodeSystem', 'ConceptMap', 'Patient'), status: fc.constant('active'), compose: fc.anything({ maxDepth: 2 }), concept: fc.anything({ maxDepth: 2 }), group: fc.anything({ maxDepth: 2 }) }, { requiredKeys: ['resourceType'] }),
  fc.record({ resourceType: fc.constant('ValueSet'), status: fc.constant('active'), compose: fc.record({ include: fc.oneof(fc.anything({ maxDepth: 2 }), fc.array(fc.record({ system: fc.constant(BODY), concept: fc.anything({ maxDepth: 2 }), filter: fc.anything({ maxDepth: 2 }), valueSet: fc.anything({ maxDepth: 1 }) }, { requiredKeys: [] }))), exclude: fc.anything({ maxDepth: 2 }) }, { requiredKeys: [] }) }),
  fc.record({ resourceType: fc.constant('ConceptMap'), status: fc.constant('active'), group: fc.oneof(fc.anything({ maxDepth: 2 }), fc.array(fc.record({ source: fc.constant(BODY), element: fc.anything({ maxDepth: 3 }) }))) }),
  fc.anything({ maxDepth: 2 }),
);
const VALUE_KEYS = ['valueString', 'valueCode', 'valueUri', 'valueCoding', 'valueCodeableConcept', 'valueInteger', 'valueBoolean', 'resource', 'part'];
const part = fc.record({ name: fc.oneof(fc.constantFrom(...NAMES), fc.anything({ maxDepth: 0 })), key: fc.constantFrom(...VALUE_KEYS), value: anyValue })
  .map(({ name, key, value }) => ({ name, [key]: value }));
const body = fc.oneof(
  fc.record({ resourceType: fc.constant('Parameters'), parameter: fc.array(part, { maxLength: 6 }) }),
  fc.record({ resourceType: fc.constant('Parameters'), parameter: fc.anything({ maxDepth: 2 }) }),
  fc.anything({ maxDepth: 2 }),
);
const PATHS = ['CodeSystem/$lookup', 'CodeSystem/$validate-code', 'CodeSystem/findings/$validate-code', 'CodeSystem/$subsumes', 'CodeSystem/findings/$subsumes',
  'ValueSet/$expand', 'ValueSet/cancers/$expand', 'ValueSet/$validate-code', 'ValueSet/solid/$validate-code', 'ConceptMap/$translate', 'ConceptMap/findings-to-other/$translate'];

describe('terminology operations never fail with 5xx', () => {
  let app: TestApp;
  beforeAll(async () => { app = await startTerminologyApp('pglite'); });
  afterAll(async () => { await app?.dispose(); });

  const run = async (req: Omit<FhirRequest, 'headers' | 'baseUrl' | 'ctx'>): Promise<number> => {
    try {
      return (await handleFhirRequest(app.rest, { ...req, headers: {}, baseUrl: 'http://test/fhir', ctx: anonymousContext('prop') })).status;
    } catch (err) {
      if (err instanceof FhirError) return err.status;
      throw err;
    }
  };

  test('random POSTed bodies', async () => {
    await fc.assert(fc.asyncProperty(fc.constantFrom(...PATHS), body, async (path, b) => {
      expect(await run({ method: 'POST', path, query: [], body: b, contentType: 'application/fhir+json' })).toBeLessThan(500);
    }), { numRuns: 400 });
  });

  test('random GET queries', async () => {
    const pair = fc.tuple(fc.oneof(fc.constantFrom(...NAMES), fc.string({ maxLength: 8 })), fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom(BODY, 'cancer', `${BODY}|lung`, 'true', '-1', '99999999999')));
    await fc.assert(fc.asyncProperty(fc.constantFrom(...PATHS), fc.array(pair, { maxLength: 5 }), async (path, query) => {
      expect(await run({ method: 'GET', path, query })).toBeLessThan(500);
    }), { numRuns: 400 });
  });
});
