/**
 * Composite search parameters (FHIR search §3.1.1.5.11): their components resolved for a resource
 * type, and the compiled plan that extracts grouped index rows, one group per element, so that the
 * components of one element (one Observation.component) match together.
 */
import type { SearchParamDefinition, SearchParamType } from './types';
import type { R4Model } from '../core/r4/element-model';
import { compileExpression, compileRelative, type PathEvaluator, type RelativeEvaluator, type TypedNode } from './path-compiler';
import { unionBranches } from './fhirpath-syntax';

export interface ResolvedComponent {
  /** Search type of the component, from its definition. */
  type: SearchParamType;
  /** Expression relative to the composite's element. */
  expression: string;
  /** The component definition's own parameter code when it applies to the type. */
  code?: string;
}

/**
 * 'resource': evaluated on the resource itself (Observation code-value-*): the components' own
 * index rows are matched together, no extra rows. 'grouped': evaluated on sub-elements (or a union
 * with them): rows `code$i` with a group number per element.
 */
export type CompositeStrategy = 'resource' | 'grouped';

export interface CompositeShape { strategy: CompositeStrategy; components: ResolvedComponent[] }

/** True when a definition's expression ends with `.expr` (or is `expr`) on one of its branches. */
function pathEndsWith(def: SearchParamDefinition | undefined, expr: string): boolean {
  if (!def?.expression) return false;
  const e = expr.trim();
  return unionBranches(def.expression).some((b) => b === e || b.endsWith(`.${e}`));
}

/**
 * The components of `def` for a type, or null when one of them is unknown. R4 has one composite
 * whose component definitions are swapped (DocumentReference `relationship`: code → relatesto,
 * target → relation); a component takes the definition whose path ends with its own expression.
 */
export function resolveComposite(
  def: SearchParamDefinition,
  resourceType: string,
  byUrl: (url: string) => SearchParamDefinition | undefined,
): CompositeShape | null {
  const list = def.component ?? [];
  if (list.length === 0 || !def.expression) return null;
  const defs = list.map((c) => byUrl(c.definition));
  const components: ResolvedComponent[] = [];
  for (const [i, c] of list.entries()) {
    const own = defs[i];
    const chosen = pathEndsWith(own, c.expression) ? own : (defs.find((d) => pathEndsWith(d, c.expression)) ?? own);
    if (!chosen || chosen.type === 'composite' || chosen.type === 'special') return null;
    components.push({ type: chosen.type, expression: c.expression, ...(chosen === own ? { code: own.code } : {}) });
  }
  const onResource = def.expression.trim() === resourceType && components.every((c) => c.code !== undefined);
  return { strategy: onResource ? 'resource' : 'grouped', components };
}

/** Name of the grouped index rows of component `i`. */
export const componentParam = (code: string, i: number): string => `${code}$${i}`;

export interface CompositePlan {
  code: string;
  components: ResolvedComponent[];
  /** The elements the composite is evaluated on. */
  elements: PathEvaluator;
  /** Component evaluators for an element type (compiled once per type). */
  evaluatorsFor(elementType: string): RelativeEvaluator[];
}

/** Extraction plan for a grouped composite on one resource type. */
export function compositePlan(def: SearchParamDefinition, shape: CompositeShape, resourceType: string, model: R4Model): CompositePlan {
  const byType = new Map<string, RelativeEvaluator[]>();
  return {
    code: def.code,
    components: shape.components,
    elements: compileExpression(def.expression ?? resourceType, resourceType, model),
    evaluatorsFor(elementType) {
      let list = byType.get(elementType);
      if (!list) {
        list = shape.components.map((c) => compileRelative(c.expression, elementType, model));
        byType.set(elementType, list);
      }
      return list;
    },
  };
}

/** The component values of each element of `resource`, for elements where every component has one. */
export function compositeGroups(plan: CompositePlan, resource: Record<string, unknown>): TypedNode[][][] {
  const out: TypedNode[][][] = [];
  for (const element of plan.elements(resource)) {
    const values = plan.evaluatorsFor(element.type).map((e) => e(element, resource));
    if (values.every((v) => v.length > 0)) out.push(values);
  }
  return out;
}
