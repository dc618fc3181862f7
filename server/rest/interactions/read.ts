/** read and vread — https://hl7.org/fhir/R4/http.html#read, #vread */
import type { Resource } from 'fhir/r4';
import type { StoredResource } from '../../store/types';
import { badRequest, gone, notFound } from '../../core/fhir-error';
import type { Exec } from '../deps';
import { notModified, versionHeaders } from '../headers';
import { type ValidatorDeps, checkId, checkType } from '../resource-body';
import type { FhirRequest, FhirResponse } from '../types';

/** read and vread only check the type against the validator's list. */
export type ReadDeps = ValidatorDeps;

export async function readInteraction(deps: ReadDeps, req: FhirRequest, exec: Exec, type: string, id: string): Promise<FhirResponse> {
  checkType(deps, type);
  checkId(id);
  const stored = await exec.reader.read(req.ctx, type, id);
  if (!stored) throw notFound(`${type}/${id} is not known`);
  if (stored.deleted) {
    const err = gone(`${type}/${id} was deleted`);
    Object.assign(err.headers, versionHeaders(stored));
    throw err;
  }
  if (notModified(req, stored)) return { status: 304, headers: versionHeaders(stored) };
  return found(stored);
}

/** The body stays lazy: a plain read never parses the stored JSON. */
function found(stored: StoredResource): FhirResponse {
  return { status: 200, headers: versionHeaders(stored), get body(): Resource | undefined { return stored.resource; }, rawJson: stored.json };
}

export async function vreadInteraction(deps: ReadDeps, req: FhirRequest, exec: Exec, type: string, id: string, vid: string): Promise<FhirResponse> {
  checkType(deps, type);
  checkId(id);
  if (!/^\d{1,9}$/.test(vid)) throw badRequest(`Invalid version id '${vid.slice(0, 20)}'`);
  const stored = await exec.reader.vread(req.ctx, type, id, Number(vid));
  if (!stored) throw notFound(`${type}/${id}/_history/${vid} is not known`);
  if (stored.deleted) {
    const err = gone(`${type}/${id} was deleted in version ${vid}`);
    Object.assign(err.headers, versionHeaders(stored));
    throw err;
  }
  if (notModified(req, stored)) return { status: 304, headers: versionHeaders(stored) };
  return found(stored);
}
