/**
 * The one reader of `Parameters` bodies (https://hl7.org/fhir/R4/parameters.html) for every operation
 * and FHIRPath Patch: checks the shape of every parameter and part (objects, names, inv-1: exactly one
 * of value[x] / resource / part, value[x] of a known type carrying the right JSON type) and returns a
 * typed tree; anything else is a 400 OperationOutcome naming the parameter. Pure: no I/O.
 */
import { FhirError } from './fhir-error';

export interface ParamValue {
  /** The value[x] type suffix as written: `Code`, `Integer`, `Reference`. */
  type: string;
  value: unknown;
}

export interface ParamNode {
  name: string;
  /** FHIRPath of the parameter in the body: `Parameters.parameter[1].part[0]`. */
  expression: string;
  value?: ParamValue;
  resource?: { resourceType: string } & Record<string, unknown>;
  part: ParamNode[];
  /** The parameter object as sent (already checked), for readers that walk the FHIR JSON themselves. */
  raw: Record<string, unknown>;
}

/** JSON type of each primitive value[x] type; every other allowed type is a complex (object) type. */
const PRIMITIVES: Record<string, 'string' | 'boolean' | 'integer' | 'decimal'> = {
  Base64Binary: 'string', Boolean: 'boolean', Canonical: 'string', Code: 'string', Date: 'string', DateTime: 'string',
  Decimal: 'decimal', Id: 'string', Instant: 'string', Integer: 'integer', Markdown: 'string', Oid: 'string',
  PositiveInt: 'integer', String: 'string', Time: 'string', UnsignedInt: 'integer', Uri: 'string', Url: 'string', Uuid: 'string',
};
/** The complex types R4 allows for Parameters.parameter.value[x]. */
const COMPLEX = new Set(
  ('Address Age Annotation Attachment CodeableConcept Coding ContactPoint Count Distance Duration HumanName Identifier Money ' +
    'Period Quantity Range Ratio Reference SampledData Signature Timing ContactDetail Contributor DataRequirement Expression ' +
    'ParameterDefinition RelatedArtifact TriggerDefinition UsageContext Dosage Meta').split(' '),
);
const ELEMENT_KEYS = new Set(['id', 'extension', 'modifierExtension', 'name', 'resource', 'part']);

const bad = (op: string, msg: string, expression: string): FhirError => new FhirError(400, 'invalid', `${op}: ${msg}`, [expression]);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const kindOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v);

/** Reads a Parameters body for `operation` (used in messages: `$verify`, `FHIRPath Patch`). */
export function readParameters(body: unknown, operation: string): ParamNode[] {
  if (!isObject(body) || body.resourceType !== 'Parameters') throw bad(operation, `expects a Parameters resource as the body, got ${isObject(body) ? `'${String(body.resourceType).slice(0, 40)}'` : kindOf(body)}`, 'Parameters');
  if (body.parameter === undefined) return [];
  return list(body.parameter, operation, 'Parameters.parameter');
}

function list(items: unknown, op: string, where: string): ParamNode[] {
  if (!Array.isArray(items)) throw bad(op, `${where} must be an array of parameters, got ${kindOf(items)}`, where);
  return items.map((item, i) => node(item, op, `${where}[${i}]`));
}

function node(item: unknown, op: string, where: string): ParamNode {
  if (!isObject(item)) throw bad(op, `${where} must be an object with a name, got ${kindOf(item)}`, where);
  const name = item.name;
  if (typeof name !== 'string' || name.trim() === '') throw bad(op, `${where} needs a 'name' (a non-empty string)`, where);
  const label = `parameter '${name.slice(0, 40)}' (${where})`;
  let value: ParamValue | undefined;
  for (const key of Object.keys(item)) {
    if (ELEMENT_KEYS.has(key)) continue;
    if (!/^_?value[A-Z][A-Za-z0-9]*$/.test(key)) throw bad(op, `${label} has an unknown element '${key.slice(0, 40)}'`, where);
    if (key.startsWith('_')) continue; // id/extensions of a primitive value
    if (value) throw bad(op, `${label} has more than one value[x]`, where);
    value = typedValue(key.slice(5), item[key], op, label, where);
  }
  const resource = item.resource === undefined ? undefined : resourceOf(item.resource, op, label, where);
  const part = item.part === undefined ? [] : list(item.part, op, `${where}.part`);
  const kinds = (value ? 1 : 0) + (resource ? 1 : 0) + (item.part !== undefined ? 1 : 0);
  if (kinds !== 1) throw bad(op, `${label} needs exactly one of value[x], resource or part (inv-1)`, where);
  return { name, expression: where, ...(value ? { value } : {}), ...(resource ? { resource } : {}), part, raw: item };
}

function typedValue(type: string, v: unknown, op: string, label: string, where: string): ParamValue {
  const json = PRIMITIVES[type];
  if (!json && !COMPLEX.has(type)) throw bad(op, `${label}: value${type.slice(0, 40)} is not an R4 type allowed in Parameters`, where);
  const ok =
    json === 'string' ? typeof v === 'string' && v !== ''
      : json === 'boolean' ? typeof v === 'boolean'
        : json === 'integer' ? Number.isSafeInteger(v) && (type !== 'PositiveInt' || (v as number) >= 1) && (type !== 'UnsignedInt' || (v as number) >= 0)
          : json === 'decimal' ? typeof v === 'number' && Number.isFinite(v)
            : isObject(v) && Object.keys(v).length > 0;
  if (!ok) throw bad(op, `${label}: value${type} must be ${describe(json)}, got ${kindOf(v)}${typeof v === 'number' || typeof v === 'string' ? ` ${JSON.stringify(v).slice(0, 40)}` : ''}`, where);
  return { type, value: v };
}

function describe(json: string | undefined): string {
  if (json === 'string') return 'a non-empty string';
  if (json === 'integer') return 'an integer in range';
  if (json === 'decimal') return 'a number';
  if (json === 'boolean') return 'true or false';
  return 'a non-empty object';
}

function resourceOf(v: unknown, op: string, label: string, where: string): ParamNode['resource'] {
  if (!isObject(v) || typeof v.resourceType !== 'string') throw bad(op, `${label}: 'resource' must be a FHIR resource (an object with a resourceType)`, where);
  return v as ParamNode['resource'];
}
