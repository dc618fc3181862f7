/** create and conditional create (If-None-Exist) — https://hl7.org/fhir/R4/http.html#create */
import type { Resource } from 'fhir/r4';
import type { AccessContext } from '../../core/access-context';
import { preconditionFailed } from '../../core/fhir-error';
import type { StoreWriter, StoredResource } from '../../store/types';
import { findConditionalMatches, parseCriteria } from '../conditional';
import type { Exec, RestDeps } from '../deps';
import { writeResponse } from '../headers';
import { bodyResource, checkType, validateForWrite } from '../resource-body';
import type { FhirRequest, FhirResponse } from '../types';

export type CreateDeps = Pick<RestDeps, 'validator' | 'registry' | 'ids'>;

/** The existing resource an If-None-Exist matches, if any (412 when it matches several). */
export async function ifNoneExistMatch(deps: Pick<RestDeps, 'registry'>, ctx: AccessContext, tx: StoreWriter, type: string, criteria: string): Promise<StoredResource | null> {
  const matches = await findConditionalMatches(deps, ctx, tx, type, parseCriteria(criteria), 'create (If-None-Exist)');
  if (matches.length > 1) throw preconditionFailed(`If-None-Exist matched several ${type} resources; criteria must be more selective`);
  return matches[0]?.id ? tx.read(ctx, type, matches[0].id) : null;
}

/** Inserts an already validated `resource` under the given id (the store runs the write hooks in the same transaction). */
export async function insertResource(req: FhirRequest, tx: StoreWriter, resource: Resource, id: string): Promise<FhirResponse> {
  // The server assigns the id; a client-supplied one is ignored (http.html#create).
  const withId = { ...resource, id } as Resource & { id: string };
  const stored = await tx.create(req.ctx, withId);
  return writeResponse(req, 201, stored, `Created ${stored.resourceType}/${stored.id}`);
}

export async function createInteraction(deps: CreateDeps, req: FhirRequest, exec: Exec, type: string): Promise<FhirResponse> {
  checkType(deps, type);
  const resource = bodyResource(req.body, type);
  const id = deps.ids.newId();
  validateForWrite(deps, { ...resource, id }, req.bodyIssues); // before opening a transaction
  const ifNoneExist = req.headers['if-none-exist'];
  return exec.write(async (tx) => {
    if (ifNoneExist !== undefined) {
      const existing = await ifNoneExistMatch(deps, req.ctx, tx, type, ifNoneExist);
      if (existing) return writeResponse(req, 200, existing, `Matched existing ${type}/${existing.id}; nothing created`);
    }
    return insertResource(req, tx, resource, id);
  });
}
