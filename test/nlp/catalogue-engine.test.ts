/**
 * The engine compiled from the stored catalogue (CodeSystem designations and properties, the two
 * ConceptMaps) is the engine compiled from mappings/: the round trip loses no synonym and no code.
 * Catalogue validation holds for any concept tree (fast-check): duplicates and unknown parents are refused.
 */
import type { CodeSystem, CodeSystemConcept, ConceptMap } from 'fhir/r4';
import fc from 'fast-check';
import { indexCodeSystem } from '../../server/search/terminology-index';
import { catalogueResources } from '../../server/nlp/catalogue-resources';
import { checkCodeSystem } from '../../server/nlp/catalogue-hook';
import { mappingsFromCatalogue } from '../../server/nlp/catalogue-mappings';
import { createCatalogueEngine } from '../../server/nlp/catalogue-engine';
import { readCorpusSplit, readDevCorpus } from '../../server/nlp/eval/corpus';
import { loadNlpMappings } from '../../server/nlp/mappings';
import { compileRulesResources, createRulesExtractor } from '../../server/nlp/rules/engine';
import { FhirError } from '../../server/core/fhir-error';

const seed = loadNlpMappings();
const generated = catalogueResources(seed);
const byId = <T>(id: string): T => generated.find((r) => r.id === id) as unknown as T;
const stored = () => ({
  codeSystem: indexCodeSystem(byId<CodeSystem>('nlp-concept')),
  snomedToIcd: byId<ConceptMap>('nlp-snomed-to-icd10cm'), conceptToLoinc: byId<ConceptMap>('nlp-concept-to-loinc'),
});

describe('NLP engine from the stored catalogue', () => {
  test('concepts and codes read back equal mappings/', () => {
    const m = mappingsFromCatalogue(seed, stored());
    for (const kind of ['conditions', 'observations'] as const) {
      expect(Object.keys(m.concepts[kind])).toEqual(Object.keys(seed.concepts[kind]));
      for (const [id, def] of Object.entries(seed.concepts[kind])) {
        const back = m.concepts[kind][id];
        expect([id, back.display, back.snomed ?? [], back.icd10cm ?? [], back.loinc ?? []]).toEqual([id, def.display, def.snomed ?? [], def.icd10cm ?? [], def.loinc ?? []]);
      }
    }
    expect(m.coding.observationGroups).toEqual(seed.coding.observationGroups);
  });

  test('the compiled engine finds exactly what the mappings/ engine finds (dev and tune notes)', () => {
    const fromSeed = createRulesExtractor(compileRulesResources(seed));
    const fromStore = createRulesExtractor(compileRulesResources(mappingsFromCatalogue(seed, stored())));
    const notes = [...readDevCorpus(), ...readCorpusSplit('tune')];
    expect(notes.length).toBeGreaterThan(40);
    for (const n of notes) {
      const input = { text: n.text, language: n.language, documentDate: n.date };
      expect([n.id, fromStore.extractSync(input)]).toEqual([n.id, fromSeed.extractSync(input)]);
    }
  });

  test('recompiles only when a stored version changes or a change is announced', async () => {
    const versions = { cs: 1 };
    let builds = 0;
    let clock = 0;
    const store = {
      read: (_ctx: unknown, type: string, id: string) => Promise.resolve({
        id, versionId: type === 'CodeSystem' ? versions.cs : 1, lastUpdated: new Date(), deleted: false,
        resource: generated.find((r) => r.resourceType === type && r.id === id),
      }),
    } as unknown as Parameters<typeof createCatalogueEngine>[0]['store'];
    const engine = createCatalogueEngine({
      store, seed, now: () => clock, checkEveryMs: 1000,
      build: (m) => { builds++; const r = compileRulesResources(m); return { coder: r.coder, extractor: createRulesExtractor(r) }; },
    });
    const first = await engine.current();
    expect(builds).toBe(2); // the seed fallback and the stored catalogue
    expect(await engine.current()).toBe(first);
    versions.cs = 2;
    expect(await engine.current()).toBe(first); // not checked again before checkEveryMs
    engine.invalidate();
    const second = await engine.current();
    expect(second).not.toBe(first);
    expect(builds).toBe(3);
    clock += 5000;
    expect(await engine.current()).toBe(second); // checked, same versions: no rebuild
    expect(builds).toBe(3);
  });
});

