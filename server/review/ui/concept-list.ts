/** Turns mappings/nlp-concepts.json into the review page's amend dictionary (/review/concepts.json). */
import type { Coding } from 'fhir/r4';
import type { ConceptEntry, ConceptList } from './app/types';

interface RawConcept {
  display: string;
  unit?: string;
  [system: string]: unknown;
}

interface RawConcepts {
  systems: Record<string, string>;
  conditions: Record<string, RawConcept>;
  observations: Record<string, RawConcept>;
}

const codesOf = (c: RawConcept, key: string): string[] => (Array.isArray(c[key]) ? (c[key] as unknown[]).filter((x): x is string => typeof x === 'string') : []);

/** `prefer` lists [system key in the concept, system key in `systems`]; the first code of each is the one to write. */
function entry(id: string, c: RawConcept, systems: Record<string, string>, prefer: [string, string][]): ConceptEntry | undefined {
  const codings: Coding[] = [];
  const keys: string[] = [];
  for (const [field, sys] of prefer) {
    const system = systems[sys];
    const codes = codesOf(c, field);
    if (!system || !codes.length) continue;
    codings.push({ system, code: codes[0], ...(codings.length ? {} : { display: c.display }) });
    keys.push(...codes.map((code) => `${system}|${code}`));
  }
  if (!codings.length) return undefined;
  return { id, display: c.display, codings, keys, ...(typeof c.unit === 'string' ? { unit: c.unit } : {}) };
}

export function buildConceptList(raw: RawConcepts): ConceptList {
  const list = (group: Record<string, RawConcept>, prefer: [string, string][]): ConceptEntry[] =>
    Object.entries(group)
      .map(([id, c]) => entry(id, c, raw.systems, prefer))
      .filter((e): e is ConceptEntry => e !== undefined)
      .sort((a, b) => a.display.localeCompare(b.display));
  return {
    conditions: list(raw.conditions, [['snomed', 'snomed'], ['icd10cm', 'icd10cm']]),
    observations: list(raw.observations, [['loinc', 'loinc'], ['snomed_code', 'snomed']]),
  };
}
