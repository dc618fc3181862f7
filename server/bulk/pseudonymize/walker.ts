/**
 * The de-identification walk: one pass over a resource's JSON, typed by the R4 model, following the
 * compiled rule tries key by key. Each primitive leaf takes the first rule (lowest index) matching it
 * or an ancestor, else the outermost type default on its way, else the profile's default action.
 * The output is a new object; elements left empty (an Extension with only its url, a Narrative without
 * div) are removed, a Reference left with nothing to point at carries data-absent-reason `masked`
 * instead (it may be required), and elements the model does not know are never passed through.
 */
import type { ChildInfo, R4Model } from '../../core/r4/element-model';
import { type ExpressionMatches, matchExpressions } from './expression-matches';
import type { Primitive } from './leaf-actions';
import type { LeafAction } from './profile-schema';
import type { ReferenceRewriter } from './references';
import type { CompiledRules, TrieNode } from './rule-compiler';

type Json = Record<string, unknown>;

export interface WalkEnv {
  model: R4Model;
  rules: CompiledRules;
  references: ReferenceRewriter;
  applyLeaf(a: LeafAction, value: Primitive, type: string, offsetDays: number): Primitive | undefined;
  defaultAction: LeafAction;
  dropTypes: ReadonlySet<string>;
  /** The date offset of a top-level resource (its patient's, else its own). */
  offsetOf(resource: Json & { resourceType: string }): number;
}

/** Per resource: its date offset and where its FHIRPath rules matched. */
interface Scope { offsetDays: number; matches?: ExpressionMatches; resourceType: string; topLevel: boolean }

/** Where the walk stands in the rule tries. */
interface Position { states: readonly TrieNode[]; rule: number; fallback?: LeafAction; depth: number }

/** Deeper than any real resource (stored ones passed MAX_JSON_DEPTH): what lies below is dropped, the stack stays bounded. */
const MAX_DEPTH = 100;

const NONE: readonly TrieNode[] = [];
/** FHIR's data-absent-reason `masked`: what stands where a required element was removed for privacy. */
const MASKED = { url: 'http://hl7.org/fhir/StructureDefinition/data-absent-reason', valueCode: 'masked' } as const;

function holds(element: unknown, when: { field: string; value: string }[]): boolean {
  return element !== null && typeof element === 'object' && when.every((c) => (element as Json)[c.field] === c.value);
}

function advance(env: WalkEnv, pos: Position, key: string, info: ChildInfo, element: unknown, parent: Json, scope: Scope): Position {
  let states: TrieNode[] | undefined;
  let rule = pos.rule;
  const enter = (n: TrieNode): void => {
    (states ??= []).push(n);
    if (n.rule < rule) rule = n.rule;
    for (const g of n.guarded) if (holds(element, g.when)) enter(g.node);
  };
  for (const s of pos.states) {
    const next = s.children.get(key) ?? (info.name !== key ? s.children.get(info.name) : undefined);
    if (next) enter(next);
  }
  const typeRoot = env.rules.typeRoots.get(info.type);
  if (typeRoot) enter(typeRoot);
  const m = scope.matches;
  if (m) {
    const hit = element !== null && typeof element === 'object' ? m.objects.get(element) : m.fields.get(parent)?.get(key) ?? m.fields.get(parent)?.get(info.name);
    if (hit !== undefined && hit < rule) rule = hit;
  }
  return { states: states ?? NONE, rule, fallback: pos.fallback ?? env.rules.typeDefaults.get(info.type), depth: pos.depth + 1 };
}

const actionAt = (env: WalkEnv, pos: Position): LeafAction => (pos.rule !== Infinity ? env.rules.actions[pos.rule] : pos.fallback ?? env.defaultAction);

function leaf(env: WalkEnv, value: Primitive, key: string, info: ChildInfo, modelPath: string, pos: Position, scope: Scope, atRoot: boolean): Primitive | undefined {
  if (atRoot && key === 'id') {
    if (typeof value !== 'string') return undefined; // not an id: never passed through unhashed
    return scope.topLevel ? env.references.id(scope.resourceType, value) : value;
  }
  const action = actionAt(env, pos);
  if (modelPath === 'Reference' && key === 'reference') return action.action === 'redact' || typeof value !== 'string' ? undefined : env.references.reference(value);
  if (modelPath === 'Bundle.entry' && key === 'fullUrl') return action.action === 'redact' || typeof value !== 'string' ? undefined : env.references.fullUrl(value);
  return env.applyLeaf(action, value, info.type, scope.offsetDays);
}

