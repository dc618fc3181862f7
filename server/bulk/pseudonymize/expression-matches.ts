/**
 * Locates the elements a FHIRPath rule selects, so the walker can recognise them as it passes: objects
 * by identity, primitives by (parent object, property name). Evaluated once per resource, and only for
 * the (rare) rules that are not plain element paths.
 */
import type { ExpressionRule } from './rule-compiler';

export interface ExpressionMatches {
  /** Complex elements → lowest index of a rule selecting them. */
  objects: Map<object, number>;
  /** Parent object → property name → lowest rule index (primitives have no identity of their own). */
  fields: Map<object, Map<string, number>>;
}

interface FhirpathNode { data?: unknown; parentResNode?: FhirpathNode | null; propName?: string | null }

function lower<K>(m: Map<K, number>, key: K, index: number): void {
  const prev = m.get(key);
  if (prev === undefined || index < prev) m.set(key, index);
}

function record(out: ExpressionMatches, node: FhirpathNode, index: number): void {
  const data = node.data;
  if (data !== null && typeof data === 'object' && !Array.isArray(data)) {
    lower<object>(out.objects, data, index);
    return;
  }
  const parent = node.parentResNode?.data;
  if (!node.propName || parent === null || typeof parent !== 'object') return;
  let byName = out.fields.get(parent);
  if (!byName) out.fields.set(parent, (byName = new Map<string, number>()));
  lower(byName, node.propName, index);
}

/** Matches of the expression rules that apply to `resource`; undefined when none apply. */
export function matchExpressions(rules: readonly ExpressionRule[], resource: { resourceType: string }): ExpressionMatches | undefined {
  let out: ExpressionMatches | undefined;
  for (const rule of rules) {
    if (rule.resourceType !== undefined && rule.resourceType !== resource.resourceType) continue;
    out ??= { objects: new Map(), fields: new Map() };
    for (const item of rule.evaluate(resource)) {
      if (item !== null && typeof item === 'object' && 'data' in item) record(out, item, rule.index);
    }
  }
  return out;
}
