/**
 * One NDJSON line judged exactly as a REST create/update body would be: strict UTF-8 JSON with the
 * depth limit and FHIR string rules, a resource of a known type (the input's type when it names one),
 * a valid id when it has one, the requester's system/ scope for its type, and schema/profile validation.
 * A refused line becomes an OperationOutcome naming the input URL and line number.
 */
import type { OperationOutcome, Resource } from 'fhir/r4';
import { TWINFHIR_BASE } from '../../core/canonical-urls';
import { FhirError, type Issue, operationOutcome } from '../../core/fhir-error';
import { parseJsonBody } from '../../core/json-body';
import { bodyResource, checkId, checkType, validateForWrite, type ValidatorDeps } from '../../rest/resource-body';

/** Extensions on each error OperationOutcome: which input and which line of it. */
export const IMPORT_SOURCE_EXTENSION = `${TWINFHIR_BASE}/StructureDefinition/bulk-import-source`;
export const IMPORT_LINE_EXTENSION = `${TWINFHIR_BASE}/StructureDefinition/bulk-import-line`;

export interface LineJudge extends ValidatorDeps {
  maxJsonDepth: number;
  /** Why the requester may not write this type (undefined: it may). */
  scopeProblem(type: string, hasId: boolean): string | undefined;
}

export type JudgedLine = { resource: Resource; hasId: boolean } | { issues: Issue[] } | { blank: true };

const BLANK = /^[ \t\r]*$/;

/** Parses and validates one line; never throws for bad input. */
export function judgeLine(d: LineJudge, bytes: Buffer, expectedType: string | undefined): JudgedLine {
  if (bytes.length < 64 && BLANK.test(bytes.toString('latin1'))) return { blank: true };
  try {
    const resource = bodyResource(parseJsonBody(bytes, d.maxJsonDepth), expectedType);
    checkType(d, resource.resourceType);
    const hasId = resource.id !== undefined;
    if (hasId) checkId(typeof resource.id === 'string' ? resource.id : String(resource.id));
    const scope = d.scopeProblem(resource.resourceType, hasId);
    if (scope) throw new FhirError(403, 'forbidden', scope);
    validateForWrite(d, resource);
    return { resource, hasId };
  } catch (err) {
    if (err instanceof FhirError) return { issues: err.issues };
    throw err;
  }
}

/** The error file's entry for a refused line. */
export function lineOutcome(url: string, line: number, issues: readonly Issue[]): OperationOutcome {
  const where = `${url.slice(0, 300)} line ${line}`;
  const outcome = operationOutcome(issues.map((i) => ({ ...i, diagnostics: `${where}: ${i.diagnostics}` })));
  return { ...outcome, extension: [{ url: IMPORT_SOURCE_EXTENSION, valueUrl: url.slice(0, 2000) }, { url: IMPORT_LINE_EXTENSION, valueInteger: line }] };
}

/** A refusal of the whole line that no issue list describes (too long, a write hook's error). */
export function lineError(message: string, code: Issue['code'] = 'invalid'): Issue[] {
  return [{ severity: 'error', code, diagnostics: message }];
}
