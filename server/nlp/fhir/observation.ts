/** A provisional Observation (nlp-observation profile; LOINC code, or SNOMED CT where LOINC has none): lab, vital sign, ECOG, FIGO stage or BRCA variant. */
import type { Observation, ObservationComponent } from 'fhir/r4';
import type { ConceptCoder } from '../coding';
import type { Code, Finding } from '../finding';
import type { FindingGroup } from './grouping';
import { LOINC, NLP_OBSERVATION_PROFILE } from '../../core/canonical-urls';
import { FIGO_STAGING_SYSTEM, concept, evidenceExtension, findingDate, provisionalMeta, reference } from './meta';
import { FIGO_CONCEPT, type ObservationValue, categoriesOf, isVariant } from './observation-value';
import type { BuildContext } from './types';

/** LOINC 48018-6 Gene studied [ID]: the component naming the HGNC gene of a variant assessment. */
const GENE_STUDIED: Code = { system: LOINC, code: '48018-6', display: 'Gene studied [ID]' };

/** The codes an Observation carries: mappings/ first, else what the finding brought. */
export function observationCodes(f: Finding, coder: ConceptCoder): Code[] {
  const mapped = coder.observationCodes(f.concept);
  return mapped.length ? mapped : f.codes;
}

function geneComponent(f: Finding, coder: ConceptCoder): ObservationComponent[] | undefined {
  if (!isVariant(f)) return undefined;
  const gene = coder.gene(f.concept)?.code ?? f.attributes.gene?.code;
  return gene ? [{ code: concept([GENE_STUDIED]), valueCodeableConcept: concept([gene], gene.display) }] : undefined;
}

export interface ObservationLinks {
  /** The cancer Condition a FIGO stage is about (mCODE CancerStage `focus`). */
  focusConditionId?: string;
}

/**
 * Status preliminary until review. Every Observation claims nlp-observation: its code is LOINC, or SNOMED CT
 * where LOINC has none (FIGO stage, nlpo-5).
 */
export function buildObservation(group: FindingGroup, id: string, value: ObservationValue, ctx: BuildContext, links: ObservationLinks = {}): Observation & { id: string } {
  const f = group.finding;
  const codes = observationCodes(f, ctx.coder);
  const categories = categoriesOf(f);
  const effective = findingDate(f) ?? ctx.noteDate;
  const component = geneComponent(f, ctx.coder);
  const figo = f.concept === FIGO_CONCEPT;
  return {
    resourceType: 'Observation',
    id,
    meta: provisionalMeta(NLP_OBSERVATION_PROFILE),
    extension: group.mentions.map((m) => evidenceExtension(m, ctx.run, ctx.document)),
    status: 'preliminary',
    ...(categories ? { category: categories } : {}),
    code: concept(codes, ctx.coder.display(f.concept) ?? f.quote),
    subject: { ...ctx.patient },
    ...(figo && links.focusConditionId ? { focus: [reference('Condition', links.focusConditionId)] } : {}),
    ...(effective ? { effectiveDateTime: effective } : {}),
    issued: ctx.run.recorded,
    ...value,
    ...(figo ? { method: concept([FIGO_STAGING_SYSTEM], 'FIGO staging system') } : {}),
    derivedFrom: [{ ...ctx.document }],
    ...(component ? { component } : {}),
    ...(f.assertion === 'possible' ? { note: [{ text: 'NLP assertion: possible — the note states this value with uncertainty.' }] } : {}),
  };
}
