/** Findings of one extraction run → provisional Conditions, Observations, FamilyMemberHistory, one Provenance and its Device (DESIGN.md §4). */
import type { Reference } from 'fhir/r4';
import { buildCondition, conditionCodes } from './condition';
import { buildFamilyMemberHistory } from './family-history';
import { type FamilyGroup, type FindingGroup, routeFindings } from './grouping';
import { reference } from './meta';
import { buildObservation, observationCodes } from './observation';
import { FIGO_CONCEPT, type ObservationValue, observationValue } from './observation-value';
import { buildDevice, buildProvenance } from './provenance';
import type { BuildContext, FindingResource, FindingResources, FindingResourcesInput } from './types';

export type { BuildContext, ExtractionRun, FindingResource, FindingResources, FindingResourcesInput } from './types';
export { deviceId } from './provenance';

interface Writable {
  conditions: FindingGroup[];
  observations: Array<{ group: FindingGroup; value: ObservationValue }>;
  family: FamilyGroup[];
}

/** The note's own date: what the caller says, else the period it documents, else when it was written. */
function noteDateOf(input: FindingResourcesInput): string | undefined {
  return input.documentDate ?? input.document.context?.period?.start ?? input.document.date;
}

/** Keeps what can become a valid resource; counts the rest (a code or value the finding lacks) on the diagnostics. */
function writable(input: FindingResourcesInput, ctx: BuildContext): Writable {
  const { coder, diagnostics, run } = input;
  const routed = routeFindings(input.findings, ctx.noteDate);
  const drop = (reason: string, count: number): void => {
    if (count > 0) diagnostics?.dropped(run.engine, reason, count);
  };
  drop('family-observation', routed.familyObservations.length);
  const coded = (g: FindingGroup): boolean => {
    const ok = conditionCodes({ ...g.finding, attributes: {} }, coder).length > 0;
    if (!ok) drop('no-code', g.mentions.length);
    return ok;
  };
  const conditions = routed.conditions.filter(coded);
  const observations: Writable['observations'] = [];
  for (const group of routed.observations) {
    const value = observationValue(group.finding, coder);
    if (!observationCodes(group.finding, coder).length) drop('no-code', group.mentions.length);
    else if (!value) drop('no-value', group.mentions.length);
    else observations.push({ group, value });
  }
  const family = routed.family
    .map((fam) => ({ ...fam, conditions: fam.conditions.filter(coded) }))
    .filter((fam) => fam.conditions.length > 0);
  return { conditions, observations, family };
}

/** The cancer Condition a FIGO stage is about: the one carrying that stage, else the only one carrying a stage or histology. */
function stagedCondition(stage: unknown, conditions: FindingGroup[]): number {
  const exact = conditions.findIndex((c) => c.finding.attributes.figo?.key === stage);
  if (exact >= 0) return exact;
  const cancers = conditions.map((c, i) => (c.finding.attributes.figo || c.finding.attributes.histology ? i : -1)).filter((i) => i >= 0);
  return cancers.length === 1 ? cancers[0] : -1;
}

/**
 * Builds every resource of one run, ids from `newId()` (Conditions, Observations, FamilyMemberHistory,
 * then the Provenance). Negated and hypothetical findings become nothing, family findings
 * FamilyMemberHistory, and mentions of the same fact one resource with one nlp-evidence per mention.
 * When nothing is written, the Provenance targets the note itself; a caller may skip writing it.
 */
export function buildFindingResources(input: FindingResourcesInput): FindingResources {
  const noteDate = noteDateOf(input);
  const ctx: BuildContext = {
    patient: input.patient, document: reference('DocumentReference', input.document.id), run: input.run, coder: input.coder,
    ...(noteDate ? { noteDate } : {}),
  };
  const w = writable(input, ctx);
  const conditionIds = w.conditions.map(() => input.newId());
  const observationIds = w.observations.map(() => input.newId());
  const familyIds = w.family.map(() => input.newId());
  const stageObservation = (figo: string | undefined): string | undefined => {
    const i = figo === undefined ? -1 : w.observations.findIndex((o) => o.group.finding.concept === FIGO_CONCEPT && o.group.finding.value === figo);
    return i >= 0 ? observationIds[i] : undefined;
  };
  const resources: Array<FindingResource & { id: string }> = [
    ...w.conditions.map((g, i) => buildCondition(g, conditionIds[i], ctx, stageObservation(g.finding.attributes.figo?.key))),
    ...w.observations.map(({ group, value }, i) => {
      const focus = group.finding.concept === FIGO_CONCEPT ? stagedCondition(group.finding.value, w.conditions) : -1;
      return buildObservation(group, observationIds[i], value, ctx, focus >= 0 ? { focusConditionId: conditionIds[focus] } : {});
    }),
    ...w.family.map((g, i) => buildFamilyMemberHistory(g, familyIds[i], ctx)),
  ];
  const targets: Reference[] = resources.map((r) => reference(r.resourceType, r.id));
  return { resources, provenance: buildProvenance(input.newId(), targets, input.document, input.run), device: buildDevice(input.run) };
}
