/** The reverse of mappings/: codings on written FHIR resources back to concept ids and attribute keys, for scoring pipeline output. */
import type { Coding } from 'fhir/r4';
import type { FigoStage, VariantValue } from '../finding';
import type { ConceptDef, NlpMappings } from '../mappings';

export interface ConceptIndex {
  /** The condition concept one of the codings names (SNOMED CT or ICD-10-CM, laterality-specific codes included). */
  condition(codings: Coding[]): string | undefined;
  /** The observation concept; `gene` (HGNC code) tells apart concepts sharing a LOINC code (BRCA1/BRCA2 variants). */
  observation(codings: Coding[], gene?: string): string | undefined;
  histology(coding: Coding | undefined): string | undefined;
  laterality(coding: Coding | undefined): string | undefined;
  figo(coding: Coding | undefined): FigoStage | undefined;
  variant(coding: Coding | undefined): VariantValue | undefined;
}

const keyOf = (system: string | undefined, code: string | undefined): string => `${system ?? ''}|${code ?? ''}`;

type Lists = Partial<Record<'snomed' | 'icd10cm' | 'loinc' | 'snomed_code', string[]>>;

/** system|code → every concept listing it; `systemOf` names the CodeSystem URL of each code list. */
function codeIndex(defs: Record<string, ConceptDef>, systemOf: Partial<Record<keyof Lists, string>>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [concept, def] of Object.entries(defs)) {
    for (const list of Object.keys(systemOf) as Array<keyof Lists>) {
      for (const code of (def as Lists)[list] ?? []) {
        const key = keyOf(systemOf[list], code);
        out.set(key, [...(out.get(key) ?? []), concept]);
      }
    }
  }
  return out;
}

/** code → key of one attribute value table (histology, laterality, FIGO), within its CodeSystem. */
function valueIndex(system: string | undefined, values: Record<string, string>): Map<string, string> {
  return new Map(Object.entries(values).map(([key, code]) => [keyOf(system, code), key]));
}

function lookup(index: Map<string, string>, coding: Coding | undefined): string | undefined {
  return coding ? index.get(keyOf(coding.system, coding.code)) : undefined;
}

export function createConceptIndex(m: NlpMappings): ConceptIndex {
  const sys = m.concepts.systems;
  const attrs = m.concepts.attributes;
  const conditions = codeIndex(m.concepts.conditions, { snomed: sys.snomed, icd10cm: sys.icd10cm });
  // FIGO stage has no LOINC code: its Observation carries SNOMED CT (snomed_code)
  const observations = codeIndex(m.concepts.observations, { loinc: sys.loinc, snomed_code: sys.snomed });
  const histology = valueIndex(sys[attrs.histology.system], Object.fromEntries(Object.entries(attrs.histology.values).map(([k, v]) => [k, v.code])));
  const laterality = valueIndex(sys[attrs.laterality.system], Object.fromEntries(Object.entries(attrs.laterality.values).map(([k, v]) => [k, v.code])));
  const figo = valueIndex(sys[attrs.figo_values.system], attrs.figo_values.values);
  const variants = valueIndex(m.coding.variantAnswers.present.system, { present: m.coding.variantAnswers.present.code, absent: m.coding.variantAnswers.absent.code });
  const first = (index: Map<string, string[]>, codings: Coding[], pick: (candidates: string[]) => string | undefined): string | undefined => {
    for (const c of codings) {
      const hit = pick(index.get(keyOf(c.system, c.code)) ?? []);
      if (hit) return hit;
    }
    return undefined;
  };
  return {
    condition: (codings) => first(conditions, codings, (cs) => cs[0]),
    // a code several concepts share resolves only through the gene; an unshared one needs none
    observation: (codings, gene) => first(observations, codings, (cs) => (cs.length > 1 ? cs.find((c) => m.concepts.observations[c]?.gene === gene) : cs[0])),
    histology: (coding) => lookup(histology, coding),
    laterality: (coding) => lookup(laterality, coding),
    figo: (coding) => lookup(figo, coding) as FigoStage | undefined,
    variant: (coding) => lookup(variants, coding) as VariantValue | undefined,
  };
}
