/** FHIRPath Patch — https://hl7.org/fhir/R4/fhirpatch.html (add | insert | delete | replace | move). */
import type { Parameters, Resource } from 'fhir/r4';
import { pruneEmpty } from './fhirpath-patch/json';
import { applyOperation } from './fhirpath-patch/operations';
import { parseOperations } from './fhirpath-patch/params';

/**
 * Applies a FHIRPath Patch to a copy of `resource` and returns the copy; the input is never mutated.
 * Throws FhirError 400 (`invalid`) for a malformed patch and 422 (`processing`) when a path does
 * not resolve as the operation requires, with the operation's path as the issue expression.
 */
export function applyFhirPathPatch(resource: Resource, patch: Parameters): Resource {
  // Parse everything first: a malformed operation anywhere rejects the patch before any change.
  const operations = parseOperations(patch);
  const doc = structuredClone(resource);
  for (const op of operations) {
    applyOperation(doc, op);
    // Each operation sees FHIR-valid JSON (no {} / [] left by the previous one).
    pruneEmpty(doc);
  }
  return doc;
}
