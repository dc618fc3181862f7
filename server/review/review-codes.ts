/** Systems and codes of the review workflow (DESIGN.md §4): review-state tags, AI label, statuses, Provenance codings. */
import type { Coding, Resource } from 'fhir/r4';
import { AI_ASSERTED, TWINFHIR_CODESYSTEM } from '../core/canonical-urls';

export const CONDITION_CLINICAL = 'http://terminology.hl7.org/CodeSystem/condition-clinical';

export const VERIFIER_TYPE: Coding = { system: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type', code: 'verifier', display: 'Verifier' };
export const UPDATE_ACTIVITY: Coding = { system: 'http://terminology.hl7.org/CodeSystem/v3-DataOperation', code: 'UPDATE', display: 'revise' };

export type ReviewState = 'provisional' | 'verified' | 'refuted';
export type Decision = 'confirm' | 'refute' | 'amend';
export const DECISIONS: readonly Decision[] = ['confirm', 'refute', 'amend'];

/** Resource types a clinician can verify. */
export type FindingType = 'Condition' | 'Observation';
export const FINDING_TYPES: readonly FindingType[] = ['Condition', 'Observation'];

export const isFindingType = (t: string): t is FindingType => (FINDING_TYPES as readonly string[]).includes(t);

export function reviewTag(state: ReviewState): Coding {
  const display = { provisional: 'Provisional (unreviewed NLP finding)', verified: 'Verified by a clinician', refuted: 'Refuted by a clinician' }[state];
  return { system: TWINFHIR_CODESYSTEM, code: state, display };
}

const isReviewTag = (c: Coding): boolean => c.system === TWINFHIR_CODESYSTEM && (c.code === 'provisional' || c.code === 'verified' || c.code === 'refuted');

/** The review state recorded in meta.tag, or undefined for a resource that is not an NLP finding. */
export function reviewStateOf(resource: Resource): ReviewState | undefined {
  return resource.meta?.tag?.find(isReviewTag)?.code as ReviewState | undefined;
}

/** meta.tag with the review state replaced (every other tag kept). */
export function withReviewState(tags: Coding[] | undefined, state: ReviewState): Coding[] {
  return [...(tags ?? []).filter((c) => !isReviewTag(c)), reviewTag(state)];
}

/** meta.security with the AI-asserted label present exactly once (it records AI involvement, which review does not undo). */
export function withAiLabel(security: Coding[] | undefined): Coding[] {
  const rest = (security ?? []).filter((c) => !(c.system === AI_ASSERTED.system && c.code === AI_ASSERTED.code));
  const existing = (security ?? []).find((c) => c.system === AI_ASSERTED.system && c.code === AI_ASSERTED.code);
  return [...rest, existing ?? { ...AI_ASSERTED }];
}
