/** Splits a search parameter's FHIRPath expression into the union branches that apply to one resource type. */

/** Top-level `|` branches of an expression (ignoring `|` inside parentheses or string literals). */
export function splitUnion(expression: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < expression.length; i++) {
    const c = expression[i];
    if (c === "'" && expression[i - 1] !== '\\') quoted = !quoted;
    if (quoted) continue;
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) {
      parts.push(expression.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(expression.slice(start).trim());
  return parts.filter((p) => p.length > 0);
}

/** The leading identifier of a branch, skipping opening parentheses: `(Observation.value as X)` → Observation. */
export function leadingIdentifier(branch: string): string {
  const m = /^\(*\s*([A-Za-z_][A-Za-z0-9_]*)/.exec(branch);
  return m ? m[1] : '';
}

/**
 * The branches of `expression` that apply to `resourceType`: those starting with the type or one of
 * its ancestors (lineage), plus relative ones (`name | alias`), which apply to every base.
 * Returns the joined expression, or undefined when nothing applies.
 */
export function expressionForType(
  expression: string,
  resourceType: string,
  lineage: string[],
  isTypeName: (s: string) => boolean,
): string | undefined {
  const own = splitUnion(expression).filter((b) => {
    const head = leadingIdentifier(b);
    if (lineage.includes(head)) return true;
    return !isTypeName(head) && head !== 'Resource' && head !== 'DomainResource';
  });
  return own.length ? own.join(' | ') : undefined;
}
