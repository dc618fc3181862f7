/** Parses the Parameters encoding of FHIRPath Patch operations (https://hl7.org/fhir/R4/fhirpatch.html, "Parameters"). */
import type { Parameters, ParametersParameter } from 'fhir/r4';
import { FhirError } from '../../core/fhir-error';
import { readParameters } from '../../core/parameters-reader';
import { type PatchValue, readValue } from './value';

export type PatchOpType = 'add' | 'insert' | 'delete' | 'replace' | 'move';

export interface PatchOperation {
  type: PatchOpType;
  path: string;
  name?: string;
  value?: PatchValue;
  index?: number;
  source?: number;
  destination?: number;
}

const OP_TYPES: readonly PatchOpType[] = ['add', 'insert', 'delete', 'replace', 'move'];
const PART_NAMES = ['type', 'path', 'name', 'value', 'index', 'source', 'destination'] as const;
type PartName = (typeof PART_NAMES)[number];

/** Which parts each operation type needs besides type and path. */
const REQUIRED: Record<PatchOpType, PartName[]> = {
  add: ['name', 'value'],
  insert: ['value', 'index'],
  delete: [],
  replace: ['value'],
  move: ['source', 'destination'],
};

const invalid = (msg: string, where: string): FhirError => new FhirError(400, 'invalid', `FHIRPath Patch: ${msg}`, [where]);

function partsByName(param: ParametersParameter, where: string): Map<PartName, ParametersParameter> {
  const parts = new Map<PartName, ParametersParameter>();
  for (const part of param.part ?? []) {
    const name = part.name as PartName;
    if (!PART_NAMES.includes(name)) throw invalid(`unknown part '${String(part.name)}' in ${where}`, where);
    if (parts.has(name)) throw invalid(`part '${name}' appears more than once in ${where}`, where);
    parts.set(name, part);
  }
  return parts;
}

function text(part: ParametersParameter | undefined, name: string, where: string): string | undefined {
  if (!part) return undefined;
  // type is a code; tolerating valueString costs nothing and matches what some clients send.
  const v = name === 'type' ? (part.valueCode ?? part.valueString) : part.valueString;
  if (typeof v !== 'string' || v.trim() === '') throw invalid(`part '${name}' in ${where} needs a non-empty value`, where);
  return v;
}

function integer(part: ParametersParameter | undefined, name: string, where: string): number | undefined {
  if (!part) return undefined;
  const v = part.valueInteger ?? part.valueUnsignedInt ?? part.valuePositiveInt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
    throw invalid(`part '${name}' in ${where} needs a non-negative valueInteger`, where);
  }
  return v;
}

function parseOperation(param: ParametersParameter, where: string): PatchOperation {
  if (param.name !== 'operation') throw invalid(`${where} must be named 'operation', not '${String(param.name)}'`, where);
  const parts = partsByName(param, where);
  const type = text(parts.get('type'), 'type', where);
  if (!type) throw invalid(`${where} has no 'type' part`, where);
  if (!OP_TYPES.includes(type as PatchOpType)) {
    throw invalid(`unknown operation type '${type}' in ${where} (expected ${OP_TYPES.join(' | ')})`, where);
  }
  const opType = type as PatchOpType;
  const path = text(parts.get('path'), 'path', where);
  if (!path) throw invalid(`${where} has no 'path' part`, where);
  for (const req of REQUIRED[opType]) {
    if (!parts.has(req)) throw invalid(`${opType} operation in ${where} needs a '${req}' part`, where);
  }
  const valuePart = parts.get('value');
  return {
    type: opType,
    path,
    name: text(parts.get('name'), 'name', where),
    value: valuePart && REQUIRED[opType].includes('value') ? readValue(valuePart, `${where}.part[value]`) : undefined,
    index: integer(parts.get('index'), 'index', where),
    source: integer(parts.get('source'), 'source', where),
    destination: integer(parts.get('destination'), 'destination', where),
  };
}

/** All operations, validated up front so a malformed patch fails before anything is applied. */
export function parseOperations(patch: Parameters): PatchOperation[] {
  // the shared reader checks the shape (objects, names, parts, value[x] JSON types) so the code below can trust it
  const nodes = readParameters(patch, 'FHIRPath Patch');
  return nodes.map((n) => parseOperation(n.raw as unknown as ParametersParameter, n.expression));
}
