/** fixed[x] and pattern[x] matching as ElementDefinition defines them (exact equality vs. "contains at least"). */

/** fixed[x]: the value must be exactly equal (order-sensitive arrays, same keys). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const keys = Object.keys(ao);
  return keys.length === Object.keys(bo).length && keys.every((k) => deepEqual(ao[k], bo[k]));
}

/**
 * pattern[x]: every value in the pattern must be present in the instance; for a repeating element,
 * each pattern item must be matched by some instance item.
 */
export function matchesPattern(value: unknown, pattern: unknown): boolean {
  if (Array.isArray(pattern)) {
    const items = Array.isArray(value) ? value : value === undefined ? [] : [value];
    return pattern.every((p) => items.some((v) => matchesPattern(v, p)));
  }
  if (Array.isArray(value)) return value.some((v) => matchesPattern(v, pattern));
  if (pattern !== null && typeof pattern === 'object') {
    if (value === null || typeof value !== 'object') return false;
    const v = value as Record<string, unknown>;
    return Object.entries(pattern as Record<string, unknown>).every(([k, p]) => matchesPattern(v[k], p));
  }
  return value === pattern;
}

/** The `fixedX` / `patternX` property of an ElementDefinition, if any. */
export function fixedOrPattern(el: Record<string, unknown>): { kind: 'fixed' | 'pattern'; key: string; value: unknown } | undefined {
  for (const [key, value] of Object.entries(el)) {
    if (key.startsWith('fixed') && key.length > 5) return { kind: 'fixed', key, value };
    if (key.startsWith('pattern') && key.length > 7) return { kind: 'pattern', key, value };
  }
  return undefined;
}

/** Does `value` satisfy a fixed or pattern constraint? */
export function satisfies(value: unknown, rule: { kind: 'fixed' | 'pattern'; value: unknown }): boolean {
  return rule.kind === 'fixed' ? deepEqual(value, rule.value) : matchesPattern(value, rule.value);
}
