/** update, update-as-create and conditional update — https://hl7.org/fhir/R4/http.html#update, #cond-update */
import type { Resource } from 'fhir/r4';
import { badRequest, preconditionFailed } from '../../core/fhir-error';
import type { StoreWriter } from '../../store/types';
import { findConditionalMatches } from '../conditional';
import type { Exec, RestDeps } from '../deps';
import { parseETag, writeResponse } from '../headers';
import { bodyResource, checkId, checkType, validateForWrite } from '../resource-body';
import type { FhirRequest, FhirResponse } from '../types';

export type UpdateDeps = Pick<RestDeps, 'validator' | 'registry' | 'ids'>;

/**
 * `If-None-Match: *` (create only if absent) or a list of ETags (not if the current version is one
 * of them): RFC 9110 §13.1.2 answers 412 when the condition fails. Locked on the resource's identity
 * so two such PUTs cannot both find nothing.
 */
async function checkIfNoneMatch(req: FhirRequest, tx: StoreWriter, resource: Resource & { id: string }): Promise<void> {
  const inm = req.headers['if-none-match'];
  if (inm === undefined) return;
  const tags = inm.trim() === '*' ? '*' : inm.split(',').map((t) => parseETag(t, 'If-None-Match'));
  await tx.lock(`put:${resource.resourceType}/${resource.id}`);
  const current = await tx.read(req.ctx, resource.resourceType, resource.id);
  if (!current || current.deleted) return;
  if (tags === '*' || tags.includes(current.versionId)) {
    throw preconditionFailed(`${resource.resourceType}/${resource.id} exists (version ${current.versionId}) and If-None-Match is ${inm.trim().slice(0, 60)}`);
  }
}

async function write(req: FhirRequest, tx: StoreWriter, resource: Resource & { id: string }): Promise<FhirResponse> {
  await checkIfNoneMatch(req, tx, resource);
  const expectedVersion = parseETag(req.headers['if-match']);
  const { stored, created } = await tx.update(req.ctx, resource, { expectedVersion });
  return writeResponse(req, created ? 201 : 200, stored, `${created ? 'Created' : 'Updated'} ${stored.resourceType}/${stored.id}`);
}

export async function updateInteraction(deps: UpdateDeps, req: FhirRequest, exec: Exec, type: string, id: string): Promise<FhirResponse> {
  checkType(deps, type);
  checkId(id);
  const resource = bodyResource(req.body, type);
  if (resource.id === undefined) throw badRequest('Resource in an update must have an id equal to the one in the URL', ['id']);
  if (resource.id !== id) throw badRequest(`Resource id '${String(resource.id).slice(0, 64)}' does not match the URL id '${id}'`, ['id']);
  validateForWrite(deps, resource, req.bodyIssues);
  return exec.write((tx) => write(req, tx, resource as Resource & { id: string }));
}

export async function conditionalUpdateInteraction(deps: UpdateDeps, req: FhirRequest, exec: Exec, type: string): Promise<FhirResponse> {
  checkType(deps, type);
  const resource = bodyResource(req.body, type);
  if (resource.id !== undefined) checkId(resource.id);
  return exec.write(async (tx) => {
    const matches = await findConditionalMatches(deps, req.ctx, tx, type, req.query, 'update');
    if (matches.length > 1) throw preconditionFailed(`Conditional update matched several ${type} resources; criteria must be more selective`);
    const match = matches[0];
    let id: string;
    if (match?.id) {
      if (resource.id !== undefined && resource.id !== match.id) {
        throw badRequest(`Resource id '${resource.id}' differs from the matched ${type}/${match.id}`, ['id']);
      }
      id = match.id;
    } else {
      id = resource.id ?? deps.ids.newId();
    }
    const target = { ...resource, id } as Resource & { id: string };
    validateForWrite(deps, target, req.bodyIssues);
    return write(req, tx, target);
  });
}
