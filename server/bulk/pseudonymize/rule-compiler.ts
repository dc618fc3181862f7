/**
 * Compiles a profile's ordered rules once: plain element paths become tries the walker follows key by
 * key (no FHIRPath evaluation per resource); other expressions are compiled with fhirpath and their
 * matches located by identity. Every path is checked against the R4 model, so a typo is a clear 400
 * when the profile is loaded rather than a rule that silently matches nothing.
 */
import * as fhirpath from 'fhirpath';
import { badRequest } from '../../core/fhir-error';
import type { R4Model } from '../../core/r4/element-model';
import type { LeafAction, PseudonymizationProfile } from './profile-schema';
import { type SimplePath, parseSimplePath } from './rule-paths';

export interface Condition { field: string; value: string }

/** A position in one or more rule paths; `rule` is the lowest rule index ending here (Infinity if none). */
export interface TrieNode {
  rule: number;
  children: Map<string, TrieNode>;
  /** Nodes reached when the element also satisfies a where(field='value') condition. */
  guarded: { when: Condition[]; node: TrieNode }[];
}

/** A FHIRPath rule; evaluated on resources of `resourceType` (any resource when undefined). */
export interface ExpressionRule {
  index: number;
  resourceType?: string;
  evaluate: (resource: object) => unknown[];
}

export interface CompiledRules {
  /** Roots per resource type; `Resource` holds the rules for every resource. */
  resourceRoots: Map<string, TrieNode>;
  /** Roots per datatype or primitive type (HumanName, Address, date). */
  typeRoots: Map<string, TrieNode>;
  expressionRules: ExpressionRule[];
  /** Rule actions by rule index. */
  actions: LeafAction[];
  typeDefaults: Map<string, LeafAction>;
}

/** FHIR primitive types: valid as type roots, without children to step into. */
export const PRIMITIVE_TYPES = new Set([
  'base64Binary', 'boolean', 'canonical', 'code', 'date', 'dateTime', 'decimal', 'id', 'instant', 'integer', 'markdown',
  'oid', 'positiveInt', 'string', 'time', 'unsignedInt', 'uri', 'url', 'uuid', 'xhtml',
]);
const ANY_RESOURCE = new Set(['Resource', 'DomainResource']);

export const newTrieNode = (): TrieNode => ({ rule: Infinity, children: new Map(), guarded: [] });

function child(node: TrieNode, key: string): TrieNode {
  let next = node.children.get(key);
  if (!next) node.children.set(key, (next = newTrieNode()));
  return next;
}

function guard(node: TrieNode, when: Condition[]): TrieNode {
  if (when.length === 0) return node;
  const next = newTrieNode();
  node.guarded.push({ when, node: next });
  return next;
}

/** The model paths `name` (JSON key or choice base) reaches from each of `paths`; throws when none. */
function stepModel(model: R4Model, paths: string[], name: string, rulePath: string): string[] {
  const out: string[] = [];
  for (const p of paths) {
    for (const [key, info] of model.childrenOf(p) ?? []) {
      if (key.charCodeAt(0) !== 95 && (key === name || info.name === name)) out.push(info.kind === 'resource' ? 'Resource' : info.childPath);
    }
  }
  if (out.length === 0) throw badRequest(`Rule path '${rulePath}': '${name}' is not an element of ${paths.join(' or ')}`, [rulePath]);
  return out;
}

function rootKind(model: R4Model, root: string): 'resource' | 'type' | undefined {
  if (model.isResourceType(root) || ANY_RESOURCE.has(root)) return 'resource';
  if (PRIMITIVE_TYPES.has(root) || model.hasChildren(root)) return 'type';
  return undefined;
}

function addSimple(rules: CompiledRules, model: R4Model, path: SimplePath, index: number, rulePath: string): void {
  const kind = rootKind(model, path.root);
  if (!kind) throw badRequest(`Rule path '${rulePath}': '${path.root}' is not an R4 resource or data type`, [rulePath]);
  const roots = kind === 'resource' ? rules.resourceRoots : rules.typeRoots;
  const rootName = ANY_RESOURCE.has(path.root) ? 'Resource' : path.root;
  let node = roots.get(rootName);
  if (!node) roots.set(rootName, (node = newTrieNode()));
  node = guard(node, path.rootWhere);
  let modelPaths = [path.root];
  for (const step of path.steps) {
    modelPaths = stepModel(model, modelPaths, step.name, rulePath);
    node = guard(child(node, step.name), step.where);
  }
  node.rule = Math.min(node.rule, index);
}

/** fhirpath throws Errors and, for some functions, bare strings ('toInteger: The input collection contains multiple items'). */
function reasonOf(err: unknown, fallback: string): string {
  const text = typeof err === 'string' ? err : err instanceof Error && typeof err.message === 'string' ? err.message : fallback;
  return text.split('\n')[0].slice(0, 200);
}

function addExpression(rules: CompiledRules, model: R4Model, expression: string, index: number): void {
  let compiled: (resource: object) => unknown;
  try {
    compiled = fhirpath.compile(expression, model.fhirpath, { resolveInternalTypes: false });
  } catch (err) {
    throw badRequest(`Rule path '${expression}' is not a valid FHIRPath expression: ${reasonOf(err, 'syntax error')}`, [expression]);
  }
  const head = /^([A-Z][A-Za-z0-9]*)\b/.exec(expression.trim())?.[1];
  const resourceType = head && model.isResourceType(head) ? head : undefined;
  // A well-formed expression can still fail when evaluated ('0&0': & wants strings; 'name.given + 1'). The rule
  // cannot then say what to pseudonymise, so the resource fails as the profile's fault (a 400 naming the rule),
  // never with the rule skipped. Found by the profile property: '0&0' passed the load and threw a plain Error.
  const evaluate = (resource: object): unknown[] => {
    try {
      return compiled(resource) as unknown[];
    } catch (err) {
      throw badRequest(`Rule path '${expression}' cannot be evaluated: ${reasonOf(err, 'evaluation error')}`, [expression]);
    }
  };
  // one that fails whatever the data (a type error between literals) is refused when the profile is loaded
  evaluate({ resourceType: resourceType ?? 'Patient' });
  rules.expressionRules.push({ index, ...(resourceType ? { resourceType } : {}), evaluate });
}

export function compileRules(profile: PseudonymizationProfile, model: R4Model): CompiledRules {
  const rules: CompiledRules = { resourceRoots: new Map(), typeRoots: new Map(), expressionRules: [], actions: [], typeDefaults: new Map() };
  profile.rules.forEach(({ path, ...action }, index) => {
    rules.actions.push(action);
    const simple = parseSimplePath(path);
    if (simple) addSimple(rules, model, simple, index, path);
    else addExpression(rules, model, path, index);
  });
  for (const { type, ...action } of profile.typeDefaults) {
    if (rootKind(model, type) !== 'type') throw badRequest(`Type default '${type}' is not an R4 data type`, [type]);
    if (!rules.typeDefaults.has(type)) rules.typeDefaults.set(type, action);
  }
  for (const t of profile.dropResourceTypes) {
    if (!model.isResourceType(t)) throw badRequest(`dropResourceTypes: '${t}' is not an R4 resource type`, [t]);
  }
  return rules;
}
