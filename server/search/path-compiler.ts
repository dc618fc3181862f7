/**
 * Compiles a search expression branch into a JSON walker. Plain element paths (with `as(T)`,
 * `where(resolve() is T)` and `where(x='v')`) are walked directly with pre-resolved types — the
 * write hot path; anything else falls back to the fhirpath engine, compiled once.
 */
import * as fhirpath from 'fhirpath';
import { type ElementKey, type R4Model, fhirTypeName } from '../core/r4/element-model';
import { pathSteps, unionBranches } from './fhirpath-syntax';
import { referenceTypeOf } from './reference-parts';

/** A value found by an expression, with its FHIR type (e.g. 'CodeableConcept', 'dateTime'). */
export interface TypedNode { value: unknown; type: string }

export type PathEvaluator = (resource: Record<string, unknown>) => TypedNode[];

type Step =
  | { kind: 'child'; keysByType: Map<string, ElementKey[]> }
  | { kind: 'as'; type: string }
  | { kind: 'whereRef'; type: string }
  | { kind: 'whereEq'; field: string; value: string };

/** `(X.y as T).z` → `X.y.as(T).z`, so one step grammar covers both spellings. */
function rewriteAs(branch: string): string {
  const m = /^\(([A-Za-z][A-Za-z0-9.]*) as ([A-Za-z]+)\)(.*)$/.exec(branch.trim());
  return m ? `${m[1]}.as(${m[2]})${m[3]}` : branch.trim();
}

function parseStep(seg: string): Step | string | null {
  if (/^[a-z][A-Za-z0-9]*$/.test(seg)) return seg;
  let m = /^(?:as|ofType)\(([A-Za-z]+)\)$/.exec(seg);
  if (m) return { kind: 'as', type: m[1] };
  m = /^where\(resolve\(\) is ([A-Za-z]+)\)$/.exec(seg);
  if (m) return { kind: 'whereRef', type: m[1] };
  m = /^where\(([a-z][A-Za-z0-9]*) ?= ?'([^'\\]*)'\)$/.exec(seg);
  if (m) return { kind: 'whereEq', field: m[1], value: m[2] };
  return null;
}

/** Compiles one branch to steps, or null when it needs the full fhirpath engine. */
function compileSteps(branch: string, resourceType: string, model: R4Model): Step[] | null {
  const segs = pathSteps(rewriteAs(branch));
  if (!segs || segs.length === 0) return null;
  const lineage = model.lineage(resourceType);
  const steps: Step[] = [];
  let types = [resourceType];
  // Relative branches (`name | alias`) start at the resource itself.
  const rest = lineage.includes(segs[0]) ? segs.slice(1) : segs;
  for (const seg of rest) {
    const parsed = parseStep(seg);
    if (parsed === null) return null;
    if (typeof parsed !== 'string') {
      if (parsed.kind === 'as') types = types.filter((t) => t.toLowerCase() === parsed.type.toLowerCase());
      steps.push(parsed);
      continue;
    }
    const keysByType = new Map<string, ElementKey[]>();
    for (const t of types) {
      const keys = model.element(t, parsed);
      if (keys) keysByType.set(t, keys);
    }
    if (keysByType.size === 0) return null;
    steps.push({ kind: 'child', keysByType });
    types = [...new Set([...keysByType.values()].flat().map((k) => k.type))];
  }
  return steps;
}

function applyStep(step: Step, nodes: TypedNode[]): TypedNode[] {
  const out: TypedNode[] = [];
  for (const n of nodes) {
    if (step.kind === 'child') {
      const keys = step.keysByType.get(n.type);
      if (!keys || n.value === null || typeof n.value !== 'object') continue;
      const obj = n.value as Record<string, unknown>;
      for (const k of keys) {
        const v = obj[k.key];
        if (v === undefined || v === null) continue;
        if (Array.isArray(v)) {
          for (const item of v) if (item !== null && item !== undefined) out.push({ value: item, type: k.type });
        } else out.push({ value: v, type: k.type });
      }
    } else if (step.kind === 'as') {
      if (n.type.toLowerCase() === step.type.toLowerCase()) out.push(n);
    } else if (step.kind === 'whereRef') {
      if (n.type === 'Reference' && referenceTypeOf(n.value) === step.type) out.push(n);
    } else if (n.value && typeof n.value === 'object' && (n.value as Record<string, unknown>)[step.field] === step.value) {
      out.push(n);
    }
  }
  return out;
}

