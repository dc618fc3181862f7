/** Building OperationOutcome issues: the subset of issue codes this module uses. */
import type { Issue } from '../core/fhir-error';

/** FHIR IssueType codes (https://hl7.org/fhir/R4/valueset-issue-type.html) that validation produces. */
export type IssueType = 'structure' | 'required' | 'value' | 'invariant' | 'code-invalid' | 'invalid' | 'not-supported' | 'informational' | 'too-costly';

export type IssueLevel = 'error' | 'warning' | 'information';

export function issue(code: IssueType, diagnostics: string, expression?: string, severity: IssueLevel = 'error'): Issue {
  return { severity, code, diagnostics, ...(expression ? { expression: [expression] } : {}) };
}
