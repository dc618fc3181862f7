/** The problem list (verified and recorded conditions) and the provisional findings, kept strictly apart. */
import type { Condition, DocumentReference, Observation } from 'fhir/r4';
import { clinicalDate, conceptText, dateOnly, observationValue, sortByDate } from '../fhir-values';
import { labelled, para, table } from '../narrative';
import { isProvisional, isWithdrawn, reviewState } from '../review-state';
import type { SectionContent } from './section';
import { evidenceQuote, sourceText } from './sources';

export const noteOnVerified = (): string => para('Only clinician-recorded or clinician-verified data appear here; unreviewed NLP findings are listed under Provisional findings.');

const onset = (c: Condition): string => dateOnly(c.onsetDateTime ?? c.onsetPeriod?.start ?? c.recordedDate);
const abatement = (c: Condition): string => dateOnly(c.abatementDateTime ?? c.abatementPeriod?.end);

function provenanceOf(c: Condition): string {
  if (reviewState(c) === 'verified') return 'NLP finding confirmed by a clinician';
  return conceptText(c.verificationStatus) || 'Recorded';
}

/** Conditions recorded by clinicians or confirmed in review: never a provisional or refuted one. */
export function problemListSection(conditions: readonly Condition[], docs: ReadonlyMap<string, DocumentReference>): SectionContent {
  const entries = sortByDate(conditions.filter((c) => !isWithdrawn(c) && !isProvisional(c)));
  const rows = entries.map((c) => [
    conceptText(c.code), conceptText(c.clinicalStatus), onset(c), abatement(c), provenanceOf(c), sourceText(c, docs),
  ]);
  return {
    key: 'problems',
    entries,
    narrative: [noteOnVerified(), table({ headers: ['Condition', 'Clinical status', 'Onset', 'Resolved', 'Verification', 'Source'], rows })],
    emptyText: 'No verified conditions are recorded.',
  };
}

/** Every unreviewed NLP finding, with the note it came from and the quoted evidence. */
export function provisionalSection(
  conditions: readonly Condition[], observations: readonly Observation[], docs: ReadonlyMap<string, DocumentReference>,
): SectionContent {
  const entries = sortByDate([...conditions, ...observations].filter((r) => isProvisional(r) && !isWithdrawn(r)));
  const rows = entries.map((r) => {
    const isObs = r.resourceType === 'Observation';
    return [isObs ? 'Observation' : 'Condition', conceptText(r.code), isObs ? observationValue(r) : '',
      dateOnly(clinicalDate(r)), sourceText(r, docs), evidenceQuote(r)];
  });
  return {
    key: 'provisional',
    entries,
    narrative: [
      labelled('Not verified.', `${entries.length} finding(s) extracted by NLP from clinical notes await clinician review; they are not part of the verified record.`),
      table({ headers: ['Kind', 'Finding', 'Value', 'Date', 'Source document', 'Evidence'], rows }),
    ],
    emptyText: 'No provisional findings await review.',
  };
}
