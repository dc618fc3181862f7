/**
 * The Provenance of a clinician's decision, and the extraction Provenance it derives from.
 * https://hl7.org/fhir/R4/provenance.html — R4 Provenance has no note: the reviewer's note goes in
 * reason.text; the decision itself (confirm | refute | amend) in activity.text next to the UPDATE code.
 */
import type { Provenance, ProvenanceEntity, Reference } from 'fhir/r4';
import type { AccessContext } from '../core/access-context';
import { parseSearchParams } from '../search/parse';
import type { SearchRegistry } from '../search/registry';
import type { StoreReader } from '../store/types';
import { type Decision, UPDATE_ACTIVITY, VERIFIER_TYPE } from './review-codes';

export interface DecisionRecord {
  resourceType: string;
  id: string;
  /** Version the reviewer decided on, and the version that records the decision. */
  previousVersion: number;
  newVersion: number;
  decision: Decision;
  reviewer: Reference;
  note?: string;
  /** `Provenance/id` of the extraction that produced the finding, when there is one. */
  extraction?: string;
  recorded: Date;
}

export function decisionProvenance(r: DecisionRecord): Provenance {
  const entity: ProvenanceEntity[] = [{ role: 'revision', what: { reference: `${r.resourceType}/${r.id}/_history/${r.previousVersion}` } }];
  if (r.extraction) entity.push({ role: 'derivation', what: { reference: r.extraction } });
  return {
    resourceType: 'Provenance',
    target: [{ reference: `${r.resourceType}/${r.id}/_history/${r.newVersion}` }],
    recorded: r.recorded.toISOString(),
    activity: { coding: [UPDATE_ACTIVITY], text: r.decision },
    ...(r.note ? { reason: [{ text: r.note }] } : {}),
    agent: [{ type: { coding: [VERIFIER_TYPE] }, who: r.reviewer }],
    entity,
  };
}

/** True for a Provenance written by a review decision (its agent is a verifier). */
export function isDecisionProvenance(p: Provenance): boolean {
  return p.agent.some((a) => a.type?.coding?.some((c) => c.system === VERIFIER_TYPE.system && c.code === VERIFIER_TYPE.code));
}

/** The latest non-decision Provenance targeting the finding (the extraction run that wrote it), as `Provenance/id`. */
export async function findExtractionProvenance(
  reader: StoreReader, ctx: AccessContext, registry: SearchRegistry, resourceType: string, id: string,
): Promise<string | undefined> {
  const { query } = parseSearchParams(registry, ['Provenance'], [['target', `${resourceType}/${id}`], ['_count', '100']], { strict: true, maxCount: 100 });
  const { matches } = await reader.search(ctx, query);
  const extractions = (matches as Provenance[]).filter((p) => !isDecisionProvenance(p));
  // ISO instants compare in time order only when both are UTC; Date parsing makes the comparison offset-proof.
  extractions.sort((a, b) => Date.parse(b.recorded) - Date.parse(a.recorded));
  return extractions[0]?.id ? `Provenance/${extractions[0].id}` : undefined;
}
