/**
 * $verify — a clinician confirms, refutes or amends a provisional NLP finding (DESIGN.md §4 "Verification").
 *
 *   POST /fhir/Condition/{id}/$verify | /fhir/Observation/{id}/$verify   one decision (If-Match or `version`)
 *   POST /fhir/$verify                                                    several `target`s, one transaction
 *
 * Answers 200 with Parameters: per decision `target` (the new version), `decision`, `resource` (the
 * decided finding) and `provenance`; at instance level these are top-level parts and ETag/Location name
 * the new version, at system level each sits in a `result` part.
 */
import type { FhirResource, Parameters, ParametersParameter } from 'fhir/r4';
import { operationDefinitionUrl } from '../core/canonical-urls';
import type { Exec, OperationSpec, RestDeps } from '../rest/deps';
import { parseETag, versionHeaders } from '../rest/headers';
import type { FhirRequest, FhirResponse } from '../rest/types';
import { FINDING_TYPES } from '../review/review-codes';
import { resolveReviewer } from '../review/reviewer';
import { type VerifyParams, batchVerifyParams, instanceVerifyParams } from '../review/verify-params';
import { type ReviewServices, type VerifyResult, verifyFindings } from '../review/verify-service';

const DEFINITION = operationDefinitionUrl('verify');

function services(deps: RestDeps): ReviewServices {
  return { registry: deps.registry, validator: deps.validator, ids: deps.ids, clock: deps.clock };
}

function resultParts(r: VerifyResult): ParametersParameter[] {
  return [
    { name: 'target', valueReference: { reference: `${r.finding.resourceType}/${r.finding.id}/_history/${r.finding.versionId}` } },
    { name: 'decision', valueCode: r.decision },
    { name: 'resource', resource: r.finding.resource as FhirResource },
    { name: 'provenance', resource: r.provenance.resource as FhirResource },
  ];
}

/** Checks who decides, then applies every decision in one transaction (the bundle's, inside a transaction Bundle). */
function decide(deps: RestDeps, req: FhirRequest, exec: Exec, params: VerifyParams): Promise<VerifyResult[]> {
  const types = [...new Set(params.requests.map((r) => r.resourceType))];
  return exec.write(async (tx) => {
    const reviewer = await resolveReviewer(tx, req.ctx, params.reviewer, types);
    return verifyFindings(services(deps), tx, req.ctx, reviewer, params.requests);
  });
}

const instanceVerify: OperationSpec = {
  name: 'verify',
  definition: DEFINITION,
  scopes: ['instance'],
  resourceTypes: [...FINDING_TYPES],
  methods: ['POST'],
  affectsState: true,
  async handler(deps, req, target, exec): Promise<FhirResponse> {
    const params = instanceVerifyParams(req.body, target.resourceType as string, target.id as string, parseETag(req.headers['if-match']));
    const [result] = await decide(deps, req, exec, params);
    const body: Parameters = { resourceType: 'Parameters', parameter: resultParts(result) };
    const location = `${req.baseUrl}/${result.finding.resourceType}/${result.finding.id}/_history/${result.finding.versionId}`;
    return {
      status: 200,
      headers: { ...versionHeaders(result.finding), Location: location },
      body,
    };
  },
};

const batchVerify: OperationSpec = {
  name: 'verify',
  definition: DEFINITION,
  scopes: ['system'],
  methods: ['POST'],
  affectsState: true,
  async handler(deps, req, _target, exec): Promise<FhirResponse> {
    const params = batchVerifyParams(req.body, deps.limits.maxBundleEntries);
    const results = await decide(deps, req, exec, params);
    const body: Parameters = { resourceType: 'Parameters', parameter: results.map((r) => ({ name: 'result', part: resultParts(r) })) };
    return { status: 200, headers: {}, body };
  },
};

export const verifyOperations: readonly OperationSpec[] = [instanceVerify, batchVerify];
