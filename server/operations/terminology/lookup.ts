/** CodeSystem/$lookup — details of one code of a stored CodeSystem: https://hl7.org/fhir/R4/codesystem-operation-lookup.html */
import type { ParametersParameter } from 'fhir/r4';
import { FhirError, badRequest } from '../../core/fhir-error';
import { findConcept, type CodeSystemIndex, type ConceptEntry } from '../../search/terminology-index';
import type { OperationSpec } from '../../rest/deps';
import { codeSystemByUrl, parametersResponse, terminologyOperation } from './common';
import { readInParams, type ParamSpec } from './in-params';

const SPEC: ParamSpec = {
  code: { type: 'string' }, system: { type: 'string' }, version: { type: 'string' }, coding: { type: 'Coding' },
  date: { type: 'string' }, displayLanguage: { type: 'string' }, property: { type: 'string', repeats: true },
};

const VALUE_KEYS = ['valueCode', 'valueCoding', 'valueString', 'valueInteger', 'valueBoolean', 'valueDateTime', 'valueDecimal'] as const;

function propertyPart(code: string, value: Partial<Record<(typeof VALUE_KEYS)[number], unknown>>, description?: string): ParametersParameter {
  const key = VALUE_KEYS.find((k) => value[k] !== undefined);
  return {
    name: 'property',
    part: [
      { name: 'code', valueCode: code },
      ...(key ? [{ name: 'value', [key]: value[key] } as ParametersParameter] : []),
      ...(description ? [{ name: 'description', valueString: description }] : []),
    ],
  };
}

function designationParts(c: ConceptEntry): ParametersParameter[] {
  return c.designation.filter((d) => typeof d.value === 'string').map((d) => ({
    name: 'designation',
    part: [
      ...(d.language ? [{ name: 'language', valueCode: d.language }] : []),
      ...(d.use ? [{ name: 'use', valueCoding: d.use }] : []),
      { name: 'value', valueString: d.value },
    ],
  }));
}

/** The properties asked for (all when none were named): definition, parent/child from the hierarchy, the concept's own. */
function propertyParts(idx: CodeSystemIndex, c: ConceptEntry, wanted: Set<string> | undefined): ParametersParameter[] {
  const want = (code: string): boolean => !wanted || wanted.has(code);
  const out: ParametersParameter[] = [];
  if (c.definition !== undefined && want('definition')) out.push(propertyPart('definition', { valueString: c.definition }));
  for (const [rel, edges] of [['parent', idx.hierarchy.parents], ['child', idx.hierarchy.children]] as const) {
    if (want(rel)) for (const other of edges.get(c.code) ?? []) out.push(propertyPart(rel, { valueCode: other }));
  }
  for (const p of c.properties) {
    if (p.code === 'parent' || p.code === 'child' || !want(p.code)) continue;
    out.push(propertyPart(p.code, p, idx.propertyTypes.get(p.code)?.description));
  }
  return out;
}

export const lookupOperation: OperationSpec = {
  ...terminologyOperation('CodeSystem', 'lookup', ['type']),
  async handler(deps, req, _target, exec) {
    const p = readInParams(req, SPEC, 'lookup');
    const coding = p.coding('coding');
    if (coding && p.string('code') !== undefined) throw badRequest('Give code (with system) or coding, not both', ['code']);
    const system = coding?.system ?? p.string('system');
    const code = coding?.code ?? p.string('code');
    if (code === undefined || system === undefined) throw badRequest('$lookup needs code and system, or a coding with both', ['code']);
    const idx = await codeSystemByUrl(exec.reader.terminology(), system, coding?.version ?? p.string('version'));
    const concept = findConcept(idx, code);
    if (!concept) throw new FhirError(404, 'not-found', `Code '${code}' is not in CodeSystem '${system}'`);
    const named = p.strings('property');
    const wanted = named.length ? new Set(named) : undefined;
    return parametersResponse([
      { name: 'name', valueString: idx.name ?? idx.url },
      ...(idx.version ? [{ name: 'version', valueString: idx.version }] : []),
      ...(concept.display !== undefined ? [{ name: 'display', valueString: concept.display }] : []),
      ...(!wanted || wanted.has('designation') ? designationParts(concept) : []),
      ...propertyParts(idx, concept, wanted),
    ]);
  },
};
