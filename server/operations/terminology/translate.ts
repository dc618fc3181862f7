/** ConceptMap/$translate — a code through stored ConceptMaps (forward or reverse): https://hl7.org/fhir/R4/conceptmap-operation-translate.html */
import type { ConceptMap, ParametersParameter } from 'fhir/r4';
import { FhirError, badRequest } from '../../core/fhir-error';
import { isPositive, translate, type TranslateMatch } from '../../search/concept-map-translate';
import { NOT_A_FULL_SERVER } from '../../search/terminology';
import type { OperationSpec, OperationTarget } from '../../rest/deps';
import type { TerminologyReader } from '../../store/types';
import { checkInline, codingsToCheck, parametersResponse, terminologyOperation } from './common';
import type { ResourceValidator } from '../../validation';
import { readInParams, type InParams, type ParamSpec } from './in-params';

const SPEC: ParamSpec = {
  url: { type: 'string' }, conceptMap: { type: 'Resource' }, conceptMapVersion: { type: 'string' },
  code: { type: 'string' }, system: { type: 'string' }, version: { type: 'string' }, source: { type: 'string' },
  coding: { type: 'Coding' }, codeableConcept: { type: 'CodeableConcept' }, target: { type: 'string' },
  targetsystem: { type: 'string' }, reverse: { type: 'boolean' },
};

async function mapsFor(
  tx: TerminologyReader, validator: ResourceValidator, target: OperationTarget, p: InParams, system: string | undefined, reverse: boolean,
): Promise<ConceptMap[]> {
  if (target.id) {
    const maps = await tx.conceptMaps({ id: target.id });
    if (!maps.length) throw new FhirError(404, 'not-found', `ConceptMap/${target.id} is not known`);
    return maps;
  }
  const inline = p.resource('conceptMap');
  if (inline) return [checkInline<ConceptMap>(validator, inline, 'ConceptMap', 'conceptMap')];
  const url = p.string('url');
  if (url !== undefined) {
    const maps = await tx.conceptMaps({ url, ...(p.string('conceptMapVersion') ? { version: p.string('conceptMapVersion') } : {}) });
    if (!maps.length) throw new FhirError(404, 'not-found', `ConceptMap '${url}' is not stored on this server. ${NOT_A_FULL_SERVER}.`);
    return maps;
  }
  if (system === undefined) throw badRequest('Without a ConceptMap (url or instance), $translate needs the system of the code', ['system']);
  return tx.conceptMaps({ system, reverse });
}

function matchPart(m: TranslateMatch): ParametersParameter {
  return {
    name: 'match',
    part: [
      { name: 'equivalence', valueCode: m.equivalence },
      { name: 'concept', valueCoding: m.concept },
      { name: 'source', valueUri: m.source },
    ],
  };
}

export const translateOperation: OperationSpec = {
  ...terminologyOperation('ConceptMap', 'translate'),
  async handler(deps, req, target, exec) {
    const p = readInParams(req, SPEC, 'translate');
    const reverse = p.boolean('reverse') ?? false;
    const codings = codingsToCheck(p);
    const tx = exec.reader.terminology();
    const matches: TranslateMatch[] = [];
    for (const c of codings) {
      if (c.code === undefined) continue;
      const maps = await mapsFor(tx, deps.validator, target, p, c.system, reverse);
      const ask = {
        code: c.code, reverse, ...(c.system !== undefined ? { system: c.system } : {}), ...(p.string('targetsystem') ? { targetSystem: p.string('targetsystem') } : {}),
        ...(p.string('source') ? { sourceScope: p.string('source') } : {}), ...(p.string('target') ? { targetScope: p.string('target') } : {}),
      };
      matches.push(...translate(maps, ask));
    }
    const result = matches.some(isPositive);
    const what = codings.map((c) => `${c.system ?? ''}|${c.code ?? ''}`).join(', ');
    return parametersResponse([
      { name: 'result', valueBoolean: result },
      ...(result ? [] : [{ name: 'message', valueString: matches.length ? `No usable mapping for ${what}` : `No mapping found for ${what}` }]),
      ...matches.map(matchPart),
    ]);
  },
};
