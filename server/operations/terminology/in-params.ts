/**
 * Typed in-parameters of the terminology operations, from a GET query or a POST `Parameters` body,
 * checked against each operation's declared names, types and cardinality (every mismatch → 400).
 * Kept in one module so it can be swapped for the shared Parameters reader later.
 */
import type { CodeableConcept, Coding, Parameters, ParametersParameter, Resource } from 'fhir/r4';
import { badRequest } from '../../core/fhir-error';
import type { FhirRequest } from '../../rest/types';

export type ParamType = 'string' | 'boolean' | 'integer' | 'Coding' | 'CodeableConcept' | 'Resource';

export interface ParamDef {
  type: ParamType;
  /** More than one allowed (e.g. $lookup `property`). */
  repeats?: boolean;
}

export type ParamSpec = Record<string, ParamDef>;

export interface InParams {
  string(name: string): string | undefined;
  strings(name: string): string[];
  boolean(name: string): boolean | undefined;
  integer(name: string): number | undefined;
  coding(name: string): Coding | undefined;
  codeableConcept(name: string): CodeableConcept | undefined;
  resource(name: string): Resource | undefined;
}

type Value = string | boolean | number | Coding | CodeableConcept | Resource;

const MAX_TEXT = 4096;
const STRINGY = ['valueString', 'valueCode', 'valueUri', 'valueCanonical', 'valueUrl', 'valueId', 'valueMarkdown', 'valueDateTime', 'valueDate'] as const;

function text(v: unknown, name: string): string {
  if (typeof v !== 'string' || v.length > MAX_TEXT) throw badRequest(`Parameter '${name}' must be a string of at most ${MAX_TEXT} characters`, [name]);
  return v;
}

function coding(v: unknown, name: string): Coding {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw badRequest(`Parameter '${name}' must be a Coding`, [name]);
  const c = v as Record<string, unknown>;
  const out: Coding = {};
  for (const k of ['system', 'version', 'code', 'display'] as const) if (c[k] !== undefined) out[k] = text(c[k], `${name}.${k}`);
  return out;
}

function codeableConcept(v: unknown, name: string): CodeableConcept {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw badRequest(`Parameter '${name}' must be a CodeableConcept`, [name]);
  const cc = v as Record<string, unknown>;
  if (cc.coding !== undefined && (!Array.isArray(cc.coding) || cc.coding.length > 100)) throw badRequest(`Parameter '${name}.coding' must be an array of at most 100 Codings`, [name]);
  return { coding: ((cc.coding as unknown[] | undefined) ?? []).map((c, i) => coding(c, `${name}.coding[${i}]`)), ...(cc.text !== undefined ? { text: text(cc.text, `${name}.text`) } : {}) };
}

/** One Parameters.parameter as the declared type. */
function fromPart(p: ParametersParameter, def: ParamDef): Value {
  const name = p.name;
  const raw = p as unknown as Record<string, unknown>;
  switch (def.type) {
    case 'string': {
      const key = STRINGY.find((k) => raw[k] !== undefined);
      if (!key) throw badRequest(`Parameter '${name}' needs a string value (valueCode, valueUri, valueString…)`, [name]);
      return text(raw[key], name);
    }
    case 'boolean':
      if (typeof p.valueBoolean !== 'boolean') throw badRequest(`Parameter '${name}' needs valueBoolean`, [name]);
      return p.valueBoolean;
    case 'integer':
      if (!Number.isSafeInteger(p.valueInteger) || (p.valueInteger as number) < 0) throw badRequest(`Parameter '${name}' needs a non-negative valueInteger`, [name]);
      return p.valueInteger as number;
    case 'Coding':
      return coding(p.valueCoding, name);
    case 'CodeableConcept':
      return codeableConcept(p.valueCodeableConcept, name);
    case 'Resource': {
      const r = p.resource as unknown;
      if (typeof r !== 'object' || r === null || typeof (r as Resource).resourceType !== 'string') throw badRequest(`Parameter '${name}' needs a resource`, [name]);
      return r;
    }
  }
}

/** A query-string value as the declared type: Coding as `system|code`, complex types only by POST. */
function fromQuery(name: string, raw: string, def: ParamDef): Value {
  switch (def.type) {
    case 'string': return text(raw, name);
    case 'boolean':
      if (raw !== 'true' && raw !== 'false') throw badRequest(`Parameter '${name}' must be true or false`, [name]);
      return raw === 'true';
    case 'integer':
      if (!/^\d{1,9}$/.test(raw)) throw badRequest(`Parameter '${name}' must be a non-negative integer`, [name]);
      return Number(raw);
    case 'Coding': {
      const bar = text(raw, name).indexOf('|');
      return bar < 0 ? { code: raw } : { system: raw.slice(0, bar), code: raw.slice(bar + 1) };
    }
    default: throw badRequest(`Parameter '${name}' (${def.type}) can only be sent in a POSTed Parameters resource`, [name]);
  }
}

function collect(req: FhirRequest, spec: ParamSpec, op: string): Map<string, Value[]> {
  const out = new Map<string, Value[]>();
  const add = (name: string, v: Value): void => {
    const list = out.get(name) ?? [];
    if (list.length && !spec[name].repeats) throw badRequest(`Parameter '${name}' may appear only once in $${op}`, [name]);
    list.push(v);
    out.set(name, list);
  };
  const known = (name: string): ParamDef => {
    const def = Object.prototype.hasOwnProperty.call(spec, name) ? spec[name] : undefined;
    if (!def) throw badRequest(`Unknown parameter '${name.slice(0, 100)}' for $${op}`, [name.slice(0, 100)]);
    return def;
  };
  for (const [name, raw] of req.query) if (!name.startsWith('_')) add(name, fromQuery(name, raw, known(name)));
  if (req.method === 'POST' && req.body !== undefined) {
    const body = req.body as Parameters;
    if (typeof body !== 'object' || body === null || body.resourceType !== 'Parameters') throw badRequest(`$${op} expects a Parameters resource in the body`);
    if (body.parameter !== undefined && (!Array.isArray(body.parameter) || body.parameter.length > 1000)) throw badRequest('Parameters.parameter must be an array of at most 1000 parts', ['Parameters.parameter']);
    for (const p of body.parameter ?? []) {
      if (typeof p !== 'object' || p === null || typeof p.name !== 'string') throw badRequest('Every Parameters.parameter needs a name', ['Parameters.parameter']);
      add(p.name, fromPart(p, known(p.name)));
    }
  }
  return out;
}

/** Reads and type-checks the in-parameters of `op` against `spec`. */
export function readInParams(req: FhirRequest, spec: ParamSpec, op: string): InParams {
  const values = collect(req, spec, op);
  const one = (name: string): Value | undefined => values.get(name)?.[0];
  return {
    string: (n) => one(n) as string | undefined,
    strings: (n) => (values.get(n) ?? []) as string[],
    boolean: (n) => one(n) as boolean | undefined,
    integer: (n) => one(n) as number | undefined,
    coding: (n) => one(n) as Coding | undefined,
    codeableConcept: (n) => one(n) as CodeableConcept | undefined,
    resource: (n) => one(n) as Resource | undefined,
  };
}
