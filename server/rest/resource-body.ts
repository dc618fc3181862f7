/** Checks a request body is a resource of the right type and valid before anything is written. */
import type { Resource } from 'fhir/r4';
import { FhirError, type Issue, badRequest, notFound } from '../core/fhir-error';
import type { RestDeps } from './deps';

/** What type checks and validation need: the validator alone. */
export type ValidatorDeps = Pick<RestDeps, 'validator'>;

const ID_PATTERN = /^[A-Za-z0-9\-.]{1,64}$/;

export function checkId(id: string): string {
  if (!ID_PATTERN.test(id)) throw badRequest(`Invalid resource id '${id.slice(0, 80)}': 1-64 characters of A-Z a-z 0-9 - .`);
  return id;
}

export function checkType(deps: ValidatorDeps, resourceType: string): string {
  if (!deps.validator.resourceTypes().includes(resourceType)) throw notFound(`Unknown resource type '${resourceType.slice(0, 80)}'`);
  return resourceType;
}

/** The body as a resource of `expectedType`, not yet schema-validated. */
export function bodyResource(body: unknown, expectedType?: string): Resource {
  if (body === undefined || body === null) throw badRequest('Request body is required: a FHIR resource in JSON');
  if (typeof body !== 'object' || Array.isArray(body)) throw badRequest('Request body must be a JSON object (a FHIR resource)');
  const rt = (body as { resourceType?: unknown }).resourceType;
  if (typeof rt !== 'string') throw badRequest("Resource has no 'resourceType'", ['resourceType']);
  if (expectedType && rt !== expectedType) {
    throw badRequest(`Resource type '${rt.slice(0, 80)}' does not match the URL type '${expectedType}'`, ['resourceType']);
  }
  return body as Resource;
}

/**
 * Rejects with 422 and one issue per problem if the resource is invalid. `known`: the issues a worker
 * thread already found for this very body (FhirRequest.bodyIssues), so a huge one is not validated twice.
 */
export function validateForWrite(deps: ValidatorDeps, resource: Resource, known?: Issue[]): void {
  const issues = known ?? deps.validator.validate(resource);
  const errors = issues.filter((i) => i.severity === 'error' || i.severity === 'fatal');
  if (errors.length) throw FhirError.withIssues(422, issues);
}
