/**
 * The NLP concept CodeSystem's content in both directions: from mappings/ (the seed) each concept gets its
 * synonyms as designations and its codes as properties; back from a stored CodeSystem the coder and the
 * dictionary read the concepts, synonyms and codes a hospital may have extended through the API.
 */
import type { CodeSystemConcept, CodeSystemConceptDesignation, CodeSystemConceptProperty, CodeSystemProperty, Coding } from 'fhir/r4';
import type { ConceptDef, LexiconFile, NlpMappings, TermSpec } from './mappings';
import { termOf } from './mappings';

/** SNOMED CT's designation type "Synonym": every surface form the engine matches. */
export const SYNONYM_USE: Coding = { system: 'http://snomed.info/sct', code: '900000000000013009', display: 'Synonym' };

/** The code properties a concept may carry (a condition's ICD-10-CM comes from the SNOMED CT → ICD-10-CM ConceptMap). */
export const CONCEPT_PROPERTIES: CodeSystemProperty[] = [
  { code: 'parent', type: 'code', description: 'The group the concept belongs to (conditions or an observation group), when not nested under it.' },
  { code: 'snomed', uri: 'http://snomed.info/sct', type: 'code', description: 'SNOMED CT code of a condition, in order of preference (the first is written).' },
  { code: 'icd10cm', type: 'code', description: 'ICD-10-CM code of a condition that has no SNOMED CT code (else the ConceptMap gives it).' },
  { code: 'snomed_code', type: 'code', description: 'SNOMED CT code of an observation without a LOINC code (FIGO stage).' },
  { code: 'gene', type: 'code', description: 'HGNC id of the gene a variant observation studies.' },
  { code: 'unit', type: 'code', description: 'UCUM unit an observation is reported in; for a concept added through the API also the unit its values are normalised to (a value is read only with a written unit that converts to it).' },
  { code: 'range_low', type: 'decimal', description: 'Lowest plausible value in the concept\'s unit (values below are not taken; default 0). Concepts added through the API only.' },
  { code: 'range_high', type: 'decimal', description: 'Highest plausible value in the concept\'s unit (values above are not taken; default none). Concepts added through the API only.' },
];

/** A lexicon term that is nothing but its text: it can be a designation (guarded terms stay in mappings/ only). */
export function plainTerm(spec: TermSpec): string | undefined {
  if (typeof spec === 'string') return spec;
  return Object.keys(spec).every((k) => k === 'term') ? spec.term : undefined;
}

function designations(m: NlpMappings, id: string, kind: 'conditions' | 'observations', def: ConceptDef): CodeSystemConceptDesignation[] {
  const out: CodeSystemConceptDesignation[] = [];
  for (const lex of m.lexicons) {
    const seen = new Set<string>();
    for (const spec of lex[kind][id] ?? []) {
      const term = plainTerm(spec);
      if (term !== undefined && !seen.has(term)) { seen.add(term); out.push({ language: lex.language, use: SYNONYM_USE, value: term }); }
    }
  }
  // the verified examples hold for any language (observation examples carry values: they are not names)
  if (kind === 'conditions') for (const e of def.examples ?? []) out.push({ use: SYNONYM_USE, value: e });
  return out;
}

const codeProps = (code: string, values: string[] | undefined): CodeSystemConceptProperty[] => (values ?? []).map((v) => ({ code, valueCode: v }));

/** One catalogue concept: display, synonyms, codes. */
export function seedConcept(m: NlpMappings, id: string, kind: 'conditions' | 'observations'): CodeSystemConcept {
  const def = (kind === 'conditions' ? m.concepts.conditions : m.concepts.observations)[id];
  const property = kind === 'conditions'
    ? [...codeProps('snomed', def.snomed), ...(def.snomed?.length ? [] : codeProps('icd10cm', def.icd10cm))]
    : [...codeProps('snomed_code', def.snomed_code), ...codeProps('gene', def.gene ? [def.gene] : undefined), ...codeProps('unit', def.unit ? [def.unit] : undefined)];
  const designation = designations(m, id, kind, def);
  return { code: id, display: def.display, ...(designation.length ? { designation } : {}), ...(property.length ? { property } : {}) };
}

/** What the stored CodeSystem says about one concept, as the engine needs it. */
export interface StoredConcept {
  display?: string;
  designation: CodeSystemConceptDesignation[];
  properties: CodeSystemConceptProperty[];
}

const valuesOf = (c: StoredConcept, code: string): string[] => c.properties.filter((p) => p.code === code && typeof p.valueCode === 'string').map((p) => p.valueCode as string);

/**
 * The concept definition for the coder: the seed's definition with the stored display and codes over it
 * (ICD-10-CM from `icd10` — the ConceptMap's targets for the first SNOMED CT code — or the icd10cm property).
 */
export function conceptDefOf(seed: ConceptDef | undefined, c: StoredConcept, kind: 'conditions' | 'observations', maps: { icd10: (sct: string) => string[]; loinc: (id: string) => string[] }, id: string): ConceptDef {
  const def: ConceptDef = { ...(seed ?? {}), display: c.display ?? seed?.display ?? id };
  if (kind === 'conditions') {
    const snomed = valuesOf(c, 'snomed');
    const icd = snomed.length ? maps.icd10(snomed[0]) : valuesOf(c, 'icd10cm');
    return { ...def, snomed, icd10cm: icd.length ? icd : valuesOf(c, 'icd10cm') };
  }
  const gene = valuesOf(c, 'gene')[0];
  const unit = valuesOf(c, 'unit')[0];
  return { ...def, loinc: maps.loinc(id), snomed_code: valuesOf(c, 'snomed_code'), ...(gene ? { gene } : {}), ...(unit ? { unit } : {}) };
}

/**
 * The lexicon terms of one concept in one language: the stored designations of that language (or of none)
 * as plain terms, plus the seed's guarded terms (case-sensitive abbreviations, cue-bound words), which a
 * designation cannot express and which mappings/ keeps.
 */
export function termsOf(c: StoredConcept, seedLexicon: LexiconFile, kind: 'conditions' | 'observations', id: string): TermSpec[] {
  const guarded = (seedLexicon[kind][id] ?? []).filter((s) => plainTerm(s) === undefined);
  const seen = new Set(guarded.map((s) => termOf(s).term));
  const plain: string[] = [];
  for (const d of c.designation) {
    const language = d.language?.split('-')[0].toLowerCase();
    if (typeof d.value !== 'string' || (language !== undefined && language !== seedLexicon.language)) continue;
    if (language === undefined && kind === 'conditions') continue; // language-less names are the concept's examples
    if (!seen.has(d.value)) { seen.add(d.value); plain.push(d.value); }
  }
  return [...plain, ...guarded];
}

/** Language-less designations of a condition: its examples (matched in any language). */
export function examplesOf(c: StoredConcept): string[] {
  return c.designation.filter((d) => d.language === undefined && typeof d.value === 'string').map((d) => d.value);
}
