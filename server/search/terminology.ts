/**
 * The terminology engine behind ValueSet expansion and the token modifiers `:in` / `:not-in`
 * (ValueSets stored in this server) and `:above` / `:below` (hierarchies of stored CodeSystems) —
 * FHIR search §3.1.1.5.3/§3.1.1.5.10 and https://hl7.org/fhir/R4/valueset.html#compositions.
 * Pure: the stored resources come in through a TerminologySource that store/ implements.
 */
import type { ValueSet, ValueSetComposeInclude, ValueSetComposeIncludeFilter, ValueSetExpansionContains } from 'fhir/r4';
import { FhirError, badRequest, notSupported } from '../core/fhir-error';
import type { TokenValue } from './types';
import { addCode, emptyCodeSet, fromCodes, intersect, size, subtract, union, type CodeSet } from './code-set';
import { ancestors, codesWithProperty, descendants, type CodeSystemIndex } from './terminology-index';

export { contains, size, type CodeSet } from './code-set';

export interface TerminologySource {
  /** A stored ValueSet by canonical URL (`url` or `url|version`) or by `ValueSet/id`. */
  valueSet(ref: string): Promise<ValueSet | undefined>;
  /** The index of the stored CodeSystem with this canonical URL (and version, when given). */
  codeSystem(url: string, version?: string): Promise<CodeSystemIndex | undefined>;
}

/** Expansions bigger than this are refused (400 too-costly) rather than sent as one huge SQL array. */
export const MAX_CODES = 20_000;

/** What we say when asked about a system we do not hold. */
export const NOT_A_FULL_SERVER = 'TwinFHIR is not a full SNOMED CT / LOINC terminology server: it answers from its own and stored code systems';

export const tooCostly = (what: string, max: number): FhirError => new FhirError(400, 'too-costly', `${what} has more than ${max} codes; narrow it (e.g. with a filter)`);

function fromContains(list: ValueSetExpansionContains[], into: CodeSet = emptyCodeSet()): CodeSet {
  for (const c of list) {
    if (c.system && c.code && !c.abstract) addCode(into, c.system, c.code, c.display);
    if (c.contains) fromContains(c.contains, into);
  }
  return into;
}

async function stored(src: TerminologySource, system: string, why: string, version?: string): Promise<CodeSystemIndex> {
  const idx = await src.codeSystem(system, version);
  if (!idx) throw notSupported(`${why} needs the CodeSystem '${system}'${version ? ` version '${version}'` : ''} stored on this server (${NOT_A_FULL_SERVER})`);
  return idx;
}

const list = (value: string): string[] => value.split(',').map((s) => s.trim()).filter(Boolean);

/** Codes of a stored system matching one filter: hierarchy ops on `concept`/`code`, `=`/`in` on any property. */
function filterCodes(idx: CodeSystemIndex, f: ValueSetComposeIncludeFilter): Iterable<string> {
  const { property, op, value } = f;
  if (typeof property !== 'string' || typeof op !== 'string' || typeof value !== 'string') throw badRequest('A ValueSet filter needs property, op and value');
  if (property === 'concept' || property === 'code') {
    if (op === 'is-a') return descendants(idx, value, true);
    if (op === 'descendent-of') return descendants(idx, value, false);
    if (op === 'generalizes') return ancestors(idx, value, true);
    if (op === 'is-not-a') {
      const below = descendants(idx, value, true);
      return [...idx.concepts.keys()].filter((c) => !below.has(c));
    }
    if (op === '=') return [value];
    if (op === 'in') return list(value);
  } else if (op === '=' || op === 'in') return codesWithProperty(idx, property, op === '=' ? [value] : list(value));
  throw notSupported(`ValueSet filter '${property} ${op}' is not supported (is-a, descendent-of, is-not-a, generalizes, = and in on concept; = and in on properties)`);
}

async function filterSet(src: TerminologySource, inc: ValueSetComposeInclude & { system: string }, f: ValueSetComposeIncludeFilter): Promise<CodeSet> {
  const idx = await stored(src, inc.system, `ValueSet filter '${f.property} ${f.op} ${f.value}'`, inc.version);
  const out = emptyCodeSet();
  for (const code of filterCodes(idx, f)) {
    const c = idx.concepts.get(code);
    if (c) addCode(out, inc.system, code, c.display);
  }
  return out;
}

