/** A provisional Condition (nlp-condition profile) with mCODE histology, laterality and FIGO stage from one merged finding. */
import type { CodeableConcept, Condition, ConditionStage, Extension } from 'fhir/r4';
import type { ConceptCoder } from '../coding';
import type { AssertionCue, Code, Finding } from '../finding';
import type { FindingGroup } from './grouping';
import { CONDITION_VER_STATUS, NLP_CONDITION_PROFILE, SNOMED } from '../../core/canonical-urls';
import { FIGO_STAGING_SYSTEM, concept, evidenceExtension, findingDate, provisionalMeta, reference, toCoding } from './meta';
import type { BuildContext } from './types';

const MCODE = 'http://hl7.org/fhir/us/mcode/StructureDefinition';
export const HISTOLOGY_EXTENSION = `${MCODE}/mcode-histology-morphology-behavior`;
export const LATERALITY_EXTENSION = `${MCODE}/mcode-laterality-qualifier`;

/**
 * Body structures (SNOMED CT) of the concepts whose laterality mappings/ records; the laterality
 * itself rides on bodySite as the mCODE laterality qualifier, as mCODE's PrimaryCancerCondition does.
 */
const BODY_SITES: Record<string, Code> = {
  ovarian_cancer: { system: SNOMED, code: '15497006', display: 'Ovarian structure' },
  fallopian_tube_cancer: { system: SNOMED, code: '31435000', display: 'Fallopian tube structure' },
  breast_cancer: { system: SNOMED, code: '76752008', display: 'Breast structure' },
  lung_metastasis: { system: SNOMED, code: '39607008', display: 'Lung structure' },
  pleural_effusion: { system: SNOMED, code: '3120008', display: 'Pleural membrane structure' },
  deep_vein_thrombosis: { system: SNOMED, code: '61685007', display: 'Lower limb structure' },
};

const CLINICAL = 'http://terminology.hl7.org/CodeSystem/condition-clinical';
const status = (system: string, code: string, display: string): CodeableConcept => ({ coding: [{ system, code, display }] });

/** The codes a Condition carries: mappings/ (laterality-specific ICD-10-CM) first, else what the finding brought. */
export function conditionCodes(f: Finding, coder: ConceptCoder): Code[] {
  const mapped = coder.conditionCodes(f.concept, f.attributes.laterality?.key);
  return mapped.length ? mapped : f.codes;
}

function bodySite(f: Finding): CodeableConcept[] | undefined {
  const side = f.attributes.laterality;
  if (!side?.code) return undefined;
  const site = BODY_SITES[f.concept];
  const qualifier: Extension = { url: LATERALITY_EXTENSION, valueCodeableConcept: concept([side.code], side.key) };
  // no known structure: the side alone still says which one (as text, never an invented code)
  return [site ? { extension: [qualifier], coding: [toCoding(site)] } : { extension: [qualifier], text: side.key }];
}

function histology(f: Finding): Extension[] {
  const h = f.attributes.histology;
  return h?.code ? [{ url: HISTOLOGY_EXTENSION, valueCodeableConcept: concept([h.code], h.text ?? h.key.replace(/_/g, ' ')) }] : [];
}

function stage(f: Finding, coder: ConceptCoder, assessmentId?: string): ConditionStage[] | undefined {
  const figo = f.attributes.figo;
  const code = figo?.code ?? (figo ? coder.figoCode(figo.key) : undefined);
  if (!figo || !code) return undefined;
  return [{
    summary: concept([code], `FIGO ${figo.key}`),
    type: concept([FIGO_STAGING_SYSTEM], 'FIGO staging system'),
    ...(assessmentId ? { assessment: [reference('Observation', assessmentId)] } : {}),
  }];
}

/** How the reviewer reads a cue class of the uncertain-scope check. */
const CUE_NAMES: Record<AssertionCue['cue'], string> = {
  negated: 'a negation', possible: 'an uncertainty', hypothetical: 'a risk, plan or condition', family: 'a relative', question: 'a question mark',
};

/** What the reviewer should know beyond "unconfirmed": the note suspected it, held it back by a cue, or told it as past. */
function assertionNote(f: Finding): Condition['note'] {
  if (f.assertion === 'possible' && f.uncertainty) {
    const cue = f.uncertainty.cue === 'question' ? '' : ` ('${f.uncertainty.word}')`;
    return [{ text: `NLP assertion: possible — stated like a fact, but ${CUE_NAMES[f.uncertainty.cue]}${cue} stands near it whose scope the rules could not settle; check whether it applies.` }];
  }
  if (f.assertion === 'possible') return [{ text: 'NLP assertion: possible — the note states this as suspected, not established.' }];
  if (f.assertion === 'historical') return [{ text: 'NLP assertion: historical — the note states this as past (clinicalStatus inactive).' }];
  return undefined;
}

/**
 * Condition for a present, historical or possible finding: always unconfirmed (review decides);
 * clinicalStatus active, or inactive when the note tells it as past (inactive covers resolved and
 * remission without claiming which one the note meant).
 */
export function buildCondition(group: FindingGroup, id: string, ctx: BuildContext, stageObservationId?: string): Condition & { id: string } {
  const f = group.finding;
  const onset = findingDate(f);
  const site = bodySite(f);
  const stages = stage(f, ctx.coder, stageObservationId);
  const note = assertionNote(f);
  return {
    resourceType: 'Condition',
    id,
    meta: provisionalMeta(NLP_CONDITION_PROFILE),
    extension: [...group.mentions.map((m) => evidenceExtension(m, ctx.run, ctx.document)), ...histology(f)],
    clinicalStatus: f.assertion === 'historical' ? status(CLINICAL, 'inactive', 'Inactive') : status(CLINICAL, 'active', 'Active'),
    verificationStatus: status(CONDITION_VER_STATUS, 'unconfirmed', 'Unconfirmed'),
    category: [status('http://terminology.hl7.org/CodeSystem/condition-category', 'problem-list-item', 'Problem List Item')],
    code: concept(conditionCodes(f, ctx.coder), ctx.coder.display(f.concept) ?? f.quote),
    ...(site ? { bodySite: site } : {}),
    subject: { ...ctx.patient },
    ...(onset ? { onsetDateTime: onset } : {}),
    recordedDate: ctx.run.recorded,
    ...(stages ? { stage: stages } : {}),
    evidence: [{ detail: [{ ...ctx.document }] }],
    ...(note ? { note } : {}),
  };
}
