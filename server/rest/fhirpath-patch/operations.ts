/** The five FHIRPath Patch operations (https://hl7.org/fhir/R4/fhirpatch.html, operation table). */
import type { Resource } from 'fhir/r4';
import {
  type JsonObject, companionObject, insertAt, isObject, listLength, moveWithin, readSlot, removeSlot, writeSlot,
} from './json';
import { type Target, ctxOf, findTargets, singleTarget, unprocessable } from './locate';
import type { ChildDef, ModelCtx, PatchModel } from './model';
import type { PatchOperation } from './params';
import { type PatchValue, materialize } from './value';

/** A list addressed by insert/move: `container[key]`. */
interface ListTarget {
  container: JsonObject;
  key: string;
  parentCtx: ModelCtx;
}

/** The object that holds a target's children: the element itself, or a primitive's `_` companion. */
function elementObject(doc: Resource, target: Target, path: string): JsonObject {
  if (!target.slot) return doc as unknown as JsonObject;
  const v = readSlot(target.slot);
  if (isObject(v)) return v;
  if (v === undefined || v === null || typeof v !== 'object') return companionObject(target.slot);
  throw unprocessable(path, `FHIRPath Patch: path '${path}' does not select a single element`);
}

/** A child definition, or a lenient stand-in when the model cannot describe the parent. */
function defFor(pm: PatchModel, ctx: ModelCtx, name: string, path: string): ChildDef | undefined {
  const def = pm.childDef(ctx, name);
  if (!def && pm.isKnownCtx(ctx)) {
    throw unprocessable(path, `FHIRPath Patch: '${name}' is not an element of ${ctx.type ?? ctx.path}`);
  }
  return def;
}

function addOp(pm: PatchModel, doc: Resource, op: PatchOperation & { name: string; value: PatchValue }): void {
  const target = singleTarget(pm, doc, op.path, 'add');
  const def = defFor(pm, ctxOf(target.node), op.name, op.path);
  const obj = elementObject(doc, target, op.path);
  const m = materialize(pm, op.value, def, op.name, op.path);
  if (def?.repeating || Array.isArray(obj[m.key])) {
    insertAt(obj, m.key, listLength(obj, m.key), m.json);
    return;
  }
  // Spec: add works on a non-repeating element only while it does not exist yet (any [x] variant counts).
  const taken = Object.keys(obj).some((k) => {
    const bare = k.replace(/^_/, '');
    return bare === m.key || (!!def?.choiceTypes && def.choiceTypes.some((t) => bare === def.name + t));
  });
  if (taken) throw unprocessable(op.path, `FHIRPath Patch add: '${m.key}' already has a value at '${op.path}'; use replace`);
  obj[m.key] = m.json;
}

function replaceOp(pm: PatchModel, doc: Resource, op: PatchOperation & { value: PatchValue }): void {
  const { slot } = singleTarget(pm, doc, op.path, 'replace');
  if (!slot) throw unprocessable(op.path, 'FHIRPath Patch replace: the resource itself cannot be replaced');
  const def = pm.childDef(slot.parentCtx, slot.key);
  const m = materialize(pm, op.value, def, slot.key, op.path);
  if (m.key !== slot.key) {
    // A choice element switching type: drop the old variant (and its `_` companion).
    removeSlot(slot);
    slot.container[m.key] = m.json;
    return;
  }
  // Replacing a primitive's value keeps its id/extensions, as they describe the element, not the value.
  writeSlot(slot, m.json, m.primitive && isPrimitiveValue(readSlot(slot)));
}

const isPrimitiveValue = (v: unknown): boolean => v === undefined || v === null || typeof v !== 'object';

function deleteOp(pm: PatchModel, doc: Resource, op: PatchOperation): void {
  const targets = findTargets(pm, doc, op.path);
  if (targets.length === 0) return; // Spec: deleting something that is not there is not an error.
  if (targets.length > 1) {
    const msg = `FHIRPath Patch delete: path '${op.path}' matches ${targets.length} elements; only one can be deleted`;
    throw unprocessable(op.path, msg);
  }
  const { slot } = targets[0];
  if (!slot) throw unprocessable(op.path, 'FHIRPath Patch delete: the resource itself cannot be deleted by a patch');
  removeSlot(slot);
}

/** The list at `path`: its matches must all be entries of one list; an empty list is found via the parent path. */
function listTarget(pm: PatchModel, doc: Resource, path: string, op: string): ListTarget {
  const targets = findTargets(pm, doc, path);
  const slots = targets.map((t) => t.slot);
  const first = slots[0];
  if (first && first.index !== null && slots.every((s) => s && s.container === first.container && s.key === first.key)) {
    return { container: first.container, key: first.key, parentCtx: first.parentCtx };
  }
  if (targets.length > 0) throw unprocessable(path, `FHIRPath Patch ${op}: path '${path}' does not select a single list`);
  // Nothing matched: the list may be empty or absent, so locate its parent (`<expr>.<name>`).
  const m = /^(.+)\.([A-Za-z][A-Za-z0-9_]*)$/.exec(path.trim());
  if (!m) throw unprocessable(path, `FHIRPath Patch ${op}: path '${path}' matches no element`);
  const parent = singleTarget(pm, doc, m[1], op);
  const parentCtx = ctxOf(parent.node);
  const def = defFor(pm, parentCtx, m[2], path);
  if (def && !def.repeating) throw unprocessable(path, `FHIRPath Patch ${op}: '${m[2]}' is not a list`);
  return { container: elementObject(doc, parent, path), key: def?.name ?? m[2], parentCtx };
}

function insertOp(pm: PatchModel, doc: Resource, op: PatchOperation & { value: PatchValue; index: number }): void {
  const list = listTarget(pm, doc, op.path, 'insert');
  const len = listLength(list.container, list.key);
  if (op.index > len) throw unprocessable(op.path, `FHIRPath Patch insert: index ${op.index} is beyond the list length ${len}`);
  const m = materialize(pm, op.value, pm.childDef(list.parentCtx, list.key), list.key, op.path);
  insertAt(list.container, list.key, op.index, m.json);
}

function moveOp(pm: PatchModel, doc: Resource, op: PatchOperation & { source: number; destination: number }): void {
  const list = listTarget(pm, doc, op.path, 'move');
  const len = listLength(list.container, list.key);
  for (const [label, i] of [['source', op.source], ['destination', op.destination]] as const) {
    if (i >= len) throw unprocessable(op.path, `FHIRPath Patch move: ${label} index ${i} is outside the list (length ${len})`);
  }
  moveWithin(list.container, list.key, op.source, op.destination);
}

/** Applies one (already validated) operation to the working copy in place. */
export function applyOperation(pm: PatchModel, doc: Resource, op: PatchOperation): void {
  const { name, value, index, source, destination } = op;
  switch (op.type) {
    case 'add':
      return addOp(pm, doc, { ...op, name: name as string, value: value as PatchValue });
    case 'insert':
      return insertOp(pm, doc, { ...op, value: value as PatchValue, index: index as number });
    case 'delete':
      return deleteOp(pm, doc, op);
    case 'replace':
      return replaceOp(pm, doc, { ...op, value: value as PatchValue });
    case 'move':
      return moveOp(pm, doc, { ...op, source: source as number, destination: destination as number });
  }
}

