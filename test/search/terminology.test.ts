/** Token :in / :not-in against stored ValueSets and :above / :below on stored CodeSystem hierarchies (pure expansion + SQL on both drivers). */
import type { CodeSystem, ValueSet } from 'fhir/r4';
import { createSearchRegistry } from '../../server/search/registry';
import { type CodeSet, type TerminologySource, MAX_CODES, expandValueSet, hierarchySet, contains } from '../../server/search/terminology';
import { FhirError } from '../../server/core/fhir-error';
import { indexCodeSystem } from '../../server/search/terminology-index';
import { openSearchDb, searchDrivers, type SearchDb } from './helpers/search-db';
import { matchingIds } from './helpers/query';
import type { Fixture } from './helpers/fixtures';

const registry = createSearchRegistry();
const LOINC = 'http://loinc.org';
const SCT = 'http://snomed.info/sct';
const ACME = 'http://acme.org/cs/findings';

/** is-a hierarchy by nesting and by `parent` property: disorder > {diabetes > {type1, type2}, asthma}. */
const codeSystem: CodeSystem & { id: string } = {
  resourceType: 'CodeSystem', id: 'cs-acme', url: ACME, status: 'active', content: 'complete', hierarchyMeaning: 'is-a',
  concept: [
    { code: 'disorder', concept: [{ code: 'diabetes', concept: [{ code: 'type1' }] }, { code: 'asthma' }] },
    { code: 'type2', property: [{ code: 'parent', valueCode: 'diabetes' }] },
    { code: 'other' },
  ],
};

const valueSets: (ValueSet & { id: string })[] = [
  { resourceType: 'ValueSet', id: 'vs-glucose', url: 'http://acme.org/vs/glucose', status: 'active', compose: { include: [{ system: LOINC, concept: [{ code: '2339-0' }, { code: '2345-7' }] }] } },
  { resourceType: 'ValueSet', id: 'vs-loinc-but', url: 'http://acme.org/vs/loinc-but-glucose', status: 'active',
    compose: { include: [{ system: LOINC }], exclude: [{ valueSet: ['http://acme.org/vs/glucose'] }] } },
  { resourceType: 'ValueSet', id: 'vs-nested', url: 'http://acme.org/vs/nested', version: '2', status: 'active',
    compose: { include: [{ valueSet: ['http://acme.org/vs/glucose'] }, { system: SCT, concept: [{ code: '44054006' }] }] } },
  { resourceType: 'ValueSet', id: 'vs-expanded', url: 'http://acme.org/vs/expanded', status: 'active',
    expansion: { timestamp: '2024-01-01', contains: [{ system: LOINC, code: '2345-7' }, { abstract: true, system: LOINC, code: 'GROUP', contains: [{ system: SCT, code: '44054006' }] }] } },
  { resourceType: 'ValueSet', id: 'vs-diabetes', url: 'http://acme.org/vs/diabetes', status: 'active', compose: { include: [{ system: ACME, filter: [{ property: 'concept', op: 'is-a', value: 'diabetes' }] }] } },
  { resourceType: 'ValueSet', id: 'vs-loop', url: 'http://acme.org/vs/loop', status: 'active', compose: { include: [{ valueSet: ['http://acme.org/vs/loop'] }] } },
  { resourceType: 'ValueSet', id: 'vs-regex', url: 'http://acme.org/vs/regex', status: 'active', compose: { include: [{ system: ACME, filter: [{ property: 'concept', op: 'regex', value: 'd.*' }] }] } },
];

const obs = (id: string, system: string, code: string): Fixture => ({ resourceType: 'Observation', id, status: 'final', code: { coding: [{ system, code }] } });
const cond = (id: string, code: string): Fixture => ({ resourceType: 'Condition', id, subject: { reference: 'Patient/p' }, code: { coding: [{ system: ACME, code }] } });
const data: Fixture[] = [
  obs('o-glu', LOINC, '2339-0'), obs('o-glu2', LOINC, '2345-7'), obs('o-hb', LOINC, '718-7'), obs('o-dm', SCT, '44054006'),
  { resourceType: 'Observation', id: 'o-none', status: 'final', code: { text: 'no coding' } },
  cond('c-dis', 'disorder'), cond('c-dm', 'diabetes'), cond('c-t1', 'type1'), cond('c-t2', 'type2'), cond('c-asthma', 'asthma'), cond('c-other', 'other'),
];

function memorySource(): TerminologySource {
  return {
    valueSet: async (ref) => valueSets.find((v) => v.url === ref.split('|')[0] || `ValueSet/${v.id}` === ref),
    codeSystem: async (url) => (url === ACME ? indexCodeSystem(codeSystem) : undefined),
  };
}
const has = (s: CodeSet, system: string, code: string): boolean => contains(s, system, code);

