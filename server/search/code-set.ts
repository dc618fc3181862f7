/**
 * Sets of codings for terminology: explicit codes per system plus whole systems (every code except
 * the listed ones), with the displays the definitions gave. Union, intersection and difference. Pure.
 */

export interface CodeSet {
  codes: Map<string, Set<string>>;
  systems: Map<string, Set<string>>;
  /** Display per `system|code` as a ValueSet or expansion stated it (a hint, not membership). */
  displays: Map<string, string>;
}

export const displayKey = (system: string, code: string): string => `${system}|${code}`;

export const emptyCodeSet = (): CodeSet => ({ codes: new Map(), systems: new Map(), displays: new Map() });
const setOf = <T>(m: Map<string, Set<T>>, k: string): Set<T> => m.get(k) ?? m.set(k, new Set()).get(k) as Set<T>;

export function addCode(s: CodeSet, system: string, code: string, display?: string): void {
  setOf(s.codes, system).add(code);
  if (display !== undefined && !s.displays.has(displayKey(system, code))) s.displays.set(displayKey(system, code), display);
}

export function contains(s: CodeSet, system: string, code: string): boolean {
  const whole = s.systems.get(system);
  return (s.codes.get(system)?.has(code) ?? false) || (whole !== undefined && !whole.has(code));
}

/** Explicit codes only (whole systems are not counted). */
export function size(s: CodeSet): number {
  let n = 0;
  for (const c of s.codes.values()) n += c.size;
  return n;
}

function mergedDisplays(a: CodeSet, b: CodeSet): Map<string, string> {
  return new Map([...b.displays, ...a.displays]);
}

export function union(a: CodeSet, b: CodeSet): CodeSet {
  const out = emptyCodeSet();
  for (const x of [a, b]) for (const [sys, codes] of x.codes) for (const c of codes) setOf(out.codes, sys).add(c);
  for (const [sys, ex] of a.systems) {
    const other = b.systems.get(sys);
    out.systems.set(sys, other ? new Set([...ex].filter((c) => other.has(c))) : new Set(ex));
  }
  for (const [sys, ex] of b.systems) if (!a.systems.has(sys)) out.systems.set(sys, new Set(ex));
  out.displays = mergedDisplays(a, b);
  return out;
}

export function intersect(a: CodeSet, b: CodeSet): CodeSet {
  const out = emptyCodeSet();
  for (const [x, y] of [[a, b], [b, a]]) {
    for (const [sys, codes] of x.codes) for (const c of codes) if (contains(y, sys, c)) setOf(out.codes, sys).add(c);
  }
  for (const [sys, ex] of a.systems) {
    const other = b.systems.get(sys);
    if (other) out.systems.set(sys, new Set([...ex, ...other]));
  }
  out.displays = mergedDisplays(a, b);
  return out;
}

export function subtract(a: CodeSet, b: CodeSet): CodeSet {
  const out = emptyCodeSet();
  for (const [sys, codes] of a.codes) for (const c of codes) if (!contains(b, sys, c)) setOf(out.codes, sys).add(c);
  for (const [sys, ex] of a.systems) {
    const bWhole = b.systems.get(sys);
    if (bWhole) {
      // (all − ex) − (all − bEx) = bEx − ex
      for (const c of bWhole) if (!ex.has(c)) setOf(out.codes, sys).add(c);
    } else out.systems.set(sys, new Set([...ex, ...(b.codes.get(sys) ?? [])]));
  }
  out.displays = a.displays;
  return out;
}

export function fromCodes(system: string, codes: Iterable<string>): CodeSet {
  const s = emptyCodeSet();
  s.codes.set(system, new Set(codes));
  return s;
}
