/**
 * What a client write may do to a machine-made finding (DESIGN.md §4 "Only $verify changes review state").
 * Pure: each check returns the reason a write is refused, or undefined when it may go ahead. A machine
 * finding is a resource with the AI-asserted security label or a review-state tag.
 */
import type { Coding, Condition, FamilyMemberHistory, Observation, Resource } from 'fhir/r4';
import { AI_ASSERTED, CONDITION_VER_STATUS } from '../core/canonical-urls';
import { type ReviewState, reviewStateOf } from './review-codes';

const hasAiLabel = (r: Resource): boolean => (r.meta?.security ?? []).some((c: Coding) => c.system === AI_ASSERTED.system && c.code === AI_ASSERTED.code);

export const isMachineFinding = (r: Resource): boolean => hasAiLabel(r) || reviewStateOf(r) !== undefined;

/** The status element that records a finding's review outcome, per type (undefined for other types). */
function statusOf(r: Resource): string | undefined {
  if (r.resourceType === 'Condition') {
    const coding = (r as Condition).verificationStatus?.coding;
    return coding?.find((c) => c.system === CONDITION_VER_STATUS)?.code ?? coding?.[0]?.code;
  }
  if (r.resourceType === 'Observation' || r.resourceType === 'FamilyMemberHistory') return (r as Observation | FamilyMemberHistory).status;
  return undefined;
}

/** Statuses that say "not yet decided": what an unreviewed finding may carry. */
const UNDECIDED: Readonly<Record<string, ReadonlySet<string | undefined>>> = {
  Condition: new Set([undefined, 'unconfirmed', 'provisional', 'differential']),
  Observation: new Set(['registered', 'preliminary']),
};

const USE_VERIFY = 'review state changes only through $verify (POST [base]/{type}/{id}/$verify with decision confirm | refute | amend)';

/** A machine finding a client creates must be provisional and undecided: only $verify makes it final. */
export function createRefusal(next: Resource): string | undefined {
  if (!isMachineFinding(next)) return undefined;
  const state = reviewStateOf(next);
  if (state !== 'provisional') {
    return state === undefined
      ? `An AI-asserted ${next.resourceType} must carry the review tag 'provisional' until a clinician decides on it: ${USE_VERIFY}`
      : `A ${next.resourceType} cannot be created already '${state}': ${USE_VERIFY}`;
  }
  if (!hasAiLabel(next)) return `A provisional finding must keep the AI-asserted security label (AIAST): ${USE_VERIFY}`;
  const undecided = UNDECIDED[next.resourceType];
  if (undecided && !undecided.has(statusOf(next))) {
    return `A provisional ${next.resourceType} cannot have status '${statusOf(next) ?? ''}': ${USE_VERIFY}`;
  }
  return undefined;
}

/** Key-sorted JSON without the server-managed meta fields, so two versions compare by content. */
function content(r: Resource): string {
  const { meta, ...rest } = r;
  const keptMeta = meta ? { ...meta, versionId: undefined, lastUpdated: undefined, source: undefined } : undefined;
  return stableJson({ ...rest, meta: keptMeta });
}

function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${stableJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** Why a client may not replace `prev` by `next` (an update or patch), or undefined. */
export function updateRefusal(prev: Resource | undefined, next: Resource): string | undefined {
  if (!prev || !isMachineFinding(prev)) return createRefusal(next);
  const ref = `${prev.resourceType}/${prev.id ?? ''}`;
  const before: ReviewState | undefined = reviewStateOf(prev);
  if (before === 'provisional') {
    // Editing the code, value or evidence of an unreviewed finding is an amendment: a clinician's decision.
    return content(prev) === content(next) ? undefined : `${ref} is a provisional machine finding and cannot be edited: ${USE_VERIFY}`;
  }
  if (reviewStateOf(next) !== before) return `The review tag of ${ref} cannot be changed: ${USE_VERIFY}`;
  if (hasAiLabel(prev) && !hasAiLabel(next)) return `The AI-asserted label of ${ref} records how it was made and cannot be removed`;
  if (statusOf(prev) !== statusOf(next)) {
    return `${ref} was ${before ?? 'decided'} by a clinician; its status '${statusOf(prev) ?? ''}' cannot be changed by an update: ${USE_VERIFY}`;
  }
  return undefined;
}
