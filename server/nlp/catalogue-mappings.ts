/**
 * The NLP mappings as the stored catalogue says: concepts, synonyms and codes from the `nlp-concept`
 * CodeSystem, ICD-10-CM from the SNOMED CT → ICD-10-CM ConceptMap, LOINC from the concept → LOINC ConceptMap.
 * Everything that is engine rules rather than terminology (context triggers, grammar, units, guarded terms)
 * stays as mappings/ seeds it. Pure.
 */
import type { ConceptMap } from 'fhir/r4';
import { descendants, type CodeSystemIndex, type ConceptEntry } from '../search/terminology-index';
import { conceptDefOf, examplesOf, termsOf } from './catalogue-concepts';
import { unitRuleOf } from './catalogue-units';
import { CONCEPT_CS } from './catalogue-resources';
import type { CodingFile, ConceptDef, LexiconFile, NlpMappings, UnitRule } from './mappings';

export interface StoredCatalogue {
  codeSystem: CodeSystemIndex;
  snomedToIcd?: ConceptMap;
  conceptToLoinc?: ConceptMap;
}

/** Target codes of `code` in the groups of `map` from `source` to `target`, in the order written. */
function targetsOf(map: ConceptMap | undefined, source: string, target: string): (code: string) => string[] {
  const index = new Map<string, string[]>();
  for (const g of map?.group ?? []) {
    if (g.source !== source || g.target !== target) continue;
    for (const e of g.element ?? []) {
      if (!e.code) continue;
      const list = index.get(e.code) ?? [];
      for (const t of e.target ?? []) if (t.code && t.equivalence !== 'unmatched' && t.equivalence !== 'disjoint' && !list.includes(t.code)) list.push(t.code);
      index.set(e.code, list);
    }
  }
  return (code) => index.get(code) ?? [];
}

/** Members of each group, in the CodeSystem's order. */
function groupMembers(idx: CodeSystemIndex, groups: string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const g of groups) {
    const below = descendants(idx, g, false);
    out.set(g, [...idx.concepts.keys()].filter((c) => below.has(c) && !groups.includes(c)));
  }
  return out;
}

export function mappingsFromCatalogue(seed: NlpMappings, stored: StoredCatalogue): NlpMappings {
  const sys = seed.concepts.systems;
  const maps = { icd10: targetsOf(stored.snomedToIcd, sys.snomed, sys.icd10cm), loinc: targetsOf(stored.conceptToLoinc, CONCEPT_CS, sys.loinc) };
  const obsGroups = Object.keys(seed.coding.observationGroups);
  const members = groupMembers(stored.codeSystem, ['conditions', ...obsGroups]);
  const conditions: Record<string, ConceptDef> = {};
  const observations: Record<string, ConceptDef> = {};
  const entry = (id: string): ConceptEntry => stored.codeSystem.concepts.get(id) as ConceptEntry;
  for (const id of members.get('conditions') ?? []) {
    const c = entry(id);
    conditions[id] = { ...conceptDefOf(seed.concepts.conditions[id], c, 'conditions', maps, id), examples: examplesOf(c) };
  }
  const observationGroups: CodingFile['observationGroups'] = {};
  // the catalogue's unit wins over mappings/' (with mappings/' range converted to it); added concepts bring theirs
  const unitRules: Record<string, UnitRule> = { ...seed.units.observations };
  for (const g of obsGroups) {
    const ids = (members.get(g) ?? []).filter((id) => !(id in conditions) && !(id in observations));
    for (const id of ids) {
      observations[id] = conceptDefOf(seed.concepts.observations[id], entry(id), 'observations', maps, id);
      const rule = unitRuleOf(seed.units.observations[id], entry(id));
      if (rule) unitRules[id] = rule;
    }
    observationGroups[g] = { display: stored.codeSystem.concepts.get(g)?.display ?? seed.coding.observationGroups[g].display, concepts: ids };
  }
  const lexicon = (lex: LexiconFile): LexiconFile => ({
    ...lex,
    conditions: Object.fromEntries(Object.keys(conditions).map((id) => [id, termsOf(entry(id), lex, 'conditions', id)])),
    observations: Object.fromEntries(Object.keys(observations).map((id) => [id, termsOf(entry(id), lex, 'observations', id)])),
    compoundHeads: Object.fromEntries(Object.entries(lex.compoundHeads ?? {}).filter(([id]) => id in conditions)),
  });
  return {
    ...seed,
    concepts: { ...seed.concepts, conditions, observations },
    units: { ...seed.units, observations: unitRules },
    lexicons: seed.lexicons.map(lexicon),
    coding: { ...seed.coding, observationGroups },
  };
}