function runSteps(steps: Step[], start: TypedNode[]): TypedNode[] {
  let nodes = start;
  for (const s of steps) {
    nodes = applyStep(s, nodes);
    if (nodes.length === 0) break;
  }
  return nodes;
}

function fastEvaluator(steps: Step[], resourceType: string): PathEvaluator {
  return (resource) => runSteps(steps, [{ value: resource, type: resourceType }]);
}

interface FhirpathNode { data?: unknown }

function typedNodes(raw: unknown[]): TypedNode[] {
  const types = fhirpath.types(raw);
  return raw.map((item, i) => {
    const data: unknown = item && typeof item === 'object' && 'data' in item ? (item as FhirpathNode).data : fhirpath.resolveInternalTypes(item);
    return { value: data, type: fhirTypeName(types[i] ?? '') };
  });
}

/** Full fhirpath evaluation, typed through fhirpath.types(); compiled once per expression. */
export function fhirpathEvaluator(expression: string, model: R4Model): PathEvaluator {
  const fn = fhirpath.compile(expression, model.fhirpath, { resolveInternalTypes: false });
  return (resource) => typedNodes(fn(resource) as unknown[]);
}

/** An expression evaluated on an element of a resource (composite components); `%resource` is the root. */
export type RelativeEvaluator = (element: TypedNode, root: Record<string, unknown>) => TypedNode[];

/**
 * Compiles an expression relative to an element of type `contextType` (a datatype such as
 * UsageContext, or a backbone path such as Observation.component): fast paths where possible,
 * otherwise fhirpath with the element's path as base.
 */
export function compileRelative(expression: string, contextType: string, model: R4Model): RelativeEvaluator {
  const branches = unionBranches(expression).map((b) => compileSteps(b, contextType, model));
  const fast = branches.filter((b): b is Step[] => b !== null);
  if (fast.length === branches.length) return (element) => fast.flatMap((steps) => runSteps(steps, [element]));
  const fn = fhirpath.compile({ base: contextType, expression }, model.fhirpath, { resolveInternalTypes: false });
  return (element, root) => typedNodes(fn(element.value, { resource: root, rootResource: root }) as unknown[]);
}

/** `X.exists() and X != false` (Patient.deceased): true when X is present and not the boolean false. */
function existsNotFalse(expression: string, resourceType: string, model: R4Model): PathEvaluator | null {
  const m = /^(\S+)\.exists\(\) and (\S+) != false$/.exec(expression.trim());
  const steps = m && m[1] === m[2] ? compileSteps(m[1], resourceType, model) : null;
  if (!steps) return null;
  const inner = fastEvaluator(steps, resourceType);
  return (resource) => {
    const nodes = inner(resource);
    return [{ value: nodes.length > 0 && !nodes.every((n) => n.value === false), type: 'boolean' }];
  };
}

/** Evaluator for a (type-specific) expression: a union of fast branches, or fhirpath if any branch needs it. */
export function compileExpression(expression: string, resourceType: string, model: R4Model): PathEvaluator {
  const special = existsNotFalse(expression, resourceType, model);
  if (special) return special;
  const branches = unionBranches(expression).map((b) => compileSteps(b, resourceType, model));
  if (branches.some((b) => b === null)) return fhirpathEvaluator(expression, model);
  const evaluators = (branches as Step[][]).map((s) => fastEvaluator(s, resourceType));
  if (evaluators.length === 1) return evaluators[0];
  return (resource) => evaluators.flatMap((e) => e(resource));
}
