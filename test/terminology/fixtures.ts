/** A hierarchical CodeSystem (nested concepts and `parent` properties), ValueSets and a ConceptMap created through the API in the terminology suites. */
import type { CodeSystem, ConceptMap, ValueSet } from 'fhir/r4';

export const BODY = 'http://example.org/cs/findings';
export const OTHER = 'http://example.org/cs/other';

/** disorder > {cancer > {ovarian, lung (by parent property)}, infection}; lung is also kind=solid, ovarian kind=solid. */
export const findingsCs: CodeSystem = {
  resourceType: 'CodeSystem', id: 'findings', url: BODY, version: '1', name: 'Findings', status: 'active', content: 'complete',
  caseSensitive: true, hierarchyMeaning: 'is-a',
  property: [{ code: 'parent', type: 'code' }, { code: 'kind', type: 'code', description: 'Kind of tumour' }],
  concept: [
    {
      code: 'disorder', display: 'Disorder', definition: 'Any disorder',
      designation: [{ language: 'de', value: 'Störung' }],
      concept: [
        { code: 'cancer', display: 'Cancer', concept: [{ code: 'ovarian', display: 'Ovarian cancer', property: [{ code: 'kind', valueCode: 'solid' }] }] },
        { code: 'infection', display: 'Infection' },
      ],
    },
    { code: 'lung', display: 'Lung cancer', property: [{ code: 'parent', valueCode: 'cancer' }, { code: 'kind', valueCode: 'solid' }] },
    { code: 'leukaemia', display: 'Leukaemia', property: [{ code: 'parent', valueCode: 'cancer' }, { code: 'kind', valueCode: 'liquid' }] },
  ],
};

const vs = (id: string, compose: ValueSet['compose']): ValueSet => ({ resourceType: 'ValueSet', id, url: `http://example.org/vs/${id}`, status: 'active', compose });

export const valueSets: ValueSet[] = [
  vs('cancers', { include: [{ system: BODY, filter: [{ property: 'concept', op: 'is-a', value: 'cancer' }] }] }),
  vs('below-disorder', { include: [{ system: BODY, filter: [{ property: 'concept', op: 'descendent-of', value: 'disorder' }] }] }),
  vs('solid', { include: [{ system: BODY, filter: [{ property: 'kind', op: '=', value: 'solid' }] }] }),
  vs('listed', { include: [{ system: BODY, concept: [{ code: 'infection' }, { code: 'ovarian', display: 'Ovary cancer' }] }] }),
  vs('all-but-infection', { include: [{ system: BODY }], exclude: [{ system: BODY, concept: [{ code: 'infection' }] }] }),
  vs('all-loinc', { include: [{ system: 'http://loinc.org' }] }),
];

export const conceptMap: ConceptMap = {
  resourceType: 'ConceptMap', id: 'findings-to-other', url: 'http://example.org/cm/findings-to-other', status: 'active',
  sourceUri: 'http://example.org/vs/cancers', targetUri: 'http://example.org/vs/other',
  group: [{
    source: BODY, target: OTHER,
    element: [
      { code: 'ovarian', display: 'Ovarian cancer', target: [{ code: 'O1', display: 'Ovary', equivalence: 'equivalent' }, { code: 'O9', equivalence: 'wider' }] },
      { code: 'lung', target: [{ code: 'L1', display: 'Lung', equivalence: 'narrower' }] },
      { code: 'infection', target: [{ equivalence: 'unmatched' }] },
    ],
  }],
};

/** A flat CodeSystem of `n` codes (for the expansion cap). */
export function bigCodeSystem(n: number): CodeSystem {
  return {
    resourceType: 'CodeSystem', id: 'big', url: 'http://example.org/cs/big', status: 'active', content: 'complete',
    concept: Array.from({ length: n }, (_, i) => ({ code: `c${i}`, display: `Code ${i}` })),
  };
}
