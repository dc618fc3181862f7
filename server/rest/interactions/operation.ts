/** $operations at system, type and instance level, looked up in the operation table — https://hl7.org/fhir/R4/operations.html */
import { FhirError, notFound } from '../../core/fhir-error';
import type { Exec, OperationTarget, RestDeps } from '../deps';
import type { FhirRequest, FhirResponse } from '../types';

export async function runOperation(deps: RestDeps, req: FhirRequest, exec: Exec, target: OperationTarget, name: string): Promise<FhirResponse> {
  const spec = deps.operations.find((o) => o.name === name && o.scopes.includes(target.scope)
    && (!o.resourceTypes || (target.resourceType !== undefined && o.resourceTypes.includes(target.resourceType))));
  if (!spec) throw notFound(`Operation $${name} is not supported at ${target.scope} level${target.resourceType ? ` for ${target.resourceType}` : ''}`);
  const method = req.method === 'HEAD' ? 'GET' : req.method;
  if (!(spec.methods as string[]).includes(method)) throw new FhirError(405, 'not-supported', `$${spec.name} does not accept ${req.method}`);
  return spec.handler(deps, req, target, exec);
}
