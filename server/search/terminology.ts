/**
 * Code sets for token `:in` / `:not-in` (ValueSets stored in this server) and `:above` / `:below`
 * (hierarchies of stored CodeSystems) — FHIR search §3.1.1.5.3 and §3.1.1.5.10. Pure: the stored
 * resources come in through a TerminologySource that store/ implements.
 */
import type { CodeSystem, CodeSystemConcept, ValueSet, ValueSetComposeInclude, ValueSetExpansionContains } from 'fhir/r4';
import { FhirError, badRequest, notSupported } from '../core/fhir-error';
import type { TokenValue } from './types';
import { closure, hierarchyOf } from './code-hierarchy';

export interface TerminologySource {
  /** A stored ValueSet by canonical URL (`url` or `url|version`) or by `ValueSet/id`. */
  valueSet(ref: string): Promise<ValueSet | undefined>;
  /** The stored CodeSystem with this canonical URL. */
  codeSystem(url: string): Promise<CodeSystem | undefined>;
}

/**
 * A set of codings: explicit codes per system, plus whole systems (every code, except the listed
 * ones). A coding matches when its system and code are in it.
 */
export interface CodeSet {
  codes: Map<string, Set<string>>;
  systems: Map<string, Set<string>>;
}

/** Expansions bigger than this are refused (400 too-costly) rather than sent as one huge SQL array. */
export const MAX_CODES = 20_000;

const empty = (): CodeSet => ({ codes: new Map(), systems: new Map() });
const setOf = <T>(m: Map<string, Set<T>>, k: string): Set<T> => m.get(k) ?? m.set(k, new Set()).get(k) as Set<T>;

export function contains(s: CodeSet, system: string, code: string): boolean {
  const whole = s.systems.get(system);
  return (s.codes.get(system)?.has(code) ?? false) || (whole !== undefined && !whole.has(code));
}

export function size(s: CodeSet): number {
  let n = 0;
  for (const c of s.codes.values()) n += c.size;
  return n;
}

export function union(a: CodeSet, b: CodeSet): CodeSet {
  const out = empty();
  for (const x of [a, b]) for (const [sys, codes] of x.codes) for (const c of codes) setOf(out.codes, sys).add(c);
  for (const [sys, ex] of a.systems) {
    const other = b.systems.get(sys);
    out.systems.set(sys, other ? new Set([...ex].filter((c) => other.has(c))) : new Set(ex));
  }
  for (const [sys, ex] of b.systems) if (!a.systems.has(sys)) out.systems.set(sys, new Set(ex));
  return out;
}

export function intersect(a: CodeSet, b: CodeSet): CodeSet {
  const out = empty();
  for (const [x, y] of [[a, b], [b, a]]) {
    for (const [sys, codes] of x.codes) for (const c of codes) if (contains(y, sys, c)) setOf(out.codes, sys).add(c);
  }
  for (const [sys, ex] of a.systems) {
    const other = b.systems.get(sys);
    if (other) out.systems.set(sys, new Set([...ex, ...other]));
  }
  return out;
}

export function subtract(a: CodeSet, b: CodeSet): CodeSet {
  const out = empty();
  for (const [sys, codes] of a.codes) for (const c of codes) if (!contains(b, sys, c)) setOf(out.codes, sys).add(c);
  for (const [sys, ex] of a.systems) {
    const bWhole = b.systems.get(sys);
    if (bWhole) {
      // (all − ex) − (all − bEx) = bEx − ex
      for (const c of bWhole) if (!ex.has(c)) setOf(out.codes, sys).add(c);
    } else out.systems.set(sys, new Set([...ex, ...(b.codes.get(sys) ?? [])]));
  }
  return out;
}

function fromCodes(system: string, codes: Iterable<string>): CodeSet {
  const s = empty();
  s.codes.set(system, new Set(codes));
  return s;
}

