/** What the terminology operations share: finding the CodeSystem/ValueSet addressed, coding checks, Parameters output. */
import { hl7OperationDefinitionUrl } from '../../core/canonical-urls';
import type { CodeSystem, Coding, Parameters, ParametersParameter, Resource, ValueSet } from 'fhir/r4';
import type { ResourceValidator } from '../../validation';
import { FhirError, badRequest } from '../../core/fhir-error';
import { NOT_A_FULL_SERVER } from '../../search/terminology';
import { findConcept, indexCodeSystem, type CodeSystemIndex } from '../../search/terminology-index';
import type { OperationSpec, OperationTarget } from '../../rest/deps';
import type { TerminologyReader } from '../../store/types';
import type { FhirResponse } from '../../rest/types';
import type { InParams } from './in-params';

/** An inline CodeSystem/ValueSet/ConceptMap must be valid R4 before the engine walks it. */
export function checkInline<T extends Resource>(validator: ResourceValidator, r: Resource, type: string, name: string): T {
  if (r.resourceType !== type) throw badRequest(`Parameter ${name} must be a ${type}`, [name]);
  const errors = validator.validate(r).filter((i) => i.severity === 'error' || i.severity === 'fatal');
  if (errors.length) throw FhirError.withIssues(400, errors.map((i) => ({ ...i, diagnostics: `Parameter ${name}: ${i.diagnostics}` })));
  return r as T;
}

export const unknownSystem = (url: string, version?: string): FhirError =>
  new FhirError(404, 'not-found', `CodeSystem '${url}'${version ? ` version '${version}'` : ''} is not known here. ${NOT_A_FULL_SERVER}.`);

export const unknownValueSet = (ref: string): FhirError =>
  new FhirError(404, 'not-found', `ValueSet '${ref}' is not stored on this server. ${NOT_A_FULL_SERVER}.`);

export function parametersResponse(parameter: ParametersParameter[]): FhirResponse {
  const body: Parameters = { resourceType: 'Parameters', parameter };
  return { status: 200, headers: {}, body };
}

export async function codeSystemByUrl(tx: TerminologyReader, url: string, version?: string): Promise<CodeSystemIndex> {
  const idx = await tx.codeSystem(url, version);
  if (!idx) throw unknownSystem(url, version);
  return idx;
}

/**
 * The CodeSystem an operation works on: the instance (`CodeSystem/{id}/$op`), a `codeSystem` resource
 * given inline, or the stored one whose url is `url` (a type-level request).
 */
export async function targetCodeSystem(
  tx: TerminologyReader, validator: ResourceValidator, target: OperationTarget, p: InParams, url: string | undefined, version?: string,
): Promise<CodeSystemIndex> {
  if (target.id) {
    const idx = await tx.codeSystemById(target.id);
    if (!idx) throw new FhirError(404, 'not-found', `CodeSystem/${target.id} is not known`);
    return idx;
  }
  const inline = p.resource('codeSystem');
  if (inline) return indexCodeSystem(checkInline<CodeSystem>(validator, inline, 'CodeSystem', 'codeSystem'));
  if (!url) throw badRequest('Say which CodeSystem: a url/system parameter, a coding with a system, or CodeSystem/{id}/$…');
  return codeSystemByUrl(tx, url, version);
}

/** The ValueSet an operation works on: the instance, an inline `valueSet`, or the stored one at `url`. */
export async function targetValueSet(tx: TerminologyReader, validator: ResourceValidator, target: OperationTarget, p: InParams): Promise<ValueSet> {
  if (target.id) {
    const vs = await tx.valueSet(`ValueSet/${target.id}`);
    if (!vs) throw new FhirError(404, 'not-found', `ValueSet/${target.id} is not known`);
    return vs;
  }
  const inline = p.resource('valueSet');
  if (inline) return checkInline<ValueSet>(validator, inline, 'ValueSet', 'valueSet');
  const url = p.string('url');
  if (!url) throw badRequest('Say which ValueSet: a url parameter, a valueSet resource, or ValueSet/{id}/$…', ['url']);
  const version = p.string('valueSetVersion');
  const ref = version ? `${url}|${version}` : url;
  const vs = await tx.valueSet(ref);
  if (!vs) throw unknownValueSet(ref);
  return vs;
}

/**
 * The codings to check: `code` (+ `system`), `coding`, or every coding of `codeableConcept` —
 * exactly one of the three forms.
 */
export function codingsToCheck(p: InParams, defaultSystem?: string): Coding[] {
  const code = p.string('code');
  const coding = p.coding('coding');
  const cc = p.codeableConcept('codeableConcept');
  const given = [code !== undefined, coding !== undefined, cc !== undefined].filter(Boolean).length;
  if (given !== 1) throw badRequest('Give exactly one of code, coding or codeableConcept', ['code']);
  const display = p.string('display');
  if (code !== undefined) return [{ system: p.string('system') ?? defaultSystem, code, ...(display !== undefined ? { display } : {}) }];
  if (coding) return [{ ...coding, ...(coding.system === undefined && defaultSystem ? { system: defaultSystem } : {}), ...(display !== undefined && coding.display === undefined ? { display } : {}) }];
  const list = (cc?.coding ?? []).filter((c) => c.code !== undefined);
  if (!list.length) throw badRequest('codeableConcept has no coding with a code', ['codeableConcept']);
  return list;
}

export interface CodingCheck {
  result: boolean;
  message?: string;
  display?: string;
}

/** Is this coding a code of the system, with a correct display when one was given? */
export function checkInSystem(idx: CodeSystemIndex, c: Coding): CodingCheck {
  const concept = c.code !== undefined ? findConcept(idx, c.code) : undefined;
  if (!concept) return { result: false, message: `Code '${c.code ?? ''}' is not in CodeSystem '${idx.url}'` };
  return checkDisplay(concept.code, concept.display, c.display);
}

export function checkDisplay(code: string, known: string | undefined, given: string | undefined): CodingCheck {
  if (given !== undefined && known !== undefined && given.trim().toLowerCase() !== known.trim().toLowerCase()) {
    return { result: false, message: `Display '${given}' is not the display of code '${code}' (it is '${known}')`, display: known };
  }
  return { result: true, ...(known !== undefined ? { display: known } : {}) };
}

export function checkParts(check: CodingCheck): ParametersParameter[] {
  return [
    { name: 'result', valueBoolean: check.result },
    ...(check.message ? [{ name: 'message', valueString: check.message }] : []),
    ...(check.display !== undefined ? [{ name: 'display', valueString: check.display }] : []),
  ];
}

/** The first valid coding's answer, else the first answer (each check is for one coding of a CodeableConcept). */
export function bestCheck(checks: CodingCheck[]): CodingCheck {
  return checks.find((c) => c.result) ?? checks[0];
}

/**
 * What every terminology operation declares alike: read-only, GET and POST, on one resource type, defined by
 * the HL7 OperationDefinition `{type}-{name}`.
 */
export function terminologyOperation(
  resourceType: 'CodeSystem' | 'ValueSet' | 'ConceptMap', name: string, scopes: OperationSpec['scopes'] = ['type', 'instance'],
): Omit<OperationSpec, 'handler'> {
  return {
    name, definition: hl7OperationDefinitionUrl(`${resourceType}-${name}`), scopes,
    resourceTypes: [resourceType], methods: ['GET', 'POST'], affectsState: false,
  };
}