describe('ValueSet expansion and CodeSystem hierarchies (pure)', () => {
  it('expands concept lists, whole systems with excludes, nested value sets and expansions', async () => {
    const src = memorySource();
    const butGlucose = await expandValueSet(src, 'http://acme.org/vs/loinc-but-glucose');
    expect([has(butGlucose, LOINC, '718-7'), has(butGlucose, LOINC, '2339-0'), has(butGlucose, SCT, '718-7')]).toEqual([true, false, false]);
    const nested = await expandValueSet(src, 'http://acme.org/vs/nested');
    expect([has(nested, LOINC, '2339-0'), has(nested, SCT, '44054006'), has(nested, LOINC, '718-7')]).toEqual([true, true, false]);
    const expanded = await expandValueSet(src, 'ValueSet/vs-expanded');
    expect([has(expanded, LOINC, '2345-7'), has(expanded, SCT, '44054006'), has(expanded, LOINC, 'GROUP')]).toEqual([true, true, false]);
    const dm = await expandValueSet(src, 'http://acme.org/vs/diabetes');
    expect(['diabetes', 'type1', 'type2', 'asthma'].map((c) => has(dm, ACME, c))).toEqual([true, true, true, false]);
  });

  it('walks hierarchies up and down', async () => {
    const below = await hierarchySet(memorySource(), ACME, 'disorder', 'below');
    expect([...(below.codes.get(ACME) ?? [])].sort()).toEqual(['asthma', 'diabetes', 'disorder', 'type1', 'type2']);
    const above = await hierarchySet(memorySource(), ACME, 'type2', 'above');
    expect([...(above.codes.get(ACME) ?? [])].sort()).toEqual(['diabetes', 'disorder', 'type2']);
  });

  it('reports unknown value sets, loops, unsupported filters and missing code systems', async () => {
    const err = async (p: Promise<unknown>) => p.then(() => undefined, (e: FhirError) => [e.status, e.issues[0].code]);
    expect(await err(expandValueSet(memorySource(), 'http://nope'))).toEqual([400, 'not-found']);
    expect(await err(expandValueSet(memorySource(), 'http://acme.org/vs/loop'))).toEqual([400, 'invalid']);
    expect(await err(expandValueSet(memorySource(), 'http://acme.org/vs/regex'))).toEqual([400, 'not-supported']);
    expect(await err(hierarchySet(memorySource(), SCT, '1', 'below'))).toEqual([400, 'not-supported']);
  });
});

describe.each(searchDrivers())('terminology modifiers on %s', (kind) => {
  let db: SearchDb;
  beforeAll(async () => {
    db = await openSearchDb(kind, registry);
    await db.put([codeSystem, ...valueSets, ...data] as Fixture[]);
  });
  afterAll(async () => db?.close());

  const ids = (type: string, qs: string): Promise<string[]> => matchingIds(db.sql, registry, type, qs);

  it.each([
    ['Observation', 'code:in=http://acme.org/vs/glucose', ['o-glu', 'o-glu2']],
    ['Observation', 'code:in=ValueSet/vs-glucose', ['o-glu', 'o-glu2']],
    ['Observation', 'code:not-in=http://acme.org/vs/glucose', ['o-dm', 'o-hb', 'o-none']],
    ['Observation', 'code:in=http://acme.org/vs/loinc-but-glucose', ['o-hb']],
    ['Observation', 'code:in=http://acme.org/vs/nested', ['o-dm', 'o-glu', 'o-glu2']],
    ['Observation', 'code:in=http://acme.org/vs/nested|2', ['o-dm', 'o-glu', 'o-glu2']],
    ['Observation', 'code:in=http://acme.org/vs/expanded', ['o-dm', 'o-glu2']],
    ['Observation', 'code:in=http://acme.org/vs/glucose,http://acme.org/vs/expanded', ['o-dm', 'o-glu', 'o-glu2']],
    ['Observation', 'code:in=http://acme.org/vs/glucose&code:not-in=http://acme.org/vs/expanded', ['o-glu']],
    ['Condition', 'code:in=http://acme.org/vs/diabetes', ['c-dm', 'c-t1', 'c-t2']],
    ['Condition', `code:below=${ACME}|diabetes`, ['c-dm', 'c-t1', 'c-t2']],
    ['Condition', `code:below=${ACME}|disorder`, ['c-asthma', 'c-dis', 'c-dm', 'c-t1', 'c-t2']],
    ['Condition', `code:above=${ACME}|type1`, ['c-dis', 'c-dm', 'c-t1']],
    ['Condition', `code:below=${ACME}|unknown`, []],
  ])('%s?%s', async (type, qs, expected) => {
    expect(await ids(type, qs)).toEqual(expected);
  });

  it.each([
    ['Observation', 'code:in=http://acme.org/vs/missing', 'not-found'],
    ['Observation', 'code:in=http://acme.org/vs/nested|1', 'not-found'],
    ['Observation', `code:below=${SCT}|44054006`, 'not-supported'],
    ['Observation', 'code:below=44054006', 'invalid'],
  ])('%s?%s → 400 %s', async (type, qs, code) => {
    const err = await ids(type, qs).then(() => undefined, (e: FhirError) => e);
    expect(err).toBeInstanceOf(FhirError);
    expect([err?.status, err?.issues[0].code]).toEqual([400, code]);
  });
});

describe('terminology code lists stay bounded', () => {
  test(`a hierarchy or ValueSet of more than ${MAX_CODES} codes is refused with 400 too-costly`, async () => {
    const many: CodeSystem = { resourceType: 'CodeSystem', url: ACME, status: 'active', content: 'complete',
      concept: [{ code: 'root', concept: Array.from({ length: MAX_CODES + 1 }, (_, i) => ({ code: `c${i}` })) }] };
    const big: TerminologySource = {
      valueSet: async () => ({ resourceType: 'ValueSet', status: 'active', compose: { include: [{ system: ACME, filter: [{ property: 'concept', op: 'is-a', value: 'root' }] }] } }),
      codeSystem: async (url) => (url === ACME ? indexCodeSystem(many) : undefined),
    };
    const err = async (p: Promise<unknown>) => p.then(() => undefined, (e: FhirError) => [e.status, e.issues[0].code]);
    expect(await err(hierarchySet(big, ACME, 'root', 'below'))).toEqual([400, 'too-costly']);
    expect(await err(expandValueSet(big, 'http://acme.org/vs/big'))).toEqual([400, 'too-costly']);
    expect((await hierarchySet(big, ACME, 'c7', 'above')).codes.get(ACME)).toEqual(new Set(['c7', 'root']));
  });
});
