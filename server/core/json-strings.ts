/**
 * Strings checked at the edge (https://hl7.org/fhir/R4/datatypes.html#string): FHIR strings may hold
 * only characters ≥ U+0020 plus tab, CR and LF, and JSON text must be valid Unicode (no lone UTF-16
 * surrogates, which `"\ud800"` in JSON produces and PostgreSQL then refuses). One iterative pass.
 */

/** C0 controls other than \t \n \r, and DEL is allowed by R4; U+FFFE/U+FFFF are not characters. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export interface BadString {
  /** FHIRPath-like location (`Patient.name[0].family`), or the key itself when a key is bad. */
  expression: string;
  problem: string;
}

/** Why `s` is not an acceptable FHIR string, or undefined. */
export function stringProblem(s: string): string | undefined {
  const c = FORBIDDEN.exec(s);
  if (c) return `contains the control character U+${c[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')} at offset ${c.index} (FHIR strings allow only tab, CR, LF and characters from U+0020)`;
  const sur = LONE_SURROGATE.exec(s);
  if (sur) return `contains an unpaired UTF-16 surrogate (U+${sur[0].charCodeAt(0).toString(16).toUpperCase()}) at offset ${sur.index}: not valid Unicode`;
  return undefined;
}

/** The first bad string or key in a parsed JSON body, with its location. */
export function findBadString(root: unknown): BadString | undefined {
  const rt = root && typeof root === 'object' && !Array.isArray(root) ? (root as { resourceType?: unknown }).resourceType : undefined;
  const stack: [unknown, string][] = [[root, typeof rt === 'string' && !stringProblem(rt) ? rt : '$']];
  while (stack.length) {
    const [node, path] = stack.pop() as [unknown, string];
    if (typeof node === 'string') {
      const problem = stringProblem(node);
      if (problem) return { expression: path, problem };
    } else if (Array.isArray(node)) {
      for (let i = node.length - 1; i >= 0; i--) stack.push([node[i], `${path}[${i}]`]);
    } else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        const keyProblem = stringProblem(key);
        if (keyProblem) return { expression: `${path}.${JSON.stringify(key).slice(0, 40)}`, problem: `element name ${keyProblem}` };
        stack.push([value, `${path}.${key}`]);
      }
    }
  }
  return undefined;
}
