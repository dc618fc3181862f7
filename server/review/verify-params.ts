/**
 * Reads the Parameters of $verify with the shared Parameters reader: at instance level `decision`,
 * `resource`, `note`, `reviewer`, `version`; at system level one `target` part per finding (`target`
 * Reference incl. version, `decision`, `resource`, `note`) plus `reviewer`. Every malformed shape or
 * value type is a 400 naming the parameter.
 */
import type { Reference } from 'fhir/r4';
import { badRequest } from '../core/fhir-error';
import { ParamList } from '../core/parameter-list';
import { DECISIONS, type Decision, isFindingType } from './review-codes';
import type { VerifyRequest } from './verify-service';

export interface VerifyParams {
  reviewer?: Reference;
  requests: VerifyRequest[];
}

const OP = '$verify';
const TARGET_RE = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/(\d{1,9}))?$/;

function decisionOf(params: ParamList): Decision {
  const code = params.code('decision');
  if (code === undefined) throw badRequest(`${params.where} needs 'decision' (valueCode: ${DECISIONS.join(' | ')})`, ['decision']);
  if (!(DECISIONS as readonly string[]).includes(code)) throw badRequest(`Unknown decision '${code.slice(0, 40)}' (expected ${DECISIONS.join(' | ')})`, ['decision']);
  return code as Decision;
}

function versionOf(params: ParamList): number | undefined {
  const raw = params.primitive('version', ['Integer', 'PositiveInt', 'Id', 'String']);
  if (raw === undefined) return undefined;
  const n = typeof raw === 'number' ? raw : /^\d{1,9}$/.test(String(raw)) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n < 1) throw badRequest("'version' must be the versionId that was reviewed (valueInteger)", ['version']);
  return n;
}

function reviewerOf(params: ParamList): Reference | undefined {
  if (!params.one('reviewer')) return undefined;
  const ref = params.reference('reviewer');
  if (typeof ref?.reference !== 'string') throw badRequest("'reviewer' must be a valueReference to a Practitioner", ['reviewer']);
  return ref;
}

/** $verify on Condition/{id} or Observation/{id}; `ifMatch` is the version of an If-Match header. */
export function instanceVerifyParams(body: unknown, resourceType: string, id: string, ifMatch: number | undefined): VerifyParams {
  if (!isFindingType(resourceType)) throw badRequest(`$verify applies to Condition and Observation, not ${resourceType}`);
  const params = ParamList.of(body, OP, ['decision', 'resource', 'note', 'reviewer', 'version']);
  const version = versionOf(params);
  if (version !== undefined && ifMatch !== undefined && version !== ifMatch) {
    throw badRequest(`'version' ${version} contradicts If-Match version ${ifMatch}`, ['version']);
  }
  const request: VerifyRequest = {
    resourceType, id, version: version ?? ifMatch, decision: decisionOf(params),
    resource: params.resource('resource'), note: params.string('note'),
  };
  return { reviewer: reviewerOf(params), requests: [request] };
}

function targetRequest(params: ParamList): VerifyRequest {
  const ref = params.reference('target')?.reference;
  const m = typeof ref === 'string' ? TARGET_RE.exec(ref) : null;
  if (!m) throw badRequest(`${params.where} needs 'target': a valueReference like Condition/123/_history/2`, ['target']);
  const [, resourceType, id, version] = m;
  if (!isFindingType(resourceType)) throw badRequest(`${params.where}: $verify applies to Condition and Observation, not ${resourceType}`, ['target']);
  return {
    resourceType, id, version: version === undefined ? undefined : Number(version), decision: decisionOf(params),
    resource: params.resource('resource'), note: params.string('note'),
  };
}

/** System-level $verify: several decisions in one transaction. */
export function batchVerifyParams(body: unknown, maxTargets: number): VerifyParams {
  const params = ParamList.of(body, OP, ['target', 'reviewer']);
  const targets = params.all('target');
  if (!targets.length) throw badRequest("System-level $verify needs at least one 'target' part", ['target']);
  if (targets.length > maxTargets) throw badRequest(`Too many targets (${targets.length}); at most ${maxTargets} per request`, ['target']);
  const requests = targets.map((t, i) => {
    if (!t.part.length) throw badRequest(`target[${i}] must have parts (target, decision, resource, note)`, ['target', t.expression]);
    return targetRequest(ParamList.parts(t, OP, `target[${i}]`).only(['target', 'decision', 'resource', 'note']));
  });
  const seen = new Set<string>();
  for (const r of requests) {
    const key = `${r.resourceType}/${r.id}`;
    if (seen.has(key)) throw badRequest(`${key} is targeted more than once; one decision per finding`, ['target']);
    seen.add(key);
  }
  return { reviewer: reviewerOf(params), requests };
}
