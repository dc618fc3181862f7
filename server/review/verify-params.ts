/**
 * Reads the Parameters of $verify: at instance level `decision`, `resource`, `note`, `reviewer`,
 * `version`; at system level one `target` part per finding (`target` Reference incl. version,
 * `decision`, `resource`, `note`) plus `reviewer`.
 */
import type { Parameters, ParametersParameter, Reference } from 'fhir/r4';
import { badRequest } from '../core/fhir-error';
import { DECISIONS, type Decision, isFindingType } from './review-codes';
import type { VerifyRequest } from './verify-service';

export interface VerifyParams {
  reviewer?: Reference;
  requests: VerifyRequest[];
}

const TARGET_RE = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/(\d{1,9}))?$/;

function parameters(body: unknown): ParametersParameter[] {
  const p = body as Parameters | undefined;
  if (!p || typeof p !== 'object' || p.resourceType !== 'Parameters') throw badRequest('$verify expects a Parameters resource as the body');
  return p.parameter ?? [];
}

/** The parts by name; unknown or repeated names are a 400 (a typo must not turn into a silent default). */
function byName(parts: ParametersParameter[], allowed: readonly string[], where: string): Map<string, ParametersParameter> {
  const out = new Map<string, ParametersParameter>();
  for (const p of parts) {
    if (!allowed.includes(p.name)) throw badRequest(`Unknown parameter '${String(p.name).slice(0, 40)}' in ${where} (expected ${allowed.join(', ')})`, [p.name]);
    if (out.has(p.name)) throw badRequest(`Parameter '${p.name}' is given more than once in ${where}`, [p.name]);
    out.set(p.name, p);
  }
  return out;
}

function decisionOf(p: ParametersParameter | undefined, where: string): Decision {
  const code = p?.valueCode;
  if (code === undefined) throw badRequest(`${where} needs 'decision' (valueCode: ${DECISIONS.join(' | ')})`, ['decision']);
  if (!(DECISIONS as readonly string[]).includes(code)) throw badRequest(`Unknown decision '${code.slice(0, 40)}' (expected ${DECISIONS.join(' | ')})`, ['decision']);
  return code as Decision;
}

function noteOf(p: ParametersParameter | undefined): string | undefined {
  if (p === undefined) return undefined;
  if (typeof p.valueString !== 'string') throw badRequest("'note' must be a valueString", ['note']);
  return p.valueString;
}

function versionOf(p: ParametersParameter | undefined): number | undefined {
  if (p === undefined) return undefined;
  const raw = p.valueInteger ?? p.valuePositiveInt ?? p.valueId ?? p.valueString;
  const n = typeof raw === 'number' ? raw : /^\d{1,9}$/.test(String(raw)) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n < 1) throw badRequest("'version' must be the versionId that was reviewed (valueInteger)", ['version']);
  return n;
}

function reviewerOf(p: ParametersParameter | undefined): Reference | undefined {
  if (p === undefined) return undefined;
  if (!p.valueReference) throw badRequest("'reviewer' must be a valueReference to a Practitioner", ['reviewer']);
  return p.valueReference;
}

/** $verify on Condition/{id} or Observation/{id}; `ifMatch` is the version of an If-Match header. */
export function instanceVerifyParams(body: unknown, resourceType: string, id: string, ifMatch: number | undefined): VerifyParams {
  if (!isFindingType(resourceType)) throw badRequest(`$verify applies to Condition and Observation, not ${resourceType}`);
  const named = byName(parameters(body), ['decision', 'resource', 'note', 'reviewer', 'version'], '$verify');
  const version = versionOf(named.get('version'));
  if (version !== undefined && ifMatch !== undefined && version !== ifMatch) {
    throw badRequest(`'version' ${version} contradicts If-Match version ${ifMatch}`, ['version']);
  }
  const request: VerifyRequest = {
    resourceType, id, version: version ?? ifMatch, decision: decisionOf(named.get('decision'), '$verify'),
    resource: named.get('resource')?.resource, note: noteOf(named.get('note')),
  };
  return { reviewer: reviewerOf(named.get('reviewer')), requests: [request] };
}

function targetRequest(part: ParametersParameter, index: number): VerifyRequest {
  const where = `target[${index}]`;
  const named = byName(part.part ?? [], ['target', 'decision', 'resource', 'note'], where);
  const ref = named.get('target')?.valueReference?.reference;
  const m = ref === undefined ? null : TARGET_RE.exec(ref);
  if (!m) throw badRequest(`${where} needs 'target': a valueReference like Condition/123/_history/2`, ['target']);
  const [, resourceType, id, version] = m;
  if (!isFindingType(resourceType)) throw badRequest(`${where}: $verify applies to Condition and Observation, not ${resourceType}`, ['target']);
  return {
    resourceType, id, version: version === undefined ? undefined : Number(version), decision: decisionOf(named.get('decision'), where),
    resource: named.get('resource')?.resource, note: noteOf(named.get('note')),
  };
}

/** System-level $verify: several decisions in one transaction. */
export function batchVerifyParams(body: unknown, maxTargets: number): VerifyParams {
  const params = parameters(body);
  const targets = params.filter((p) => p.name === 'target');
  byName(params.filter((p) => p.name !== 'target'), ['reviewer'], '$verify');
  if (!targets.length) throw badRequest("System-level $verify needs at least one 'target' part", ['target']);
  if (targets.length > maxTargets) throw badRequest(`Too many targets (${targets.length}); at most ${maxTargets} per request`, ['target']);
  const requests = targets.map(targetRequest);
  const seen = new Set<string>();
  for (const r of requests) {
    const key = `${r.resourceType}/${r.id}`;
    if (seen.has(key)) throw badRequest(`${key} is targeted more than once; one decision per finding`, ['target']);
    seen.add(key);
  }
  return { reviewer: reviewerOf(params.find((p) => p.name === 'reviewer')), requests };
}