async function includeSet(src: TerminologySource, inc: ValueSetComposeInclude, seen: Set<string>): Promise<CodeSet> {
  const parts: CodeSet[] = [];
  if (typeof inc.system === 'string') {
    const system = inc.system;
    if (inc.concept?.length) {
      const set = emptyCodeSet();
      for (const c of inc.concept) if (typeof c.code === 'string') addCode(set, system, c.code, typeof c.display === 'string' ? c.display : undefined);
      parts.push(set);
    } else if (inc.filter?.length) {
      const sets = await Promise.all(inc.filter.map((f) => filterSet(src, { ...inc, system }, f)));
      parts.push(sets.reduce(intersect));
    } else {
      const whole = emptyCodeSet();
      whole.systems.set(system, new Set());
      parts.push(whole);
    }
  }
  for (const ref of inc.valueSet ?? []) parts.push(await expandRef(src, ref, seen));
  return parts.length ? parts.reduce(intersect) : emptyCodeSet();
}

/** The codings of a ValueSet: `expansion.contains` when present, else `compose` (include − exclude). */
export async function expandResource(src: TerminologySource, vs: ValueSet, seen: Set<string> = new Set()): Promise<CodeSet> {
  if (vs.expansion?.contains) return fromContains(vs.expansion.contains);
  let set = emptyCodeSet();
  for (const inc of vs.compose?.include ?? []) {
    set = union(set, await includeSet(src, inc, seen));
    if (size(set) > MAX_CODES) throw tooCostly(`ValueSet '${vs.url ?? vs.id ?? 'in the request'}'`, MAX_CODES);
  }
  for (const exc of vs.compose?.exclude ?? []) set = subtract(set, await includeSet(src, exc, seen));
  return set;
}

async function expandRef(src: TerminologySource, ref: string, seen: Set<string>): Promise<CodeSet> {
  if (seen.has(ref)) throw badRequest(`ValueSet '${ref}' includes itself`);
  const vs = await src.valueSet(ref);
  if (!vs) throw new FhirError(400, 'not-found', `ValueSet '${ref}' is not stored on this server`);
  return expandResource(src, vs, new Set(seen).add(ref));
}

/** The codings of a stored ValueSet (by reference). */
export async function expandValueSet(src: TerminologySource, ref: string): Promise<CodeSet> {
  const set = await expandRef(src, ref, new Set());
  if (size(set) > MAX_CODES) throw tooCostly(`ValueSet '${ref}'`, MAX_CODES);
  return set;
}

/** `:below` (the code and its descendants) or `:above` (the code and its ancestors) in a stored CodeSystem. */
export async function hierarchySet(src: TerminologySource, system: string, code: string, direction: 'above' | 'below'): Promise<CodeSet> {
  const idx = await stored(src, system, `':${direction}' on ${system}|${code}`);
  const set = fromCodes(system, direction === 'below' ? descendants(idx, code, true) : ancestors(idx, code, true));
  if (size(set) > MAX_CODES) throw tooCostly(`':${direction}' on ${system}|${code}`, MAX_CODES);
  return set;
}

/** Key of a token value under a terminology modifier (in the resolved map). */
export function codeSetKey(modifier: string, v: TokenValue): string {
  return `${modifier}\u0000${v.valueSet ?? `${v.system ?? ''}|${v.code ?? ''}`}`;
}

/** Resolves one value of a token criterion with :in, :not-in, :above or :below. */
export function resolveCodeSet(src: TerminologySource, modifier: string, v: TokenValue): Promise<CodeSet> {
  if ((modifier === 'in' || modifier === 'not-in') && v.valueSet) return expandValueSet(src, v.valueSet);
  if ((modifier === 'above' || modifier === 'below') && v.system && v.code !== undefined) return hierarchySet(src, v.system, v.code, modifier);
  return Promise.reject(badRequest(`Invalid value for ':${modifier}'`));
}

export const TERMINOLOGY_MODIFIERS = new Set(['in', 'not-in', 'above', 'below']);
