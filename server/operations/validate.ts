/**
 * $validate at type and instance level — https://hl7.org/fhir/R4/resource-operation-validate.html
 * Large bodies arrive unparsed (`req.deferredJson`) and are parsed and validated in a worker thread
 * (validation/off-thread.ts), so validating a 40 MB resource never blocks the event loop.
 */
import { hl7OperationDefinitionUrl } from '../core/canonical-urls';
import type { OperationOutcome } from 'fhir/r4';
import { type Issue, badRequest, notFound, operationOutcome } from '../core/fhir-error';
import type { OperationSpec, RestDeps } from '../rest/deps';
import { checkType } from '../rest/resource-body';
import type { FhirRequest } from '../rest/types';
import { type BodyVerdict, judgeBody } from '../validation/off-thread';
import { unwrapValidateBody } from '../validation/validate-request';

const DELETE_OK = 'Delete allowed: no referential integrity rules are enforced';

/** The verdict on the body: from the worker pool for deferred bodies, else inline. */
async function verdictOf(deps: RestDeps, req: FhirRequest): Promise<BodyVerdict> {
  if (req.deferredJson) return deps.bodyJudge ? deps.bodyJudge.judge(req.deferredJson) : judgeBody(deps.validator, req.deferredJson);
  const { resource, mode, profile } = unwrapValidateBody(req.body);
  const base: BodyVerdict = { resourceType: resource?.resourceType, id: resource?.id, mode, profile };
  if (!resource || mode === 'delete') return base;
  return { ...base, issues: deps.validator.validate(resource, profile ? { profiles: [profile] } : undefined) };
}

function outcome(issues: Issue[]): OperationOutcome {
  return issues.length ? operationOutcome(issues) : operationOutcome([{ severity: 'information', code: 'informational', diagnostics: 'Validation successful: no issues found' }]);
}

export const validateOperation: OperationSpec = {
  name: 'validate',
  definition: hl7OperationDefinitionUrl('Resource-validate'),
  scopes: ['type', 'instance'],
  methods: ['POST', 'GET'],
  affectsState: false,
  async handler(deps, req, target, exec) {
    const type = checkType(deps, target.resourceType as string);
    const v = await verdictOf(deps, req);
    if (v.mode && !['create', 'update', 'delete'].includes(v.mode)) throw badRequest(`Unknown $validate mode '${v.mode.slice(0, 40)}'`, ['mode']);
    if (v.mode === 'delete') return { status: 200, headers: {}, body: operationOutcome([{ severity: 'information', code: 'informational', diagnostics: DELETE_OK }]) };
    if (v.resourceType !== undefined && v.resourceType !== type) throw badRequest(`Resource type '${v.resourceType.slice(0, 80)}' does not match '${type}'`, ['resourceType']);
    if (target.id && v.id !== undefined && v.id !== target.id) throw badRequest(`Resource id '${v.id.slice(0, 80)}' does not match '${target.id}'`, ['id']);
    if (v.issues) return { status: 200, headers: {}, body: outcome(v.issues) };
    if (!target.id) throw badRequest('$validate needs a resource in the body or Parameters.resource');
    const stored = await exec.reader.read(req.ctx, type, target.id);
    if (!stored?.resource) throw notFound(`${type}/${target.id} is not known`);
    return { status: 200, headers: {}, body: outcome(deps.validator.validate(stored.resource, v.profile ? { profiles: [v.profile] } : undefined)) };
  },
};
