/**
 * One NDJSON line judged exactly as a REST create/update body would be: strict UTF-8 JSON with the
 * depth limit and FHIR string rules, a resource of a known type (the input's type when it names one),
 * a valid id when it has one, the requester's system/ scope for its type, and schema/profile validation.
 * A refused line becomes an OperationOutcome naming the input URL and line number.
 */
import type { OperationOutcome, Resource } from 'fhir/r4';
import { TWINFHIR_BASE } from '../../core/canonical-urls';
import { FhirError, type Issue, badRequest, notFound, operationOutcome } from '../../core/fhir-error';
import { parseJsonBody } from '../../core/json-body';
import type { ResourceValidator } from '../../validation';

/** Extensions on each error OperationOutcome: which input and which line of it. */
export const IMPORT_SOURCE_EXTENSION = `${TWINFHIR_BASE}/StructureDefinition/bulk-import-source`;
export const IMPORT_LINE_EXTENSION = `${TWINFHIR_BASE}/StructureDefinition/bulk-import-line`;

export interface LineJudge {
  validator: ResourceValidator;
  maxJsonDepth: number;
  /** Why the requester may not write this type (undefined: it may). */
  scopeProblem(type: string, hasId: boolean): string | undefined;
}

export type JudgedLine = { resource: Resource; hasId: boolean } | { issues: Issue[] } | { blank: true };

const BLANK = /^[ \t\r]*$/;
/** The id rule of REST writes (rest/resource-body.ts). */
const ID = /^[A-Za-z0-9\-.]{1,64}$/;

/** The same checks, in the same order, as a REST create/update body (rest/resource-body.ts), which bulk/ sits below. */
function asResource(d: LineJudge, body: unknown, expectedType: string | undefined): Resource {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('Line must be a JSON object (a FHIR resource)');
  const rt = (body as { resourceType?: unknown }).resourceType;
  if (typeof rt !== 'string') throw badRequest("Resource has no 'resourceType'", ['resourceType']);
  if (expectedType && rt !== expectedType) throw badRequest(`Resource type '${rt.slice(0, 80)}' does not match the input type '${expectedType}'`, ['resourceType']);
  if (!d.validator.resourceTypes().includes(rt)) throw notFound(`Unknown resource type '${rt.slice(0, 80)}'`);
  const id = (body as { id?: unknown }).id;
  if (id !== undefined && !(typeof id === 'string' && ID.test(id))) throw badRequest(`Invalid resource id '${(JSON.stringify(id) ?? '').slice(0, 80)}': 1-64 characters of A-Z a-z 0-9 - .`);
  return body as Resource;
}

/** Parses and validates one line; never throws for bad input. */
export function judgeLine(d: LineJudge, bytes: Buffer, expectedType: string | undefined): JudgedLine {
  if (bytes.length < 64 && BLANK.test(bytes.toString('latin1'))) return { blank: true };
  try {
    const resource = asResource(d, parseJsonBody(bytes, d.maxJsonDepth), expectedType);
    const hasId = resource.id !== undefined;
    const scope = d.scopeProblem(resource.resourceType, hasId);
    if (scope) throw new FhirError(403, 'forbidden', scope);
    const issues = d.validator.validate(resource);
    if (issues.some((i) => i.severity === 'error' || i.severity === 'fatal')) throw FhirError.withIssues(422, issues);
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
