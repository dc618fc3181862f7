/**
 * Our terminology as FHIR resources, generated from the same NlpMappings the NLP coder reads (so the
 * two cannot disagree): the `twinfhir` CodeSystem (profiles/), the NLP concept CodeSystem, one
 * ValueSet per concept group, and the ConceptMaps SNOMED CT → ICD-10-CM and concept → LOINC.
 * Displays come only from mappings/: a code whose display is not there carries none, as in the coder.
 */
import { readFileSync } from 'node:fs';
import type { CodeSystem, CodeSystemConcept, ConceptMap, ConceptMapGroupElement, ValueSet, ValueSetComposeInclude } from 'fhir/r4';
import { TWINFHIR_BASE, amendValueSetUrl, localCodeSystemUrl } from '../core/canonical-urls';
import { fromRoot } from '../core/paths';
import { CONCEPT_PROPERTIES, seedConcept } from './catalogue-concepts';
import type { ConceptDef, NlpMappings } from './mappings';

/** Our canonical base (core/canonical-urls), re-exported for the catalogue's users. */
export const BASE = TWINFHIR_BASE;
export const CONCEPT_CS = `${BASE}/CodeSystem/nlp-concept`;
export const CONDITIONS_VS = `${BASE}/ValueSet/nlp-conditions`;
export const groupValueSetUrl = (group: string): string => `${BASE}/ValueSet/nlp-${group}`;
const VERSION = '0.1.0';

export type CatalogueResource = (CodeSystem | ValueSet | ConceptMap) & { id: string };

const meta = { version: VERSION, status: 'active' as const, experimental: false, publisher: 'TwinFHIR' };

/** The `twinfhir` CodeSystem, kept in profiles/ beside the profiles that bind it. */
export function twinfhirCodeSystem(): CodeSystem & { id: string } {
  return JSON.parse(readFileSync(fromRoot('profiles', 'codesystem-twinfhir.json'), 'utf8')) as CodeSystem & { id: string };
}

/** Code → display in `system`, where every concept that lists the code as its first one agrees on it. */
function preferredDisplays(defs: ConceptDef[], key: 'snomed' | 'loinc' | 'snomed_code'): Map<string, string | undefined> {
  const out = new Map<string, string | undefined>();
  for (const d of defs) {
    (d[key] ?? []).forEach((code, i) => {
      const display = i === 0 ? d.display : undefined;
      if (!out.has(code)) out.set(code, display);
      else if (out.get(code) !== display) out.set(code, undefined);
    });
  }
  return out;
}

function include(system: string, codes: Map<string, string | undefined>): ValueSetComposeInclude[] {
  if (!codes.size) return [];
  return [{ system, concept: [...codes].map(([code, display]) => ({ code, ...(display ? { display } : {}) })) }];
}

function conceptCodeSystem(m: NlpMappings): CodeSystem & { id: string } {
  const groups: CodeSystemConcept[] = [
    { code: 'conditions', display: 'Conditions', concept: Object.keys(m.concepts.conditions).map((id) => seedConcept(m, id, 'conditions')) },
    ...Object.entries(m.coding.observationGroups).map(([g, def]) => ({
      code: g, display: def.display,
      concept: def.concepts.filter((id) => m.concepts.observations[id]).map((id) => seedConcept(m, id, 'observations')),
    })),
  ];
  return {
    resourceType: 'CodeSystem', id: 'nlp-concept', url: CONCEPT_CS, name: 'TwinFHIRNlpConcepts', title: 'TwinFHIR NLP concepts', ...meta,
    description: 'The concepts the NLP pipeline recognises in clinical notes, under their groups (is-a): their synonyms (designations, '
      + 'by language) are what the engine matches, their properties the codes it writes. Seeded from mappings/; extend it through the API.',
    caseSensitive: true, hierarchyMeaning: 'is-a', content: 'complete', property: CONCEPT_PROPERTIES, count: groups.reduce((n, g) => n + 1 + (g.concept?.length ?? 0), 0), concept: groups,
  };
}

function valueSet(id: string, title: string, include: ValueSetComposeInclude[]): ValueSet & { id: string } {
  return { resourceType: 'ValueSet', id, url: `${BASE}/ValueSet/${id}`, name: title.replace(/[^A-Za-z0-9]/g, ''), title, ...meta, compose: { include } };
}

function groupValueSets(m: NlpMappings): (ValueSet & { id: string })[] {
  const s = m.concepts.systems;
  const conditions = Object.values(m.concepts.conditions);
  const icd = new Map<string, undefined>(conditions.flatMap((d) => (d.icd10cm ?? []).map((c) => [c, undefined] as [string, undefined])));
  const out = [valueSet('nlp-conditions', 'TwinFHIR NLP conditions', [...include(s.snomed, preferredDisplays(conditions, 'snomed')), ...include(s.icd10cm, icd)])];
  for (const [g, def] of Object.entries(m.coding.observationGroups)) {
    const defs = def.concepts.map((id) => m.concepts.observations[id]).filter(Boolean);
    out.push(valueSet(`nlp-${g}`, `TwinFHIR NLP ${def.display.toLowerCase()}`, [
      ...include(s.loinc, preferredDisplays(defs, 'loinc')), ...include(s.snomed, preferredDisplays(defs, 'snomed_code')),
    ]));
  }
  return out;
}

