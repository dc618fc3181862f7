/** delete and conditional delete — https://hl7.org/fhir/R4/http.html#delete */
import { informational, preconditionFailed } from '../../core/fhir-error';
import type { StoreWriter, StoredResource } from '../../store/types';
import { findConditionalMatches } from '../conditional';
import type { Exec, RestDeps } from '../deps';
import { etag, parseETag } from '../headers';
import { checkId, checkType } from '../resource-body';
import type { FhirRequest, FhirResponse } from '../types';

export type DeleteDeps = Pick<RestDeps, 'validator' | 'registry'>;

function deleteOne(req: FhirRequest, tx: StoreWriter, type: string, id: string): Promise<StoredResource | null> {
  const expectedVersion = parseETag(req.headers['if-match']);
  return tx.delete(req.ctx, type, id, { expectedVersion });
}

function deleted(marker: StoredResource | null, what: string): FhirResponse {
  // Deleting something already gone is not an error: delete is idempotent.
  const msg = marker ? `Deleted ${what}` : `Nothing to delete: ${what} does not exist or was already deleted`;
  return { status: 200, headers: marker ? { ETag: etag(marker.versionId) } : {}, body: informational(msg) };
}

export async function deleteInteraction(deps: DeleteDeps, req: FhirRequest, exec: Exec, type: string, id: string): Promise<FhirResponse> {
  checkType(deps, type);
  checkId(id);
  const marker = await exec.write((tx) => deleteOne(req, tx, type, id));
  return deleted(marker, `${type}/${id}`);
}

export async function conditionalDeleteInteraction(deps: DeleteDeps, req: FhirRequest, exec: Exec, type: string): Promise<FhirResponse> {
  checkType(deps, type);
  return exec.write(async (tx) => {
    const matches = await findConditionalMatches(deps, req.ctx, tx, type, req.query, 'delete');
    if (matches.length > 1) throw preconditionFailed(`Conditional delete matched several ${type} resources; narrow the criteria`);
    const match = matches[0];
    if (!match?.id) return deleted(null, `a ${type} matching the criteria`);
    return deleted(await deleteOne(req, tx, type, match.id), `${type}/${match.id}`);
  });
}
