/** $validate at type and instance level — https://hl7.org/fhir/R4/resource-operation-validate.html */
import type { Resource } from 'fhir/r4';
import { badRequest, notFound, operationOutcome } from '../core/fhir-error';
import { ParamList } from '../core/parameter-list';
import { bodyResource, checkType } from '../rest/resource-body';
import type { OperationSpec } from '../rest/deps';

/** The resource to validate: a bare resource body, or Parameters.resource; mode and profile when given. */
function unwrap(body: unknown): { resource?: Resource; mode?: string; profile?: string } {
  const isParameters = typeof body === 'object' && body !== null && (body as { resourceType?: unknown }).resourceType === 'Parameters';
  if (!isParameters) return { resource: body === undefined ? undefined : bodyResource(body) };
  const params = ParamList.of(body, '$validate', ['resource', 'mode', 'profile']);
  return { resource: params.resource('resource'), mode: params.code('mode'), profile: params.uri('profile') };
}

export const validateOperation: OperationSpec = {
  name: 'validate',
  definition: 'http://hl7.org/fhir/OperationDefinition/Resource-validate',
  scopes: ['type', 'instance'],
  methods: ['POST', 'GET'],
  affectsState: false,
  async handler(deps, req, target, exec) {
    const type = checkType(deps, target.resourceType as string);
    const unwrapped = unwrap(req.body);
    const { mode, profile } = unwrapped;
    let resource = unwrapped.resource;
    if (mode && !['create', 'update', 'delete'].includes(mode)) throw badRequest(`Unknown $validate mode '${mode}'`, ['mode']);
    if (!resource && target.id) {
      const stored = await exec.reader.read(req.ctx, type, target.id);
      if (!stored?.resource) throw notFound(`${type}/${target.id} is not known`);
      resource = stored.resource;
    }
    if (mode === 'delete') {
      return { status: 200, headers: {}, body: operationOutcome([{ severity: 'information', code: 'informational', diagnostics: 'Delete allowed: no referential integrity rules are enforced' }]) };
    }
    if (!resource) throw badRequest('$validate needs a resource in the body or Parameters.resource');
    if (resource.resourceType !== type) throw badRequest(`Resource type '${resource.resourceType}' does not match '${type}'`, ['resourceType']);
    if (target.id && resource.id !== undefined && resource.id !== target.id) throw badRequest(`Resource id '${resource.id}' does not match '${target.id}'`, ['id']);
    const issues = deps.validator.validate(resource, profile ? { profiles: [profile] } : undefined);
    const outcome = issues.length ? operationOutcome(issues) : operationOutcome([{ severity: 'information', code: 'informational', diagnostics: 'Validation successful: no issues found' }]);
    return { status: 200, headers: {}, body: outcome };
  },
};
