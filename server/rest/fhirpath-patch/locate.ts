/** Resolves FHIRPath Patch paths to JSON positions (https://hl7.org/fhir/R4/fhirpatch.html, base rules). */
import type { Resource } from 'fhir/r4';
import { evaluate, type ResourceNode } from 'fhirpath';
import { FhirError } from '../../core/fhir-error';
import { type JsonObject, type Slot, isObject } from './json';
import { type ModelCtx, type PatchModel, upperFirst } from './model';

/** A path match: the fhirpath node and where it lives (`slot` is null for the resource itself). */
export interface Target {
  node: ResourceNode;
  slot: Slot | null;
}

export const unprocessable = (path: string, msg: string): FhirError => new FhirError(422, 'processing', msg, [path]);

const isNode = (v: unknown): v is ResourceNode => isObject(v) && 'parentResNode' in v && 'propName' in v;

export const ctxOf = (node: ResourceNode): ModelCtx => ({ path: node.path ?? null, type: node.fhirNodeDataType ?? null });

/** Evaluates `path` against the working copy; a bad expression is a malformed patch (400). */
function evaluateNodes(pm: PatchModel, doc: Resource, path: string): unknown[] {
  try {
    return evaluate(doc, path, undefined, pm.fhirpath, { resolveInternalTypes: false });
  } catch (err) {
    const msg = (err as Error).message.split('\n')[0];
    throw new FhirError(400, 'invalid', `FHIRPath Patch: cannot evaluate path '${path}': ${msg}`, [path]);
  }
}

/** Every object inside the working copy; matches outside it (literals, resolve()) are not patchable. */
function reachableObjects(doc: Resource): Set<unknown> {
  const seen = new Set<unknown>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (isObject(v) && !seen.has(v)) {
      seen.add(v);
      Object.values(v).forEach(walk);
    }
  };
  walk(doc);
  return seen;
}

const has = (o: JsonObject, k: string): boolean => o[k] !== undefined || o[`_${k}`] !== undefined;

/** The JSON key of a node: fhirpath reports choice elements by base name (`value`), JSON has `valueQuantity`. */
function jsonKey(container: JsonObject, node: ResourceNode): string | undefined {
  const prop = node.propName;
  if (!prop) return undefined;
  if (has(container, prop)) return prop;
  const type = node.fhirNodeDataType?.replace(/^System\./, '');
  if (type && has(container, prop + upperFirst(type))) return prop + upperFirst(type);
  const keys = Object.keys(container).map((k) => k.replace(/^_/, ''));
  return keys.find((k) => k.startsWith(prop) && /^[A-Z]/.test(k.slice(prop.length)));
}

function slotOf(doc: Resource, node: ResourceNode, reachable: Set<unknown>, path: string): Slot | null {
  const parent = node.parentResNode;
  if (!parent) {
    if (node.data === doc) return null;
    throw unprocessable(path, `FHIRPath Patch: path '${path}' selects a value that is not an element of the resource`);
  }
  // Children of a primitive (its id/extension) live in the `_name` companion object.
  const container: unknown = isObject(parent.data) ? parent.data : parent._data;
  const key = isObject(container) && reachable.has(container) ? jsonKey(container, node) : undefined;
  if (!isObject(container) || key === undefined) {
    throw unprocessable(path, `FHIRPath Patch: path '${path}' selects something outside the resource being patched`);
  }
  const isList = Array.isArray(container[key]) || Array.isArray(container[`_${key}`]);
  const index = isList && typeof node.index === 'number' ? node.index : null;
  return { container, key, index, parentCtx: ctxOf(parent) };
}

const sameSlot = (a: Slot | null, b: Slot | null): boolean =>
  a === b || (!!a && !!b && a.container === b.container && a.key === b.key && a.index === b.index);

/** All distinct elements matched by `path`. */
export function findTargets(pm: PatchModel, doc: Resource, path: string): Target[] {
  const reachable = reachableObjects(doc);
  const out: Target[] = [];
  for (const n of evaluateNodes(pm, doc, path)) {
    if (!isNode(n)) throw unprocessable(path, `FHIRPath Patch: path '${path}' evaluates to a computed value, not an element`);
    const slot = slotOf(doc, n, reachable, path);
    if (!out.some((t) => sameSlot(t.slot, slot))) out.push({ node: n, slot });
  }
  return out;
}

/** The single element `path` must match (replace, add, insert, move). */
export function singleTarget(pm: PatchModel, doc: Resource, path: string, op: string): Target {
  const targets = findTargets(pm, doc, path);
  if (targets.length === 1) return targets[0];
  const found = targets.length === 0 ? 'matches no element' : `matches ${targets.length} elements`;
  throw unprocessable(path, `FHIRPath Patch ${op}: path '${path}' ${found}; it must match exactly one`);
}
