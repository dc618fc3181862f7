/** JSON editing for FHIRPath Patch (https://hl7.org/fhir/R4/fhirpatch.html; primitives: https://hl7.org/fhir/R4/json.html#primitive). */
import type { ModelCtx } from './model';

export type JsonObject = Record<string, unknown>;

/** One element position in the JSON: `container[key]` or `container[key][index]`. */
export interface Slot {
  container: JsonObject;
  key: string;
  index: number | null;
  /** Model context of `container`, for looking up the element's definition. */
  parentCtx: ModelCtx;
}

export const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

const companionKey = (key: string): string => `_${key}`;

/** Length of a (possibly primitive) list: `given` and `_given` may each be absent. */
export function listLength(container: JsonObject, key: string): number {
  const a = container[key];
  const b = container[companionKey(key)];
  return Math.max(Array.isArray(a) ? a.length : 0, Array.isArray(b) ? b.length : 0);
}

/** The value at a slot (for primitives only the value, not its `_` companion). */
export function readSlot(slot: Slot): unknown {
  const v = slot.container[slot.key];
  return slot.index === null ? v : Array.isArray(v) ? v[slot.index] : undefined;
}

/** The `_key` object holding a primitive's id/extensions, created on demand (padding arrays with null). */
export function companionObject(slot: Slot): JsonObject {
  const ck = companionKey(slot.key);
  if (slot.index === null) {
    if (!isObject(slot.container[ck])) slot.container[ck] = {};
    return slot.container[ck] as JsonObject;
  }
  const arr = Array.isArray(slot.container[ck]) ? (slot.container[ck] as unknown[]) : [];
  while (arr.length < listLength(slot.container, slot.key)) arr.push(null);
  slot.container[ck] = arr;
  if (!isObject(arr[slot.index])) arr[slot.index] = {};
  return arr[slot.index] as JsonObject;
}

/** Writes `value` at the slot; `keepCompanion` retains the primitive's `_key` id/extensions. */
export function writeSlot(slot: Slot, value: unknown, keepCompanion: boolean): void {
  const ck = companionKey(slot.key);
  if (slot.index === null) {
    slot.container[slot.key] = value;
    if (!keepCompanion) delete slot.container[ck];
    return;
  }
  const arr = ensureList(slot.container, slot.key);
  arr[slot.index] = value;
  const comp = slot.container[ck];
  if (!keepCompanion && Array.isArray(comp)) comp[slot.index] = null;
}

/** Removes the element (and its `_` companion) at the slot. */
export function removeSlot(slot: Slot): void {
  if (slot.index === null) {
    delete slot.container[slot.key];
    delete slot.container[companionKey(slot.key)];
    return;
  }
  for (const k of [slot.key, companionKey(slot.key)]) {
    const arr = slot.container[k];
    if (Array.isArray(arr) && slot.index < arr.length) arr.splice(slot.index, 1);
  }
}

/** `container[key]` as an array padded to the list length (a primitive list may exist only as `_key`). */
function ensureList(container: JsonObject, key: string): unknown[] {
  const len = listLength(container, key);
  const arr = Array.isArray(container[key]) ? (container[key] as unknown[]) : [];
  while (arr.length < len) arr.push(null);
  container[key] = arr;
  return arr;
}

/** Inserts at `index` (0..length), keeping a `_key` companion list aligned. */
export function insertAt(container: JsonObject, key: string, index: number, value: unknown): void {
  ensureList(container, key).splice(index, 0, value);
  const comp = container[companionKey(key)];
  if (Array.isArray(comp)) {
    while (comp.length < index) comp.push(null);
    comp.splice(index, 0, null);
  }
}

/** Moves the list entry at `from` to `to` (remove, then insert), in both value and `_` lists. */
export function moveWithin(container: JsonObject, key: string, from: number, to: number): void {
  const len = listLength(container, key);
  for (const k of [key, companionKey(key)]) {
    const arr = asList(container[k]);
    if (!arr) continue;
    while (arr.length < len) arr.push(null);
    const [item] = arr.splice(from, 1);
    arr.splice(to, 0, item);
  }
}

const asList = (v: unknown): unknown[] | undefined => (Array.isArray(v) ? (v as unknown[]) : undefined);

const isEmpty = (v: unknown): boolean =>
  v === undefined || (Array.isArray(v) && v.every((x) => x === null)) || (isObject(v) && Object.keys(v).length === 0);

/** Removes empty objects/arrays left behind, since FHIR JSON forbids them (https://hl7.org/fhir/R4/json.html). */
export function pruneEmpty(value: unknown): void {
  if (Array.isArray(value)) {
    value.forEach((item) => pruneEmpty(item));
    return;
  }
  if (!isObject(value)) return;
  for (const [k, v] of Object.entries(value)) {
    pruneEmpty(v);
    // Inside lists an emptied entry becomes a null placeholder for `_` lists, else it is dropped.
    const list = asList(v);
    if (list) {
      const kept = k.startsWith('_') ? list.map((x) => (isEmpty(x) ? null : x)) : list.filter((x) => x === null || !isEmpty(x));
      list.splice(0, list.length, ...kept);
    }
  }
  for (const [k, v] of Object.entries(value)) {
    // Null placeholders in a value list are only meaningful while its `_` companion carries content.
    const hasCompanion = !k.startsWith('_') && !isEmpty(value[companionKey(k)]);
    const list = asList(v);
    if (list && !k.startsWith('_') && !hasCompanion) list.splice(0, list.length, ...list.filter((x) => x !== null));
    if (isEmpty(v) && !(hasCompanion && Array.isArray(v) && v.length > 0)) delete value[k];
  }
}
