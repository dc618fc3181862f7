/** Which data the twin shows as verified, which as provisional, and which not at all (refuted, entered in error). */
import type { CodeableConcept, Resource } from 'fhir/r4';
import { TWINFHIR_CODESYSTEM } from '../core/canonical-urls';

export type ReviewState = 'provisional' | 'verified' | 'refuted';

/** The review-state tag of an NLP finding; undefined for data recorded by people or systems directly. */
export function reviewState(r: Resource): ReviewState | undefined {
  const tag = r.meta?.tag?.find((c) => c.system === TWINFHIR_CODESYSTEM && (c.code === 'provisional' || c.code === 'verified' || c.code === 'refuted'));
  return tag?.code as ReviewState | undefined;
}

const WITHDRAWN_STATUS = new Set(['entered-in-error', 'cancelled', 'refuted']);

const codes = (cc: CodeableConcept | undefined): string[] => (cc?.coding ?? []).map((c) => c.code ?? '');

/** Refuted findings and anything entered in error or cancelled never appear in the twin. */
export function isWithdrawn(r: Resource): boolean {
  if (reviewState(r) === 'refuted') return true;
  const o = r as { status?: unknown; verificationStatus?: CodeableConcept };
  if (typeof o.status === 'string' && WITHDRAWN_STATUS.has(o.status)) return true;
  return codes(o.verificationStatus).some((c) => c === 'refuted' || c === 'entered-in-error');
}

/** An unreviewed machine finding (kept apart from verified data). */
export const isProvisional = (r: Resource): boolean => reviewState(r) === 'provisional';
