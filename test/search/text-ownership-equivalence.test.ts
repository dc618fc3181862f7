/**
 * The write path's text ownership (one walk, search/masked-content.ts) stores exactly what its plain statement
 * does (build the masked copy, extract its words again: helpers/text-ownership-reference.ts): same owner,
 * targets, idents and shared words in the same order (idx_text keeps to_tsvector of them, positions included).
 * Over every Synthea resource as a server stores it, then over generated resources that reach the walk's every
 * turn: references of every kind, identifier references, nested Patients and other resources (contained, Bundle
 * entries, at depth), narratives holding references, odd and hostile metas and keys, accents, sigma, odd spaces,
 * text past the content limit. Errors count too: where the plain statement throws, so must the walk.
 */
import fc from 'fast-check';
import type { Resource } from 'fhir/r4';
import { MASKED_LABEL } from '../../server/core/foreign-mask';
import { createSearchRegistry } from '../../server/search/registry';
import { textOwnershipOf } from '../../server/search/text-ownership';
import type { IndexValues } from '../../server/search/types';
import { loadStoredSynthea } from '../../bench/lib/synthea-stored';
import { referenceTextOwnership } from './helpers/text-ownership-reference';

const registry = createSearchRegistry();

const outcome = (f: () => unknown): unknown => {
  try {
    return f();
  } catch (err) {
    return { threw: err instanceof Error ? err.constructor.name : String(err) };
  }
};

function expectSame(resource: Resource): void {
  const expected = outcome(() => referenceTextOwnership(registry, resource));
  expect(outcome(() => textOwnershipOf(registry, resource))).toEqual(expected);
  // The write path has the index values (a resource they cannot be extracted from is not written).
  const values = outcome(() => registry.extract(resource));
  if (!(values as { threw?: string }).threw) expect(outcome(() => textOwnershipOf(registry, resource, values as IndexValues))).toEqual(expected);
}

describe('examples', () => {
  test('every Synthea resource as stored', () => {
    const resources = loadStoredSynthea(20).flatMap((b) => b.resources);
    expect(resources.length).toBeGreaterThan(1000);
    for (const r of resources) expectSame(r);
  });

  test('a meta of every shape: absent, null, without security, with the MASKED label already, with a masked coding', () => {
    const base = { resourceType: 'Observation', id: 'o', status: 'final', subject: { reference: 'Patient/bruno', display: 'Bruno B' } };
    const metas: unknown[] = [undefined, null, {}, { lastUpdated: 'x' }, { security: null }, { security: [] }, { security: [{ ...MASKED_LABEL }, { code: 'R', display: 'restricted' }] },
      { security: [{ reference: 'Patient/bruno', display: 'his' }] }, { security: 'odd' }, { security: [null] }, 'odd', [], { reference: 'Patient/bruno' }, { tag: [{ display: 'first' }], security: [{ code: 'N' }], source: 'src' }];
    for (const meta of metas) expectSame({ ...base, meta } as unknown as Resource);
    expectSame({ resourceType: 'Observation', meta: { versionId: '1' }, text: { status: 'generated', div: '<div>x</div>' }, subject: { reference: 'Patient/bruno' } } as unknown as Resource);
  });

  test('a security that is no list, masked only for the candidates: the plain statement throws labelling the copy, so does the walk', () => {
    // From a row comparison of 1,500 generated resources written through both: the walk's candidate check stopped before the labelling.
    expectSame({ resourceType: 'Encounter', meta: { reference: 'Observation/o1', security: 'odd' }, subject: { reference: 'Patient/bruno' },
      contained: [{ resourceType: 'Condition', id: 'c1', subject: { reference: 'Patient/bruno' } }] } as unknown as Resource);
    expectSame({ resourceType: 'Encounter', meta: { reference: 'Observation/o1', security: [null] }, subject: { reference: 'Patient/bruno' },
      performer: [{ type: 'Patient', identifier: { value: 'x' } }] } as unknown as Resource);
  });

  test('masking only in the narrative, a Bundle, text past the content limit', () => {
    expectSame({ resourceType: 'Observation', text: { status: 'generated', div: '<div/>', extension: [{ valueReference: { reference: 'Patient/bruno' } }] } } as unknown as Resource);
    expectSame({ resourceType: 'Bundle', type: 'collection', entry: [{ fullUrl: 'Observation/o', resource: { resourceType: 'Observation', subject: { reference: 'Patient/bruno' } } }] } as unknown as Resource);
    expectSame({ resourceType: 'Observation', note: [{ text: 'long '.repeat(14_000) }, { text: 'tail' }], subject: { reference: 'Patient/bruno' } } as unknown as Resource);
  });
});

