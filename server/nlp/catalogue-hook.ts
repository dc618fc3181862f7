/**
 * The write hook over terminology the NLP coder reads: every CodeSystem written (REST, Bundle, sync) must
 * have unique codes and known parents; the `nlp-concept` CodeSystem must also keep each concept under a
 * known group, give each condition a code and keep designations bounded — else the write is refused (422)
 * and nothing is stored. A committed change to the engine's catalogue makes the engine recompile.
 */
import type { CodeSystem, CodeSystemConcept, ConceptMap } from 'fhir/r4';
import { UcumLhcUtils } from '@lhncbc/ucum-lhc';
import { FhirError } from '../core/fhir-error';
import type { WriteHook } from '../store/types';
import { ENGINE_CATALOGUE } from './catalogue-engine';

export interface CatalogueHookDeps {
  /** The group codes concepts sit under: `conditions` and the observation groups. */
  groups: string[];
  /** Called after a change to the engine's catalogue has committed. */
  onChange: () => void;
}

const MAX_DESIGNATIONS = 1_000;
const MAX_TERM = 200;
/** A designation's language: the engine reads English and German (a region is ignored). */
const LANGUAGE = /^(?:en|de)(?:-[A-Za-z]{2})?$/;

const invalid = (msg: string, path: string): FhirError => new FhirError(422, 'invalid', msg, [path]);

interface Flat { concept: CodeSystemConcept; path: string; nestedUnder?: string }

function flatten(list: CodeSystemConcept[] | undefined, path: string, parent: string | undefined, out: Flat[]): void {
  (list ?? []).forEach((c, i) => {
    const at = `${path}.concept[${i}]`;
    out.push({ concept: c, path: at, ...(parent ? { nestedUnder: parent } : {}) });
    flatten(c.concept, at, c.code, out);
  });
}

const parentsOf = (f: Flat): string[] => [
  ...(f.nestedUnder ? [f.nestedUnder] : []),
  ...(f.concept.property ?? []).filter((p) => p.code === 'parent' && typeof p.valueCode === 'string').map((p) => p.valueCode as string),
];

/** Unique codes; every `parent` property names a code of the system (when the system is complete). */
export function checkCodeSystem(cs: CodeSystem): Flat[] {
  const flat: Flat[] = [];
  flatten(cs.concept, 'CodeSystem', undefined, flat);
  const codes = new Set<string>();
  for (const f of flat) {
    if (typeof f.concept.code !== 'string' || f.concept.code === '') throw invalid(`CodeSystem ${cs.url ?? cs.id ?? ''}: a concept without a code`, `${f.path}.code`);
    if (codes.has(f.concept.code)) throw invalid(`CodeSystem ${cs.url ?? cs.id ?? ''}: duplicate code '${f.concept.code}'`, `${f.path}.code`);
    codes.add(f.concept.code);
  }
  if (cs.content === 'complete') {
    for (const f of flat) {
      for (const p of parentsOf(f)) if (!codes.has(p)) throw invalid(`CodeSystem ${cs.url ?? cs.id ?? ''}: concept '${f.concept.code}' has unknown parent '${p}'`, `${f.path}.property`);
    }
  }
  return flat;
}

/** An observation's `unit` is one UCUM code and its plausible range, when given, is low ≤ high. */
function checkUnit(c: CodeSystemConcept, path: string): void {
  const props = c.property ?? [];
  const units = props.filter((p) => p.code === 'unit');
  if (units.length > 1) throw invalid(`nlp-concept '${c.code}': more than one 'unit'`, `${path}.property`);
  const unit = units[0]?.valueCode;
  if (units.length && (typeof unit !== 'string' || UcumLhcUtils.getInstance().validateUnitString(unit).status !== 'valid')) {
    throw invalid(`nlp-concept '${c.code}': 'unit' must be a valid UCUM code`, `${path}.property`);
  }
  const bound = (code: string): number | undefined => {
    const p = props.find((x) => x.code === code);
    if (p && (typeof p.valueDecimal !== 'number' || !Number.isFinite(p.valueDecimal))) throw invalid(`nlp-concept '${c.code}': '${code}' must be a valueDecimal`, `${path}.property`);
    return p?.valueDecimal;
  };
  const low = bound('range_low');
  const high = bound('range_high');
  if ((low !== undefined || high !== undefined) && !units.length) throw invalid(`nlp-concept '${c.code}': a range needs a 'unit'`, `${path}.property`);
  if (low !== undefined && high !== undefined && low > high) throw invalid(`nlp-concept '${c.code}': 'range_low' is above 'range_high'`, `${path}.property`);
}

