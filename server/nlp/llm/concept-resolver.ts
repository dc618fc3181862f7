/** Decides which mappings/ concept a model finding is about: its concept id, else a code mappings/ knows, else its quote. */
import type { Language } from '../finding';
import type { NlpMappings } from '../mappings';
import type { Dictionary } from '../rules/dictionary';
import { findMatches } from '../rules/matcher';
import { tokenize } from '../text/normalize';
import type { ModelFinding } from './schema';

export interface ResolvedConcept {
  concept: string;
  /** How it was found: the model's id, a code the model proposed, or the rules dictionary over the quote. */
  via: 'id' | 'code' | 'text';
  /** Proposed codes that mappings/ does not list for the concept (discarded). */
  unknownCodes: number;
}

/** Every code mappings/ lists, with the concepts that carry it (LOINC 69548-6 serves both BRCA genes). */
function indexCodes(m: NlpMappings): Map<string, Set<string>> {
  const index = new Map<string, Set<string>>();
  const add = (code: string, concept: string): void => {
    const set = index.get(code) ?? new Set<string>();
    set.add(concept);
    index.set(code, set);
  };
  for (const [id, def] of Object.entries(m.concepts.conditions)) for (const c of [...(def.snomed ?? []), ...(def.icd10cm ?? [])]) add(c, id);
  for (const [id, byLaterality] of Object.entries(m.coding.lateralityIcd10)) for (const c of Object.values(byLaterality)) add(c, id);
  for (const [id, def] of Object.entries(m.concepts.observations)) for (const c of [...(def.loinc ?? []), ...(def.snomed_code ?? [])]) add(c, id);
  return index;
}

export class ConceptResolver {
  private readonly codes: Map<string, Set<string>>;
  private readonly known: Set<string>;

  constructor(private readonly mappings: NlpMappings, private readonly dictionary: Dictionary) {
    this.codes = indexCodes(mappings);
    this.known = new Set([...Object.keys(mappings.concepts.conditions), ...Object.keys(mappings.concepts.observations)]);
  }

  /** The concept of the finding, or null when neither its id, its codes nor its quote name one that mappings/ knows. */
  resolve(item: ModelFinding, language: Language): ResolvedConcept | null {
    const proposed = (item.codes ?? []).map((c) => c.code.trim());
    let concept: string | undefined;
    let via: ResolvedConcept['via'] = 'id';
    if (this.known.has(item.concept)) concept = item.concept;
    if (!concept) {
      const byCode = new Set(proposed.flatMap((c) => [...(this.codes.get(c) ?? [])]));
      if (byCode.size === 1) [concept, via] = [[...byCode][0], 'code'];
    }
    if (!concept) {
      const fromText = this.fromQuote(item.quote, language);
      if (fromText) [concept, via] = [fromText, 'text'];
    }
    if (!concept) return null;
    const unknownCodes = proposed.filter((c) => !this.codes.get(c)?.has(concept)).length;
    return { concept, via, unknownCodes };
  }

  /** The first condition or analyte the rules dictionary finds in the quote. */
  private fromQuote(quote: string, language: Language): string | undefined {
    for (const m of findMatches(this.dictionary, tokenize(quote), language)) {
      if (m.layer !== 'condition' && m.layer !== 'analyte') continue;
      const entry = m.entries.find((e) => e.key && this.known.has(e.key));
      if (entry) return entry.key;
    }
    return undefined;
  }
}