const KEYS = ['reference', 'display', 'type', 'identifier', 'system', 'value', 'code', 'text', 'div', 'status', 'resourceType', 'id', 'contained',
  'entry', 'resource', 'link', 'url', 'fullUrl', 'meta', 'security', 'extension', 'valueCode', 'subject', 'patient', 'member', 'entity', 'name',
  'family', 'note', '__proto__', 'constructor', '0', '12'];
const STRINGS = ['Patient/alice', 'Patient/bruno', 'http://h.example/fhir/Patient/bruno/_history/2', 'Observation/o1', 'Encounter/e1', '#c1', 'urn:uuid:u1',
  'http://x.example/y', 'Patient', 'Observation', 'Bundle', 'Condition', 'Group', 'http://hl7.org/fhir/StructureDefinition/Patient', 'Ωμέγα ΣΟΦΟΣ',
  'café  au\tlait', 'İstanbul', 'e\u0301te\u0301', 'masked', 'MASKED', MASKED_LABEL.system ?? '', MASKED_LABEL.code ?? '', 'a\u00a0b', '', ' ', 'x\u2028y'];

const leaf = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...STRINGS) }, fc.string({ maxLength: 12 }), fc.constantFrom(1, true, null),
  { weight: 1, arbitrary: fc.constantFrom('word '.repeat(7_000), 'Wörter '.repeat(5_000)) });

/** An object with own keys in the generated order (Object.fromEntries keeps `__proto__` an own key). */
const objectOf = (entries: [string, unknown][]): Record<string, unknown> => Object.fromEntries(entries);

const { tree } = fc.letrec<{ tree: unknown; node: Record<string, unknown>; special: Record<string, unknown> }>((tie) => ({
  tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('node'), tie('special'), fc.array(tie('tree'), { maxLength: 3 })),
  node: fc.array(fc.tuple(fc.constantFrom(...KEYS), tie('tree')), { maxLength: 5 }).map(objectOf),
  special: fc.oneof(
    fc.record({ reference: fc.constantFrom(...STRINGS), display: leaf }, { requiredKeys: ['reference'] }),
    fc.record({ type: fc.constantFrom('Patient', 'Organization', 'http://hl7.org/fhir/StructureDefinition/Patient'), identifier: fc.record({ system: fc.constantFrom('urn:x', 'urn:y'), value: fc.constantFrom('alice', 'bruno', 'v') }), display: leaf }, { requiredKeys: ['identifier'] }),
    fc.tuple(fc.constantFrom('Patient', 'Observation', 'Condition', 'Bundle', 'Group'), fc.constantFrom('c1', 'alice', 'bruno'), fc.array(fc.tuple(fc.constantFrom(...KEYS), tie('tree')), { maxLength: 4 }), fc.constantFrom('Patient/alice', 'Patient/bruno', undefined))
      .map(([resourceType, id, rest, subject]) => ({ resourceType, id, ...objectOf(rest), ...(subject ? { subject: { reference: subject } } : {}) })),
    fc.array(fc.record({ fullUrl: fc.constantFrom(...STRINGS), resource: tie('special'), request: fc.record({ url: fc.constantFrom(...STRINGS) }) }, { requiredKeys: [] }), { maxLength: 3 })
      .map((entry) => ({ resourceType: 'Bundle', type: 'collection', entry })),
  ),
}));

const resources = fc.tuple(fc.constantFrom('Observation', 'Patient', 'ExplanationOfBenefit', 'Group', 'Bundle', 'Provenance'), fc.constantFrom('alice', 'bruno', undefined),
  fc.array(fc.tuple(fc.constantFrom(...KEYS), tree), { maxLength: 8 }))
  .map(([resourceType, id, rest]) => ({ resourceType, ...(id ? { id } : {}), ...objectOf(rest) }) as unknown as Resource);

describe('properties', () => {
  test('generated resources: the same ownership and shared words as the plain statement', () => {
    fc.assert(fc.property(resources, (r) => expectSame(r)), { numRuns: 3000 });
  });

  test('generated resources in JSON form (what the write path gets): the same', () => {
    fc.assert(fc.property(resources, (r) => expectSame(JSON.parse(JSON.stringify(r)) as Resource)), { numRuns: 1000 });
  });
});
