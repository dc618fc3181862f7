/** Content comparison of resources as stored: jsonb reorders keys, so compare a key-sorted serialization. */

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** True when `a` and `b` are equal apart from the top-level keys in `ignore` (e.g. meta, date). */
export function sameContent(a: object, b: object, ignore: readonly string[]): boolean {
  const strip = (o: object): Record<string, unknown> => {
    const copy: Record<string, unknown> = { ...(o as Record<string, unknown>) };
    for (const k of ignore) delete copy[k];
    return copy;
  };
  return canonical(strip(a)) === canonical(strip(b));
}
