/**
 * Refuses SearchParameter expressions that cannot be indexed in bounded time per resource, by
 * walking the fhirpath parser's AST (not by pattern-matching text): only functions whose cost is
 * bounded by the size of their input are allowed, and size, depth and nesting are capped.
 */
import * as fhirpath from 'fhirpath';
import { FhirError } from '../core/fhir-error';
import type { AstNode } from './fhirpath-syntax';

export const EXPRESSION_LIMITS = {
  /** Characters; the longest official R4 expression has about 1,400. */
  maxLength: 2000,
  /** Parse-tree nodes; the largest official one has about 570. */
  maxNodes: 1000,
  /** Parse-tree depth; the deepest official one is 42. */
  maxDepth: 64,
  /** Function arguments within function arguments (`where(x.where(y.where(…)))`): each level can
   * re-read the whole resource through %resource, so the work is the resource size to this power. */
  maxArgumentNesting: 3,
} as const;

/**
 * Functions whose work is linear (or, for set operations, polynomial of low degree) in the values
 * they are given. Excluded on purpose: repeat and descendants (unbounded closure), aggregate (an
 * accumulator the client writes), trace (logging), matches/replaceMatches (client regexes),
 * memberOf/conformsTo/defineVariable (terminology, profiles, state) and anything unknown.
 */
const ALLOWED = new Set([
  'where', 'select', 'exists', 'all', 'empty', 'not', 'first', 'last', 'tail', 'skip', 'take', 'single', 'count',
  'distinct', 'isDistinct', 'ofType', 'as', 'is', 'iif', 'resolve', 'extension', 'hasValue', 'getValue', 'children',
  'union', 'combine', 'intersect', 'exclude', 'subsetOf', 'supersetOf', 'allTrue', 'anyTrue', 'allFalse', 'anyFalse',
  'contains', 'startsWith', 'endsWith', 'lower', 'upper', 'substring', 'indexOf', 'length', 'trim', 'replace', 'split',
  'join', 'toChars', 'toString', 'toInteger', 'toDecimal', 'toDate', 'toDateTime', 'toTime', 'toBoolean', 'toQuantity',
  'convertsToString', 'convertsToInteger', 'convertsToDecimal', 'convertsToDate', 'convertsToDateTime', 'convertsToBoolean',
  'convertsToQuantity', 'now', 'today', 'timeOfDay', 'type', 'htmlChecks', 'encode', 'decode', 'abs', 'ceiling', 'floor',
  'round', 'truncate', 'sum', 'min', 'max', 'avg',
]);

interface Walk { nodes: number; depth: number; nesting: number; refused?: string }

function visit(node: AstNode, depth: number, nesting: number, w: Walk): void {
  if (w.refused) return;
  w.nodes++;
  w.depth = Math.max(w.depth, depth);
  w.nesting = Math.max(w.nesting, nesting);
  if (w.nodes > EXPRESSION_LIMITS.maxNodes || depth > EXPRESSION_LIMITS.maxDepth || nesting > EXPRESSION_LIMITS.maxArgumentNesting) return;
  if (node.type === 'Functn') {
    const name = node.children?.[0]?.text ?? '';
    if (!ALLOWED.has(name)) {
      w.refused = `function '${name}()' cannot be indexed in bounded time`;
      return;
    }
  }
  const inner = node.type === 'ParamList' ? nesting + 1 : nesting;
  for (const c of node.children ?? []) visit(c, depth + 1, inner, w);
}

/** Why `expression` cannot be indexed in bounded time, or undefined when it can. Syntax errors are the caller's. */
export function expressionCostProblem(expression: string): string | undefined {
  if (expression.length > EXPRESSION_LIMITS.maxLength) return `it is longer than ${EXPRESSION_LIMITS.maxLength} characters`;
  let ast: AstNode;
  try {
    ast = fhirpath.parse(expression) as AstNode;
  } catch {
    return undefined;
  }
  const w: Walk = { nodes: 0, depth: 0, nesting: 0 };
  visit(ast, 0, 0, w);
  if (w.refused) return w.refused;
  if (w.nodes > EXPRESSION_LIMITS.maxNodes) return `it has more than ${EXPRESSION_LIMITS.maxNodes} parts`;
  if (w.depth > EXPRESSION_LIMITS.maxDepth) return `it nests deeper than ${EXPRESSION_LIMITS.maxDepth} levels`;
  if (w.nesting > EXPRESSION_LIMITS.maxArgumentNesting) return `it nests function arguments more than ${EXPRESSION_LIMITS.maxArgumentNesting} deep`;
  return undefined;
}

/** 422 naming `element` when the expression cannot be indexed in bounded time. */
export function checkExpressionCost(expression: string, element: string): void {
  const problem = expressionCostProblem(expression);
  if (problem) throw new FhirError(422, 'too-costly', `${element} is refused: ${problem}`, [element]);
}