describe('a unit set in the catalogue', () => {
  /** The stored catalogue with `unit` (and range) properties replaced on one concept, as a PUT of the CodeSystem would. */
  const withUnit = (id: string, props: Array<{ code: string; valueCode?: string; valueDecimal?: number }>) => {
    const s = stored();
    const c = s.codeSystem.concepts.get(id);
    if (!c) throw new Error(`no concept ${id}`);
    c.properties = [...c.properties.filter((p) => !['unit', 'range_low', 'range_high'].includes(p.code)), ...props];
    return s;
  };
  const hb = (m: ReturnType<typeof mappingsFromCatalogue>, text: string, language: 'en' | 'de' = 'en') =>
    createRulesExtractor(compileRulesResources(m)).extractSync({ text, language, documentDate: '2026-03-01' })
      .filter((f) => f.concept === 'hemoglobin').map((f) => [f.normalized?.value, f.normalized?.unit]);

  test('replaces the unit mappings/ defines for a built-in concept: coder, normalisation and range agree', () => {
    const m = mappingsFromCatalogue(seed, withUnit('hemoglobin', [{ code: 'unit', valueCode: 'g/L' }]));
    expect(m.units.observations.hemoglobin.unit).toBe('g/L');
    expect(m.units.observations.hemoglobin.range).toEqual([20, 250]);
    expect(compileRulesResources(m).coder.preferredUnit('hemoglobin')).toBe('g/L');
    expect(hb(m, 'Hb 9.6 g/dL.')).toEqual([[96, 'g/L']]);
    expect(hb(m, 'Hb 96 g/L.')).toEqual([[96, 'g/L']]);
    // a bare number is still read in mappings/' unit when it is not plausible in the catalogue's
    expect(hb(m, 'Hb 9,6.', 'de')).toEqual([[96, 'g/L']]);
  });

  test('the catalogue range wins over the converted one; the same unit keeps mappings/\' rule', () => {
    const ranged = mappingsFromCatalogue(seed, withUnit('hemoglobin', [{ code: 'unit', valueCode: 'g/L' }, { code: 'range_low', valueDecimal: 50 }, { code: 'range_high', valueDecimal: 200 }]));
    expect(ranged.units.observations.hemoglobin.range).toEqual([50, 200]);
    const same = mappingsFromCatalogue(seed, withUnit('hemoglobin', [{ code: 'unit', valueCode: seed.units.observations.hemoglobin.unit }]));
    expect(same.units.observations.hemoglobin).toEqual(seed.units.observations.hemoglobin);
  });

  test('a unit of another kind drops mappings/\' rule instead of converting through it', () => {
    const m = mappingsFromCatalogue(seed, withUnit('hemoglobin', [{ code: 'unit', valueCode: '%' }]));
    expect(m.units.observations.hemoglobin).toEqual({ unit: '%', range: [0, Number.MAX_VALUE], assumeUnit: false });
  });
});

describe('catalogue CodeSystem validation (property-based)', () => {
  const code = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f');
  const concept: fc.Memo<CodeSystemConcept> = fc.memo((depth) => fc.record({
    code,
    property: fc.option(fc.array(fc.record({ code: fc.constant('parent'), valueCode: code }), { maxLength: 2 }), { nil: undefined }),
    concept: depth > 1 ? fc.option(fc.array(concept(depth - 1), { maxLength: 3 }), { nil: undefined }) : fc.constant(undefined),
  }, { requiredKeys: ['code'] }) as fc.Arbitrary<CodeSystemConcept>);

  const flat = (list: CodeSystemConcept[] = []): CodeSystemConcept[] => list.flatMap((c) => [c, ...flat(c.concept)]);

  test('a tree is accepted exactly when its codes are unique and every parent is one of them', () => {
    fc.assert(fc.property(fc.array(concept(3), { maxLength: 4 }), (concepts) => {
      const cs: CodeSystem = { resourceType: 'CodeSystem', status: 'active', content: 'complete', concept: concepts };
      const all = flat(concepts);
      const codes = all.map((c) => c.code);
      const unique = new Set(codes).size === codes.length;
      const parentsKnown = all.every((c) => (c.property ?? []).every((p) => codes.includes(p.valueCode ?? '')));
      let refused: FhirError | undefined;
      try { checkCodeSystem(cs); } catch (e) { refused = e as FhirError; }
      expect(refused === undefined).toBe(unique && parentsKnown);
      if (refused) expect(refused.status).toBe(422);
    }));
  });
});