/** Drops what an element cannot be without (FHIR's ext-1, ref-1, Narrative.div). */
function complete(out: Json, modelPath: string): Json | undefined {
  // a Reference whose target was masked stays, saying so: it may be required (Claim.insurance.coverage)
  if (modelPath === 'Reference' && out.reference === undefined && out.identifier === undefined && out.display === undefined) {
    return { ...(out.type !== undefined ? { type: out.type } : {}), extension: [{ ...MASKED }] };
  }
  const keys = Object.keys(out);
  if (keys.length === 0) return undefined;
  if (modelPath === 'Extension' && !keys.some((k) => k !== 'url' && k !== 'id')) return undefined;
  if (modelPath === 'Narrative' && out.div === undefined) return undefined;
  return out;
}

function item(env: WalkEnv, value: unknown, key: string, info: ChildInfo, parent: Json, modelPath: string, pos: Position, scope: Scope, atRoot: boolean): unknown {
  if (value === null || value === undefined) return undefined;
  if (info.kind === 'resource') return walkResource(env, value, key === 'contained' ? scope : undefined, pos.depth);
  if (typeof value === 'object') {
    if (Array.isArray(value)) return undefined;
    const next = advance(env, pos, key, info, value, parent, scope);
    // `_x` (a primitive's id/extensions) is walked as an Element under the rules of `x`
    return walkComplex(env, value as Json, key.charCodeAt(0) === 95 ? 'Element' : info.childPath, next, scope, false);
  }
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') return undefined;
  if (key.charCodeAt(0) === 95) return undefined;
  return leaf(env, value, key, info, modelPath, advance(env, pos, key, info, undefined, parent, scope), scope, atRoot);
}

function property(env: WalkEnv, obj: Json, key: string, info: ChildInfo, modelPath: string, pos: Position, scope: Scope, atRoot: boolean): unknown {
  const value = obj[key];
  if (!Array.isArray(value)) return item(env, value, key, info, obj, modelPath, pos, scope, atRoot);
  const out: unknown[] = [];
  for (const v of value) {
    const r = item(env, v, key, info, obj, modelPath, pos, scope, atRoot);
    if (r !== undefined) out.push(r);
  }
  // a primitive array and its `_x` companion must stay aligned: partial results drop the companion
  return out.length === 0 ? undefined : out;
}

/** `_x` of a primitive array must stay aligned with `x`: when items were removed, the companion goes too. */
function alignCompanions(src: Json, out: Json): void {
  for (const key of Object.keys(out)) {
    if (key.charCodeAt(0) !== 95) continue;
    const own = out[key.slice(1)];
    const from = src[key.slice(1)];
    if (Array.isArray(from) && (!Array.isArray(own) || own.length !== from.length || (out[key] as unknown[]).length !== from.length)) delete out[key];
  }
}

function walkComplex(env: WalkEnv, obj: Json, modelPath: string, pos: Position, scope: Scope, atRoot: boolean): Json | undefined {
  if (pos.depth > MAX_DEPTH) return undefined;
  const kids = env.model.childrenOf(modelPath);
  const out: Json = {};
  let companions = false;
  for (const key in obj) {
    if (atRoot && key === 'resourceType') continue;
    const info = kids?.get(key);
    if (!info) continue;
    const r = property(env, obj, key, info, modelPath, pos, scope, atRoot);
    if (r === undefined) continue;
    out[key] = r;
    if (key.charCodeAt(0) === 95) companions = true;
  }
  if (companions) alignCompanions(obj, out);
  return atRoot ? out : complete(out, modelPath);
}

/** A resource (top level, contained, or in a Bundle entry); undefined when dropped or not a resource. */
export function walkResource(env: WalkEnv, value: unknown, container?: Scope, depth = 0): Json | undefined {
  if (depth > MAX_DEPTH || value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const resource = value as Json & { resourceType: string };
  const type = resource.resourceType;
  if (typeof type !== 'string' || !env.model.isResourceType(type) || env.dropTypes.has(type)) return undefined;
  const scope: Scope = {
    resourceType: type, topLevel: container === undefined,
    offsetDays: container ? container.offsetDays : env.offsetOf(resource),
    matches: env.rules.expressionRules.length ? matchExpressions(env.rules.expressionRules, resource) : undefined,
  };
  const roots: TrieNode[] = [];
  let rule = Infinity;
  const enter = (n: TrieNode | undefined): void => {
    if (!n) return;
    roots.push(n);
    rule = Math.min(rule, n.rule);
    for (const g of n.guarded) if (holds(resource, g.when)) enter(g.node);
  };
  enter(env.rules.resourceRoots.get(type));
  enter(env.rules.resourceRoots.get('Resource'));
  const hit = scope.matches?.objects.get(resource);
  if (hit !== undefined) rule = Math.min(rule, hit);
  const body = walkComplex(env, resource, type, { states: roots, rule, depth: depth + 1 }, scope, true);
  return { resourceType: type, ...body };
}
