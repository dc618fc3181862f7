/**
 * Splits FHIRPath expressions with the fhirpath package's own parser (its ANTLR grammar), so quotes,
 * escapes, parentheses and operator precedence are read exactly as the evaluator reads them.
 */
import * as fhirpath from 'fhirpath';

/** A node of fhirpath's parse tree; terminals carry their text and 1-based line/column. */
export interface AstNode {
  type: string;
  text?: string;
  start?: { line: number; column: number };
  children?: AstNode[];
}

/** Character offset of a 1-based line/column position in `source`. */
function offsetOf(source: string, pos: { line: number; column: number }): number {
  let offset = 0;
  for (let line = 1; line < pos.line; line++) offset = source.indexOf('\n', offset) + 1;
  return offset + pos.column - 1;
}

/** The expression below the parser's EntireExpression wrappers. */
function rootOf(expression: string): AstNode {
  let node = fhirpath.parse(expression) as AstNode;
  while (node.type === 'EntireExpression' && node.children?.length === 1) node = node.children[0];
  return node;
}

/** Offsets of the `|` operators that join the top-level union (none inside parentheses or function arguments). */
function unionOperators(node: AstNode, source: string, out: number[]): number[] {
  if (node.type !== 'UnionExpression' || !node.start || node.children?.length !== 2) return out;
  unionOperators(node.children[0], source, out);
  out.push(offsetOf(source, node.start));
  unionOperators(node.children[1], source, out);
  return out;
}

/** `source` cut at each one-character operator in `offsets`, the operators left out. */
function cut(source: string, offsets: number[]): string[] {
  const parts: string[] = [];
  let from = 0;
  for (const at of offsets) {
    parts.push(source.slice(from, at));
    from = at + 1;
  }
  parts.push(source.slice(from));
  return parts.map((p) => p.trim());
}

/**
 * Top-level `|` branches of an expression: `A.b | (C.d | C.e).f` → [`A.b`, `(C.d | C.e).f`].
 * Throws the parser's error on invalid FHIRPath (callers hold expressions that compiled).
 */
export function unionBranches(expression: string): string[] {
  // without a '|' there is no union to find (most definitions): no need to start the parser
  if (!expression.includes('|')) return expression.trim() ? [expression.trim()] : [];
  return cut(expression, unionOperators(rootOf(expression), expression, [])).filter((b) => b.length > 0);
}

/** Names joined by dots, nothing else. */
const PLAIN_PATH = /^\s*[A-Za-z_][A-Za-z0-9_]*(\s*\.\s*[A-Za-z_][A-Za-z0-9_]*)*\s*$/;

/** Where the invocations of a plain path start (`A`, `b`, `where(...)`), or null when it is not a plain `.` chain. */
function invocationStarts(node: AstNode, source: string, out: number[]): number[] | null {
  if (node.type === 'InvocationExpression' && node.children?.length === 2) {
    const [target, invocation] = node.children;
    if (!invocationStarts(target, source, out) || !invocation.start) return null;
    out.push(offsetOf(source, invocation.start));
    return out;
  }
  const term = node.type === 'TermExpression' ? node.children?.[0] : undefined;
  const first = term?.type === 'InvocationTerm' ? term.children?.[0] : undefined;
  if (!first?.start || (first.type !== 'MemberInvocation' && first.type !== 'FunctionInvocation')) return null;
  out.push(offsetOf(source, first.start));
  return out;
}

/**
 * The steps of a plain path, split on its `.` operators: `A.b.where(c='x.y').d` → [`A`, `b`,
 * `where(c='x.y')`, `d`]. Null when the expression is not a chain of member and function
 * invocations (operators, indexers, literals, parentheses) or does not parse.
 */
export function pathSteps(expression: string): string[] | null {
  // identifiers joined by dots (most branches) mean one thing only: no need to start the parser
  if (PLAIN_PATH.test(expression)) return expression.split('.').map((s) => s.trim());
  let starts: number[] | null;
  try {
    starts = invocationStarts(rootOf(expression), expression, []);
  } catch {
    return null;
  }
  if (!starts) return null;
  const ends = [...starts.slice(1), expression.length];
  return starts.map((from, i) => expression.slice(from, ends[i]).trim().replace(/\s*\.$/, '').trim());
}
