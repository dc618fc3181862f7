/**
 * Turns the version a clinician reviewed into the version that records the decision (pure): confirm,
 * refute, or amend with the clinician's own version of the finding. The server owns the review state
 * (status, tag), keeps the AI-asserted label and keeps the evidence linking the finding to its note.
 */
import type { CodeableConcept, Coding, Condition, Extension, Meta, Observation, Reference } from 'fhir/r4';
import { FhirError, badRequest } from '../core/fhir-error';
import { CONDITION_VER_STATUS, NLP_EVIDENCE_URL } from '../core/canonical-urls';
import { type Decision, withAiLabel, withReviewState } from './review-codes';

export type Finding = (Condition | Observation) & { id: string };

const verStatus = (code: 'confirmed' | 'refuted', display: string): CodeableConcept => ({ coding: [{ system: CONDITION_VER_STATUS, code, display }] });

const sameCoding = (a: Coding, b: Coding): boolean => a.system === b.system && a.code === b.code;

function mergeCodings(...lists: (Coding[] | undefined)[]): Coding[] | undefined {
  const out: Coding[] = [];
  for (const c of lists.flatMap((l) => l ?? [])) if (!out.some((o) => sameCoding(o, c))) out.push(c);
  return out.length ? out : undefined;
}

/** meta of the decided version: review state set, AIAST kept, profiles and other tags of both versions kept. */
function decidedMeta(current: Meta | undefined, given: Meta | undefined, decision: Decision): Meta {
  const { versionId: _v, lastUpdated: _l, ...rest } = { ...current, ...given };
  const profile = [...new Set([...(current?.profile ?? []), ...(given?.profile ?? [])])];
  return {
    ...rest,
    ...(profile.length ? { profile } : {}),
    tag: withReviewState(mergeCodings(current?.tag, given?.tag), decision === 'refute' ? 'refuted' : 'verified'),
    security: withAiLabel(mergeCodings(current?.security, given?.security)),
  };
}

/** Sets the status a decision implies (Condition.verificationStatus / Observation.status). */
function withDecidedStatus(f: Finding, decision: Decision): Finding {
  const refute = decision === 'refute';
  if (f.resourceType === 'Condition') {
    // refuted may keep clinicalStatus (con-5 only forbids it with entered-in-error), so it is left as reviewed.
    return { ...f, verificationStatus: refute ? verStatus('refuted', 'Refuted') : verStatus('confirmed', 'Confirmed') };
  }
  return { ...f, status: refute ? 'entered-in-error' : 'final' };
}

const evidenceExtensions = (f: Finding): Extension[] => (f.extension ?? []).filter((e) => e.url === NLP_EVIDENCE_URL);

const refString = (r: Reference | undefined): string | undefined => r?.reference;

/**
 * The clinician's version over the reviewed one. It replaces the clinical content; what it leaves out
 * of the finding's grounding (subject, nlp-evidence extension, evidence / derivedFrom) is carried over,
 * so an amendment never silently cuts the finding off from the note it was read in.
 */
function amended(current: Finding, given: unknown): Finding {
  if (!given || typeof given !== 'object' || Array.isArray(given)) throw badRequest("decision 'amend' needs the amended resource in the 'resource' parameter", ['resource']);
  const g = given as Finding;
  if (g.resourceType !== current.resourceType) throw badRequest(`The amended resource is a ${String(g.resourceType).slice(0, 40)}, not a ${current.resourceType}`, ['resource.resourceType']);
  if (g.id !== undefined && g.id !== current.id) throw badRequest(`The amended resource has id '${String(g.id).slice(0, 64)}', not '${current.id}'`, ['resource.id']);
  if (g.subject && refString(g.subject) !== refString(current.subject)) {
    throw new FhirError(422, 'business-rule', `An amendment cannot move the finding to another subject ('${String(refString(g.subject)).slice(0, 80)}' instead of '${String(refString(current.subject))}')`, ['resource.subject']);
  }
  const merged = { ...g, id: current.id, subject: g.subject ?? current.subject } as Finding;
  if (!evidenceExtensions(g).length && evidenceExtensions(current).length) merged.extension = [...(g.extension ?? []), ...evidenceExtensions(current)];
  if (merged.resourceType === 'Condition' && current.resourceType === 'Condition' && !merged.evidence) merged.evidence = current.evidence;
  if (merged.resourceType === 'Observation' && current.resourceType === 'Observation' && !merged.derivedFrom) merged.derivedFrom = current.derivedFrom;
  return merged;
}

/** The version to store for `decision` on the reviewed `current` version. */
export function applyDecision(current: Finding, decision: Decision, amendedResource?: unknown): Finding {
  if (decision !== 'amend' && amendedResource !== undefined) throw badRequest(`The 'resource' parameter is only allowed with decision 'amend' (got '${decision}')`, ['resource']);
  const base = decision === 'amend' ? amended(current, amendedResource) : current;
  const decided = withDecidedStatus(base, decision);
  return { ...decided, meta: decidedMeta(current.meta, decision === 'amend' ? base.meta : undefined, decision) };
}
