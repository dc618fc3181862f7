/** CodeSystem/$subsumes — how two codes relate in the is-a hierarchy of a stored CodeSystem: https://hl7.org/fhir/R4/codesystem-operation-subsumes.html */
import { FhirError, badRequest } from '../../core/fhir-error';
import { findConcept, subsumption, type CodeSystemIndex } from '../../search/terminology-index';
import type { OperationSpec } from '../../rest/deps';
import { parametersResponse, targetCodeSystem, terminologyOperation } from './common';
import { readInParams, type InParams, type ParamSpec } from './in-params';

const SPEC: ParamSpec = {
  codeA: { type: 'string' }, codeB: { type: 'string' }, system: { type: 'string' }, version: { type: 'string' },
  codingA: { type: 'Coding' }, codingB: { type: 'Coding' },
};

function codeOf(p: InParams, which: 'A' | 'B'): { code: string; system?: string } {
  const code = p.string(`code${which}`);
  const coding = p.coding(`coding${which}`);
  if ((code === undefined) === (coding === undefined)) throw badRequest(`Give exactly one of code${which} or coding${which}`, [`code${which}`]);
  const c = code ?? coding?.code;
  if (c === undefined) throw badRequest(`coding${which} needs a code`, [`coding${which}`]);
  return { code: c, ...(coding?.system !== undefined ? { system: coding.system } : {}) };
}

function known(idx: CodeSystemIndex, c: { code: string; system?: string }, which: string): string {
  if (c.system !== undefined && c.system !== idx.url) throw badRequest(`coding${which} is from '${c.system}', not '${idx.url}'`, [`coding${which}`]);
  const concept = findConcept(idx, c.code);
  if (!concept) throw new FhirError(400, 'code-invalid', `Code '${c.code}' is not in CodeSystem '${idx.url}'`, [`code${which}`]);
  return concept.code;
}

export const subsumesOperation: OperationSpec = {
  ...terminologyOperation('CodeSystem', 'subsumes'),
  async handler(deps, req, target, exec) {
    const p = readInParams(req, SPEC, 'subsumes');
    const a = codeOf(p, 'A');
    const b = codeOf(p, 'B');
    const system = p.string('system') ?? a.system ?? b.system;
    if (!target.id && system === undefined) throw badRequest('$subsumes needs system (or codings with a system)', ['system']);
    const idx = await targetCodeSystem(exec.reader.terminology(), deps.validator, target, p, system, p.string('version'));
    return parametersResponse([{ name: 'outcome', valueCode: subsumption(idx, known(idx, a, 'A'), known(idx, b, 'B')) }]);
  },
};
