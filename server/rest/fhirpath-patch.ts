/** FHIRPath Patch — https://hl7.org/fhir/R4/fhirpatch.html (add | insert | delete | replace | move). */
import type { Parameters, Resource } from 'fhir/r4';
import { FhirError } from '../core/fhir-error';
import type { R4Model } from '../core/r4/element-model';
import { pruneEmpty } from './fhirpath-patch/json';
import { PatchModel } from './fhirpath-patch/model';
import { applyOperation } from './fhirpath-patch/operations';
import { parseOperations } from './fhirpath-patch/params';
import { MAX_PATCH_OPERATIONS } from './json-patch';

/**
 * Each operation evaluates a FHIRPath and prunes the whole document: work is operations × size.
 * 64 M characters of it (e.g. 1,000 operations on a 64 KB resource) is about a second of CPU at most.
 */
const WORK_BUDGET = 64 * 1024 * 1024;

/**
 * Applies a FHIRPath Patch to a copy of `resource` and returns the copy; the input is never mutated.
 * Throws FhirError 400 (`invalid`) for a malformed patch and 422 (`processing`) when a path does
 * not resolve as the operation requires, with the operation's path as the issue expression.
 */
export function applyFhirPathPatch(model: Pick<R4Model, 'fhirpath'>, resource: Resource, patch: Parameters): Resource {
  // Parse everything first: a malformed operation anywhere rejects the patch before any change.
  const operations = parseOperations(patch);
  if (operations.length > MAX_PATCH_OPERATIONS) {
    throw new FhirError(413, 'too-costly', `A FHIRPath Patch may hold at most ${MAX_PATCH_OPERATIONS} operations (got ${operations.length})`);
  }
  const size = JSON.stringify(resource).length;
  if (operations.length > 1 && operations.length * size > WORK_BUDGET) {
    throw new FhirError(413, 'too-costly', `${operations.length} FHIRPath Patch operations on a resource of ${size} characters is too much work for one request; send fewer operations per patch`);
  }
  const pm = new PatchModel(model.fhirpath);
  const doc = structuredClone(resource);
  for (const op of operations) {
    applyOperation(pm, doc, op);
    // Each operation sees FHIR-valid JSON (no {} / [] left by the previous one).
    pruneEmpty(doc);
  }
  return doc;
}
