/** A provisional FamilyMemberHistory: one per relative the note names, with the conditions it says they had. */
import type { FamilyMemberHistory, FamilyMemberHistoryCondition } from 'fhir/r4';
import { conditionCodes } from './condition';
import type { FamilyGroup } from './grouping';
import { concept, evidenceExtension, provisionalMeta } from './meta';
import type { BuildContext } from './types';

/**
 * Status partial (a note rarely tells a relative's whole history). No profile of ours covers it: it
 * carries the AIAST label, the provisional tag and one nlp-evidence extension per mention; the run's
 * Provenance names it as a target too.
 */
export function buildFamilyMemberHistory(group: FamilyGroup, id: string, ctx: BuildContext): FamilyMemberHistory & { id: string } {
  const relationship = ctx.coder.relationship(group.relationship);
  const conditions: FamilyMemberHistoryCondition[] = group.conditions.map(({ finding }) => ({
    // the relative's side is not the patient's: laterality-free codes
    code: concept(conditionCodes({ ...finding, attributes: {} }, ctx.coder), ctx.coder.display(finding.concept) ?? finding.quote),
  }));
  const mentions = group.conditions.flatMap((c) => c.mentions).sort((a, b) => a.offset - b.offset);
  return {
    resourceType: 'FamilyMemberHistory',
    id,
    meta: provisionalMeta(),
    extension: mentions.map((m) => evidenceExtension(m, ctx.run, ctx.document)),
    status: 'partial',
    patient: { ...ctx.patient },
    date: ctx.run.recorded,
    relationship: concept(relationship.code ? [relationship.code] : [], relationship.code?.display),
    condition: conditions,
  };
}
