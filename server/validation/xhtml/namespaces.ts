/**
 * Namespace resolution for the narrative parser. saxes' own `xmlns: true` mode chains one prototype
 * per open element, so lookups cost O(depth) and deep nesting becomes quadratic; here each prefix
 * has its own stack, so every lookup and every close is O(1).
 */

export interface ResolvedName {
  prefix: string;
  local: string;
  /** '' when the prefix is unbound (reported by the caller). */
  uri: string;
}

export class NamespaceStack {
  private readonly bindings = new Map<string, string[]>([['xml', ['http://www.w3.org/XML/1998/namespace']]]);
  /** Per open element: the prefixes it declared ('' = default namespace), to undo on close. */
  private readonly declared: string[][] = [];

  /** Enters an element with these attributes; returns its resolved name. */
  open(qname: string, attributes: Record<string, string>): ResolvedName {
    const mine: string[] = [];
    for (const [name, value] of Object.entries(attributes)) {
      const prefix = name === 'xmlns' ? '' : name.startsWith('xmlns:') ? name.slice(6) : undefined;
      if (prefix === undefined) continue;
      let stack = this.bindings.get(prefix);
      if (!stack) this.bindings.set(prefix, (stack = []));
      stack.push(value);
      mine.push(prefix);
    }
    this.declared.push(mine);
    return this.resolve(qname, true);
  }

  close(): void {
    for (const prefix of this.declared.pop() ?? []) this.bindings.get(prefix)?.pop();
  }

  /** Resolves an element (default namespace applies) or attribute (no default namespace) name. */
  resolve(qname: string, isElement: boolean): ResolvedName {
    const colon = qname.indexOf(':');
    const prefix = colon < 0 ? '' : qname.slice(0, colon);
    const local = colon < 0 ? qname : qname.slice(colon + 1);
    if (!prefix && !isElement) return { prefix, local, uri: '' };
    const stack = this.bindings.get(prefix);
    return { prefix, local, uri: stack && stack.length ? stack[stack.length - 1] : '' };
  }
}
