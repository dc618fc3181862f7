/**
 * Errors are values with an HTTP status and a FHIR issue code; `http/` turns them into an
 * OperationOutcome in exactly one place. Anything that is not a FhirError is a 500.
 */
import type { OperationOutcome, OperationOutcomeIssue } from 'fhir/r4';

export type IssueSeverity = OperationOutcomeIssue['severity'];
export type IssueCode = OperationOutcomeIssue['code'];

export interface Issue {
  severity: IssueSeverity;
  code: IssueCode;
  diagnostics: string;
  expression?: string[];
}

export class FhirError extends Error {
  readonly status: number;
  readonly issues: Issue[];
  /** Extra response headers (e.g. Retry-After). */
  readonly headers: Record<string, string>;

  constructor(status: number, code: IssueCode, diagnostics: string, expression?: string[], headers: Record<string, string> = {}) {
    super(diagnostics);
    this.name = 'FhirError';
    this.status = status;
    this.issues = [{ severity: status >= 500 ? 'fatal' : 'error', code, diagnostics, ...(expression ? { expression } : {}) }];
    this.headers = headers;
  }

  static withIssues(status: number, issues: Issue[]): FhirError {
    const first = issues[0] ?? { severity: 'error', code: 'invalid', diagnostics: 'Invalid' };
    const err = new FhirError(status, first.code, first.diagnostics, first.expression);
    err.issues.splice(0, err.issues.length, ...issues);
    return err;
  }
}

export const badRequest = (msg: string, expression?: string[]): FhirError => new FhirError(400, 'invalid', msg, expression);
export const notFound = (msg: string): FhirError => new FhirError(404, 'not-found', msg);
export const gone = (msg: string): FhirError => new FhirError(410, 'deleted', msg);
export const conflict = (msg: string): FhirError => new FhirError(409, 'conflict', msg);
export const preconditionFailed = (msg: string): FhirError => new FhirError(412, 'conflict', msg);
export const notSupported = (msg: string): FhirError => new FhirError(400, 'not-supported', msg);
export const forbidden = (msg: string): FhirError => new FhirError(403, 'forbidden', msg);

export function operationOutcome(issues: Issue[]): OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    issue: issues.map((i) => ({
      severity: i.severity,
      code: i.code,
      diagnostics: i.diagnostics,
      ...(i.expression && i.expression.length ? { expression: i.expression } : {}),
    })),
  };
}

export function informational(msg: string): OperationOutcome {
  return operationOutcome([{ severity: 'information', code: 'informational', diagnostics: msg }]);
}