/** What the NLP engine needs of each concept: a group, a code for conditions, a UCUM unit for observations that give one, bounded synonyms in en/de. */
function checkConceptCatalogue(flat: Flat[], groups: string[]): void {
  const top = new Set(groups);
  const parent = new Map(flat.map((f) => [f.concept.code, parentsOf(f)]));
  const groupOf = (code: string, seen = new Set<string>()): string | undefined => {
    if (top.has(code)) return code;
    if (seen.has(code)) return undefined;
    seen.add(code);
    for (const p of parent.get(code) ?? []) { const g = groupOf(p, seen); if (g) return g; }
    return undefined;
  };
  for (const f of flat) {
    const c = f.concept;
    if (top.has(c.code)) continue;
    const group = groupOf(c.code);
    if (!group) throw invalid(`nlp-concept '${c.code}' is under no known group (one of ${groups.join(', ')})`, f.path);
    const codes = (c.property ?? []).filter((p) => (p.code === 'snomed' || p.code === 'icd10cm') && typeof p.valueCode === 'string' && p.valueCode.trim() !== '');
    if (group === 'conditions' && codes.length === 0) throw invalid(`nlp-concept '${c.code}': a condition needs a 'snomed' (or 'icd10cm') property to be coded`, `${f.path}.property`);
    if (group !== 'conditions') checkUnit(c, f.path);
    const ds = c.designation ?? [];
    if (ds.length > MAX_DESIGNATIONS) throw invalid(`nlp-concept '${c.code}': more than ${MAX_DESIGNATIONS} designations`, `${f.path}.designation`);
    ds.forEach((d, i) => {
      const at = `${f.path}.designation[${i}]`;
      if (typeof d.value !== 'string' || d.value.trim().length < 2 || d.value.length > MAX_TERM) throw invalid(`nlp-concept '${c.code}': a designation must be 2–${MAX_TERM} characters`, `${at}.value`);
      if (d.language !== undefined && !LANGUAGE.test(d.language)) throw invalid(`nlp-concept '${c.code}': designation language '${d.language}' is not one the engine reads (en, de)`, `${at}.language`);
    });
  }
}

/** Each element of a catalogue ConceptMap maps a code to codes (the engine reads them in order). */
function checkConceptMap(map: ConceptMap): void {
  (map.group ?? []).forEach((g, i) => (g.element ?? []).forEach((e, j) => {
    if (!e.code) throw invalid(`ConceptMap ${map.id ?? ''}: an element without a code`, `ConceptMap.group[${i}].element[${j}].code`);
    (e.target ?? []).forEach((t, k) => {
      if (!t.code && t.equivalence !== 'unmatched') throw invalid(`ConceptMap ${map.id ?? ''}: a target of '${e.code}' without a code`, `ConceptMap.group[${i}].element[${j}].target[${k}].code`);
    });
  }));
}

export function createCatalogueHook(deps: CatalogueHookDeps): WriteHook {
  const engineMaps = new Set<string>([ENGINE_CATALOGUE.snomedToIcd, ENGINE_CATALOGUE.conceptToLoinc]);
  return async (tx, _ctx, change) => {
    const isEngineCs = change.resourceType === 'CodeSystem' && change.id === ENGINE_CATALOGUE.codeSystem;
    const isEngineMap = change.resourceType === 'ConceptMap' && engineMaps.has(change.id);
    const r = change.stored.resource;
    if (change.kind !== 'delete' && r?.resourceType === 'CodeSystem') {
      const flat = checkCodeSystem(r as CodeSystem);
      if (isEngineCs) checkConceptCatalogue(flat, deps.groups);
    }
    if (change.kind !== 'delete' && isEngineMap && r?.resourceType === 'ConceptMap') checkConceptMap(r as ConceptMap);
    if (isEngineCs || isEngineMap) tx.onCommit(deps.onChange);
    return Promise.resolve();
  };
}
