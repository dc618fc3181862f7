/** Picks the union branches of a search parameter's FHIRPath expression that apply to one resource type. */

/** The leading identifier of a branch, skipping opening parentheses: `(Observation.value as X)` → Observation. */
export function leadingIdentifier(branch: string): string {
  const m = /^\(*\s*([A-Za-z_][A-Za-z0-9_]*)/.exec(branch);
  return m ? m[1] : '';
}

/**
 * The union branches (fhirpath-syntax.ts `unionBranches`) that apply to `resourceType`: those
 * starting with the type or one of its ancestors (lineage), plus relative ones (`name | alias`),
 * which apply to every base. Returns the joined expression, or undefined when nothing applies.
 */
export function expressionForType(
  branches: readonly string[],
  resourceType: string,
  lineage: string[],
  isTypeName: (s: string) => boolean,
): string | undefined {
  const own = branches.filter((b) => {
    const head = leadingIdentifier(b);
    if (lineage.includes(head)) return true;
    return !isTypeName(head) && head !== 'Resource' && head !== 'DomainResource';
  });
  return own.length ? own.join(' | ') : undefined;
}