function fromContains(list: ValueSetExpansionContains[], into: CodeSet = empty()): CodeSet {
  for (const c of list) {
    if (c.system && c.code && !c.abstract) setOf(into.codes, c.system).add(c.code);
    if (c.contains) fromContains(c.contains, into);
  }
  return into;
}

async function stored(src: TerminologySource, system: string, why: string): Promise<CodeSystemConcept[]> {
  const cs = await src.codeSystem(system);
  if (!cs) throw notSupported(`${why} needs the CodeSystem '${system}' stored on this server`);
  return cs.concept ?? [];
}

/** `is-a`, `descendent-of`, `=`/`in` on `concept`: the filters a stored CodeSystem hierarchy can answer. */
async function filterSet(src: TerminologySource, system: string, f: { property: string; op: string; value: string }): Promise<CodeSet> {
  const concepts = await stored(src, system, `ValueSet filter '${f.property} ${f.op} ${f.value}'`);
  const h = hierarchyOf(concepts);
  if (f.property === 'concept' || f.property === 'code') {
    if (f.op === 'is-a') return fromCodes(system, closure(h.children, [f.value], true));
    if (f.op === 'descendent-of') return fromCodes(system, closure(h.children, [f.value], false));
    if (f.op === '=') return fromCodes(system, [f.value]);
    if (f.op === 'in') return fromCodes(system, f.value.split(',').map((s) => s.trim()));
  }
  throw notSupported(`ValueSet filter '${f.property} ${f.op}' is not supported (only is-a, descendent-of, = and in on concept)`);
}

async function includeSet(src: TerminologySource, inc: ValueSetComposeInclude, seen: Set<string>): Promise<CodeSet> {
  const parts: CodeSet[] = [];
  if (inc.system) {
    if (inc.concept?.length) parts.push(fromCodes(inc.system, inc.concept.map((c) => c.code)));
    else if (inc.filter?.length) {
      const sets = await Promise.all(inc.filter.map((f) => filterSet(src, inc.system as string, f)));
      parts.push(sets.reduce(intersect));
    } else {
      const whole = empty();
      whole.systems.set(inc.system, new Set());
      parts.push(whole);
    }
  }
  for (const ref of inc.valueSet ?? []) parts.push(await expandRef(src, ref, seen));
  return parts.length ? parts.reduce(intersect) : empty();
}

async function expandRef(src: TerminologySource, ref: string, seen: Set<string>): Promise<CodeSet> {
  if (seen.has(ref)) throw badRequest(`ValueSet '${ref}' includes itself`);
  const vs = await src.valueSet(ref);
  if (!vs) throw new FhirError(400, 'not-found', `ValueSet '${ref}' is not stored on this server`);
  const next = new Set(seen).add(ref);
  if (vs.expansion?.contains) return fromContains(vs.expansion.contains);
  let set = empty();
  for (const inc of vs.compose?.include ?? []) set = union(set, await includeSet(src, inc, next));
  for (const exc of vs.compose?.exclude ?? []) set = subtract(set, await includeSet(src, exc, next));
  return set;
}

/** The codings of a stored ValueSet: `expansion.contains` when present, else `compose` (include − exclude). */
export async function expandValueSet(src: TerminologySource, ref: string): Promise<CodeSet> {
  const set = await expandRef(src, ref, new Set());
  if (size(set) > MAX_CODES) throw new FhirError(400, 'too-costly', `ValueSet '${ref}' has more than ${MAX_CODES} codes`);
  return set;
}

/** `:below` (the code and its descendants) or `:above` (the code and its ancestors) in a stored CodeSystem. */
export async function hierarchySet(src: TerminologySource, system: string, code: string, direction: 'above' | 'below'): Promise<CodeSet> {
  const h = hierarchyOf(await stored(src, system, `':${direction}' on ${system}|${code}`));
  return fromCodes(system, closure(direction === 'below' ? h.children : h.parents, [code], true));
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
