/** patch (JSON Patch, FHIRPath Patch) and conditional patch — https://hl7.org/fhir/R4/http.html#patch */
import type { Parameters, Resource } from 'fhir/r4';
import { FhirError, badRequest, gone, notFound, preconditionFailed } from '../../core/fhir-error';
import { resourceTooLarge } from '../../core/resource-limits';
import type { StoreWriter } from '../../store/types';
import { findConditionalMatches } from '../conditional';
import type { Exec, RestDeps } from '../deps';
import { applyFhirPathPatch } from '../fhirpath-patch';
import { applyJsonPatch } from '../json-patch';
import { parseETag, writeResponse } from '../headers';
import { checkId, checkType, validateForWrite } from '../resource-body';
import type { FhirRequest, FhirResponse } from '../types';

export type PatchDeps = Pick<RestDeps, 'validator' | 'registry' | 'limits' | 'model'>;

/** A patched resource may not outgrow what a PUT could send (MAX_RESOURCE_BYTES). */
const DEFAULT_MAX_RESOURCE_BYTES = 16 * 1024 * 1024;

function applyBody(deps: PatchDeps, req: FhirRequest, current: Resource): Resource {
  const max = deps.limits.maxResourceBytes ?? DEFAULT_MAX_RESOURCE_BYTES;
  if (req.contentType === 'application/json-patch+json') return applyJsonPatch(current, req.body, max);
  const body = req.body as Parameters | undefined;
  if (body?.resourceType === 'Parameters') {
    const patched = applyFhirPathPatch(deps.model, current, body);
    const bytes = Buffer.byteLength(JSON.stringify(patched) ?? '');
    if (bytes > max) throw resourceTooLarge(bytes, max, 'The patched resource');
    return patched;
  }
  throw new FhirError(415, 'not-supported', 'PATCH needs application/json-patch+json or a FHIRPath Patch Parameters resource');
}

async function patchOne(deps: PatchDeps, req: FhirRequest, tx: StoreWriter, type: string, id: string): Promise<FhirResponse> {
  const current = await tx.read(req.ctx, type, id);
  if (!current) throw notFound(`${type}/${id} is not known`);
  if (current.deleted || !current.resource) throw gone(`${type}/${id} was deleted`);
  const expectedVersion = parseETag(req.headers['if-match']);
  if (expectedVersion !== undefined && expectedVersion !== current.versionId) {
    throw preconditionFailed(`Version conflict: ${type}/${id} is at version ${current.versionId}, expected ${expectedVersion}`);
  }
  const patched = applyBody(deps, req, current.resource);
  if (typeof patched !== 'object' || patched === null || patched.resourceType !== type || patched.id !== id) throw badRequest('A patch may not change resourceType or id');
  validateForWrite(deps, patched);
  // The read above did not lock; the store re-checks the version under its row lock.
  const { stored } = await tx.update(req.ctx, patched as Resource & { id: string }, { expectedVersion: current.versionId });
  return writeResponse(req, 200, stored, `Patched ${type}/${id}`);
}

export async function patchInteraction(deps: PatchDeps, req: FhirRequest, exec: Exec, type: string, id: string): Promise<FhirResponse> {
  checkType(deps, type);
  checkId(id);
  return exec.write((tx) => patchOne(deps, req, tx, type, id));
}

export async function conditionalPatchInteraction(deps: PatchDeps, req: FhirRequest, exec: Exec, type: string): Promise<FhirResponse> {
  checkType(deps, type);
  return exec.write(async (tx) => {
    const matches = await findConditionalMatches(deps, req.ctx, tx, type, req.query, 'patch');
    if (matches.length === 0) throw notFound(`Conditional patch matched no ${type}`);
    if (matches.length > 1) throw preconditionFailed(`Conditional patch matched several ${type} resources`);
    return patchOne(deps, req, tx, type, matches[0].id as string);
  });
}
