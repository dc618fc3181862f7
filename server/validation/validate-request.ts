/** What a $validate body asks for (https://hl7.org/fhir/R4/resource-operation-validate.html): a bare resource, or Parameters with resource, mode, profile. */
import type { Resource } from 'fhir/r4';
import { badRequest } from '../core/fhir-error';
import { ParamList } from '../core/parameter-list';

export interface ValidateRequest {
  resource?: Resource;
  mode?: string;
  profile?: string;
}

export function unwrapValidateBody(body: unknown): ValidateRequest {
  if (body === undefined) return {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('Request body must be a JSON object (a FHIR resource or Parameters)');
  const rt = (body as { resourceType?: unknown }).resourceType;
  if (typeof rt !== 'string') throw badRequest("Resource has no 'resourceType'", ['resourceType']);
  if (rt !== 'Parameters') return { resource: body as Resource };
  const params = ParamList.of(body, '$validate', ['resource', 'mode', 'profile']);
  return { resource: params.resource('resource'), mode: params.code('mode'), profile: params.uri('profile') };
}