function conceptMap(id: string, title: string, source: string, target: string, element: ConceptMapGroupElement[]): ConceptMap & { id: string } {
  return { resourceType: 'ConceptMap', id, url: `${BASE}/ConceptMap/${id}`, name: title.replace(/[^A-Za-z0-9]/g, ''), title, ...meta, group: [{ source, target, element }] };
}

/** SNOMED CT → ICD-10-CM: first with first is the catalogue's equivalent pair, laterality codes are narrower. */
function snomedToIcd(m: NlpMappings): ConceptMap & { id: string } {
  const s = m.concepts.systems;
  const displays = preferredDisplays(Object.values(m.concepts.conditions), 'snomed');
  const elements: ConceptMapGroupElement[] = [];
  for (const [id, d] of Object.entries(m.concepts.conditions)) {
    const lateral = new Set(Object.values(m.coding.lateralityIcd10[id] ?? {}));
    (d.snomed ?? []).forEach((sct, i) => {
      const display = displays.get(sct);
      elements.push({
        code: sct, ...(display ? { display } : {}),
        target: (d.icd10cm ?? []).map((icd, j) => ({ code: icd, equivalence: lateral.has(icd) ? 'narrower' : i === 0 && j === 0 ? 'equivalent' : 'relatedto' })),
      });
    });
  }
  return conceptMap('nlp-snomed-to-icd10cm', 'TwinFHIR condition catalogue SNOMED CT to ICD-10-CM', s.snomed, s.icd10cm, elements);
}

function conceptToLoinc(m: NlpMappings): ConceptMap & { id: string } {
  const defs = Object.values(m.concepts.observations);
  const displays = preferredDisplays(defs, 'loinc');
  // A LOINC code several concepts share (69548-6 for BRCA1 and BRCA2) is wider than each of them.
  const uses = new Map<string, number>();
  for (const d of defs) for (const c of d.loinc ?? []) uses.set(c, (uses.get(c) ?? 0) + 1);
  const elements: ConceptMapGroupElement[] = Object.entries(m.concepts.observations).filter(([, d]) => d.loinc?.length).map(([id, d]) => ({
    code: id, display: d.display,
    target: (d.loinc ?? []).map((code, j) => {
      const display = displays.get(code);
      return { code, ...(display ? { display } : {}), equivalence: (uses.get(code) ?? 0) > 1 ? 'wider' : j === 0 ? 'equivalent' : 'relatedto' };
    }),
  }));
  return conceptMap('nlp-concept-to-loinc', 'TwinFHIR observation concepts to LOINC', CONCEPT_CS, m.concepts.systems.loinc, elements);
}

type AmendKind = 'conditions' | 'observations';

function localCodeSystem(kind: AmendKind): CodeSystem & { id: string } {
  return {
    resourceType: 'CodeSystem', id: `nlp-local-${kind}`, url: localCodeSystemUrl(kind), name: `TwinFHIRLocal${kind[0].toUpperCase()}${kind.slice(1)}`,
    title: `Local ${kind} codes of this hospital`, ...meta,
    description: `Codes this hospital adds for the review page's amend form (${kind}); fill \`concept\` with PUT — the server never overwrites it.`,
    caseSensitive: true, content: 'complete', count: 0,
  };
}

/** What the amend form offers: the catalogue's ValueSets by reference (so catalogue updates flow in) and the local codes. */
function amendValueSet(kind: AmendKind, groups: string[]): ValueSet & { id: string } {
  return {
    ...valueSet(`nlp-amend-${kind}`, `TwinFHIR review amend ${kind}`, [
      // one include per ValueSet: several in one include would be intersected (R4 ValueSet.compose.include.valueSet)
      ...groups.map((g) => ({ valueSet: [groupValueSetUrl(g)] })), { system: localCodeSystemUrl(kind) },
    ]),
    url: amendValueSetUrl(kind),
    description: `The codes the review page's amend form offers for ${kind}. Add your own by PUTting concepts into ${localCodeSystemUrl(kind)}, or by including more systems here: the server creates this ValueSet once and never overwrites it.`,
  };
}

/**
 * Created when missing, never overwritten: the hospital's extension points (local CodeSystems, the
 * amend ValueSets that may include more of its systems).
 */
export function catalogueSeeds(m: NlpMappings): CatalogueResource[] {
  return [
    localCodeSystem('conditions'), localCodeSystem('observations'),
    amendValueSet('conditions', ['conditions']), amendValueSet('observations', Object.keys(m.coding.observationGroups)),
  ];
}

/** Every catalogue resource, with stable ids. */
export function catalogueResources(m: NlpMappings): CatalogueResource[] {
  return [twinfhirCodeSystem(), conceptCodeSystem(m), ...groupValueSets(m), snomedToIcd(m), conceptToLoinc(m)];
}
