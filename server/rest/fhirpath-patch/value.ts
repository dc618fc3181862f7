/** Turns FHIRPath Patch `value` parts into FHIR JSON (https://hl7.org/fhir/R4/fhirpatch.html, value[x] and nested parts). */
import type { ParametersParameter, Resource } from 'fhir/r4';
import { FhirError } from '../../core/fhir-error';
import { isObject, type JsonObject } from './json';
import { unprocessable } from './locate';
import { type ChildDef, type ModelCtx, type PatchModel, isPrimitiveType, lowerFirst } from './model';

/** A value as written in the Parameters: typed value[x], a whole resource, or parts forming a complex value. */
export type PatchValue =
  | { kind: 'typed'; suffix: string; json: unknown }
  | { kind: 'resource'; json: Resource }
  | { kind: 'parts'; parts: ParametersParameter[] };

/** A value ready to write: the JSON key to use (choice elements get a type suffix) and the JSON. */
export interface Materialized {
  key: string;
  json: unknown;
  primitive: boolean;
}

const invalid = (msg: string, where: string): FhirError => new FhirError(400, 'invalid', `FHIRPath Patch: ${msg}`, [where]);

/** Reads the value of a part; `where` names it for error messages. */
export function readValue(part: ParametersParameter, where: string): PatchValue {
  const valueKeys = Object.keys(part).filter((k) => /^value[A-Z]/.test(k));
  const kinds = valueKeys.length + (part.resource ? 1 : 0) + (part.part?.length ? 1 : 0);
  if (kinds !== 1) throw invalid(`${where} needs exactly one of value[x], resource or part`, where);
  if (part.resource) return { kind: 'resource', json: structuredClone(part.resource) };
  if (part.part?.length) return { kind: 'parts', parts: part.part };
  const suffix = valueKeys[0].slice('value'.length);
  const json: unknown = (part as unknown as Record<string, unknown>)[valueKeys[0]];
  // A primitive type must carry a scalar, a complex type an object.
  if (isPrimitiveType(lowerFirst(suffix)) === isObject(json) || Array.isArray(json) || json === null) {
    throw invalid(`${where} has a malformed ${valueKeys[0]}`, where);
  }
  return { kind: 'typed', suffix, json: structuredClone(json) };
}

function checkType(pm: PatchModel, def: ChildDef | undefined, type: string, primitive: boolean, path: string): void {
  const expected = def?.type;
  if (!expected) return;
  const ok = isPrimitiveType(expected) ? primitive : !primitive && pm.isCompatibleType(expected, type);
  if (!ok) throw unprocessable(path, `FHIRPath Patch: a ${type} value cannot be used for '${def.name}' (type ${expected})`);
}

type Typed = Extract<PatchValue, { kind: 'typed' }>;

function materializeTyped(pm: PatchModel, v: Typed, def: ChildDef | undefined, name: string, path: string): Materialized {
  const type = isPrimitiveType(lowerFirst(v.suffix)) ? lowerFirst(v.suffix) : v.suffix;
  const primitive = isPrimitiveType(type);
  if (def?.choiceTypes) {
    if (!def.choiceTypes.includes(v.suffix)) {
      const allowed = def.choiceTypes.join(', ');
      throw unprocessable(path, `FHIRPath Patch: ${def.name}[x] does not allow type ${type} (allowed: ${allowed})`);
    }
    return { key: def.name + v.suffix, json: v.json, primitive };
  }
  checkType(pm, def, type, primitive, path);
  return { key: def?.name ?? name, json: v.json, primitive };
}

/**
 * Converts a value for the element `def` (named `name` when the model does not know it).
 * `path` is the operation's path, used in error messages.
 */
export function materialize(pm: PatchModel, value: PatchValue, def: ChildDef | undefined, name: string, path: string): Materialized {
  if (value.kind === 'typed') return materializeTyped(pm, value, def, name, path);
  if (def?.choiceTypes) {
    // Parts carry no type, so the `[x]` suffix cannot be chosen.
    throw invalid(`'${def.name}' is a choice element; give its value as value[x] so the type is known`, path);
  }
  if (value.kind === 'resource') {
    checkType(pm, def, def?.type === 'Resource' ? 'Resource' : value.json.resourceType, false, path);
    return { key: def?.name ?? name, json: value.json, primitive: false };
  }
  return { key: def?.name ?? name, json: buildFromParts(pm, value.parts, def?.content, path), primitive: false };
}

/** Builds a complex value from parts, each naming one child element (repeated names make a list). */
function buildFromParts(pm: PatchModel, parts: ParametersParameter[], ctx: ModelCtx | undefined, path: string): JsonObject {
  const out: JsonObject = {};
  const known = ctx !== undefined && pm.isKnownCtx(ctx);
  for (const part of parts) {
    const name = part.name;
    if (!name) throw invalid('every part of a complex value needs a name', path);
    const def = known ? pm.childDef(ctx, name) : undefined;
    if (known && !def) throw unprocessable(path, `FHIRPath Patch: '${name}' is not an element of ${ctx.type ?? ctx.path}`);
    const m = materialize(pm, readValue(part, `${path} (part '${name}')`), def, name, path);
    if (def?.repeating || (!def && out[m.key] !== undefined)) {
      const list = Array.isArray(out[m.key]) ? (out[m.key] as unknown[]) : out[m.key] === undefined ? [] : [out[m.key]];
      list.push(m.json);
      out[m.key] = list;
    } else if (out[m.key] !== undefined) {
      throw invalid(`part '${name}' is given more than once but '${name}' does not repeat`, path);
    } else {
      out[m.key] = m.json;
    }
  }
  return out;
}
