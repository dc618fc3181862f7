/**
 * A code set as the flat list `ValueSet.expansion.contains` needs: explicit codes in definition order,
 * whole stored systems enumerated from their index, displays from the definition or the CodeSystem,
 * the text filter applied, and the result capped. Pure (the source reads stored CodeSystems).
 */
import type { ValueSetExpansionContains } from 'fhir/r4';
import { notSupported } from '../core/fhir-error';
import { displayKey, type CodeSet } from './code-set';
import { NOT_A_FULL_SERVER, tooCostly, type TerminologySource } from './terminology';
import type { CodeSystemIndex } from './terminology-index';

export interface ExpansionOptions {
  /** Text filter: every word must start a word of the display, or start the code (case-insensitive). */
  filter?: string;
  /** More matching codes than this → 400 too-costly. */
  max: number;
}

function matcher(filter: string | undefined): (code: string, display: string | undefined) => boolean {
  const words = (filter ?? '').toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return () => true;
  return (code, display) => {
    const hay = `${code} ${display ?? ''}`.toLowerCase().split(/[\s\-/(),.;:]+/);
    return words.every((w) => hay.some((h) => h.startsWith(w)));
  };
}

/** Every coding of the set, filtered; throws too-costly past `max` matches. */
export async function listExpansion(src: TerminologySource, set: CodeSet, opts: ExpansionOptions): Promise<ValueSetExpansionContains[]> {
  const keep = matcher(opts.filter);
  const out: ValueSetExpansionContains[] = [];
  const indexes = new Map<string, CodeSystemIndex | undefined>();
  const indexOf = async (system: string): Promise<CodeSystemIndex | undefined> => {
    if (!indexes.has(system)) indexes.set(system, await src.codeSystem(system));
    return indexes.get(system);
  };
  const push = (system: string, code: string, display: string | undefined, version?: string): void => {
    if (!keep(code, display)) return;
    if (out.length >= opts.max) throw tooCostly('The expansion', opts.max);
    out.push({ system, ...(version ? { version } : {}), code, ...(display !== undefined ? { display } : {}) });
  };
  for (const [system, codes] of set.codes) {
    const idx = await indexOf(system);
    for (const code of codes) push(system, code, set.displays.get(displayKey(system, code)) ?? idx?.concepts.get(code)?.display, idx?.version);
  }
  for (const [system, excluded] of set.systems) {
    const idx = await indexOf(system);
    if (!idx) throw notSupported(`The ValueSet includes all of '${system}', which cannot be enumerated here: ${NOT_A_FULL_SERVER}`);
    const listed = set.codes.get(system);
    for (const c of idx.concepts.values()) if (!excluded.has(c.code) && !listed?.has(c.code)) push(system, c.code, c.display, idx.version);
  }
  return out;
}
