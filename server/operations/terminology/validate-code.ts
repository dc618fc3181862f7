/**
 * $validate-code on CodeSystem and ValueSet (type and instance level):
 * https://hl7.org/fhir/R4/codesystem-operation-validate-code.html, https://hl7.org/fhir/R4/valueset-operation-validate-code.html
 */
import type { Coding, ValueSet } from 'fhir/r4';
import { badRequest } from '../../core/fhir-error';
import { contains, displayKey } from '../../search/code-set';
import { expandResource } from '../../search/terminology';
import { findConcept } from '../../search/terminology-index';
import type { OperationSpec } from '../../rest/deps';
import type { TerminologyReader } from '../../store/types';
import { bestCheck, checkDisplay, checkInSystem, checkParts, codingsToCheck, parametersResponse, targetCodeSystem, targetValueSet, type CodingCheck, terminologyOperation } from './common';
import { readInParams, type ParamSpec } from './in-params';

const COMMON: ParamSpec = {
  code: { type: 'string' }, display: { type: 'string' }, coding: { type: 'Coding' }, codeableConcept: { type: 'CodeableConcept' },
  date: { type: 'string' }, abstract: { type: 'boolean' }, displayLanguage: { type: 'string' },
};
const CS_SPEC: ParamSpec = { ...COMMON, url: { type: 'string' }, codeSystem: { type: 'Resource' }, version: { type: 'string' } };
const VS_SPEC: ParamSpec = {
  ...COMMON, url: { type: 'string' }, context: { type: 'string' }, valueSet: { type: 'Resource' }, valueSetVersion: { type: 'string' },
  system: { type: 'string' }, systemVersion: { type: 'string' },
};

export const codeSystemValidateCode: OperationSpec = {
  ...terminologyOperation('CodeSystem', 'validate-code'),
  async handler(deps, req, target, exec) {
    const p = readInParams(req, CS_SPEC, 'validate-code');
    const coding = p.coding('coding');
    const url = p.string('url') ?? coding?.system ?? p.codeableConcept('codeableConcept')?.coding?.find((c) => c.system)?.system;
    const idx = await targetCodeSystem(exec.reader.terminology(), deps.validator, target, p, url, p.string('version'));
    const codings = codingsToCheck(p, idx.url).filter((c) => c.system === undefined || c.system === idx.url);
    const checks = codings.map((c) => checkInSystem(idx, c));
    const check: CodingCheck = checks.length ? bestCheck(checks) : { result: false, message: `No coding of CodeSystem '${idx.url}' was given` };
    return parametersResponse(checkParts(check));
  },
};

/** One coding against the expanded ValueSet; the stored CodeSystem (when held) confirms the code and gives its display. */
async function checkInValueSet(tx: TerminologyReader, vs: ValueSet, c: Coding, set: Awaited<ReturnType<typeof expandResource>>): Promise<CodingCheck> {
  const vsName = vs.url ?? (vs.id ? `ValueSet/${vs.id}` : 'the ValueSet');
  if (c.system === undefined || c.code === undefined) return { result: false, message: 'A coding needs a system and a code' };
  if (!contains(set, c.system, c.code)) return { result: false, message: `Code '${c.system}|${c.code}' is not in ValueSet '${vsName}'` };
  const idx = await tx.codeSystem(c.system);
  if (idx) {
    const concept = findConcept(idx, c.code);
    if (!concept) return { result: false, message: `Code '${c.code}' is not in CodeSystem '${c.system}'` };
    return checkDisplay(concept.code, concept.display ?? set.displays.get(displayKey(c.system, c.code)), c.display);
  }
  const check = checkDisplay(c.code, set.displays.get(displayKey(c.system, c.code)), c.display);
  if (!check.result || set.codes.get(c.system)?.has(c.code)) return check;
  // A whole-system include of a system we do not hold: membership is all we can say.
  return { ...check, message: `Code '${c.code}' was not checked against '${c.system}', which this server does not hold` };
}

export const valueSetValidateCode: OperationSpec = {
  ...terminologyOperation('ValueSet', 'validate-code'),
  async handler(deps, req, target, exec) {
    const p = readInParams(req, VS_SPEC, 'validate-code');
    if (p.string('code') !== undefined && p.string('system') === undefined) throw badRequest('With code, give its system', ['system']);
    const tx = exec.reader.terminology();
    const vs = await targetValueSet(tx, deps.validator, target, p);
    const set = await expandResource(tx, vs);
    const checks = await Promise.all(codingsToCheck(p).map((c) => checkInValueSet(tx, vs, c, set)));
    return parametersResponse(checkParts(bestCheck(checks)));
  },
};
