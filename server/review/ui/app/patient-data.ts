/** Everything the patient view needs, fetched through standard FHIR search and read. */
import type { Observation, Patient } from 'fhir/r4';
import type { FhirClient } from './api';
import { TWINFHIR_CODESYSTEM } from '../../../core/canonical-urls';
import { CA125_LOINC, toFinding } from './fhir-model';
import { type NoteDoc, loadNote } from './note-view';
import type { Finding, FindingResource } from './types';

export interface PatientData {
  patient: Patient;
  findings: Finding[];
  /** Source notes by `DocumentReference/id`, in the order they are offered. */
  docs: Map<string, NoteDoc>;
  ca125: Observation[];
}

/** Findings in any review state: the reviewer sees what was already decided next to what is pending. */
const REVIEW_TAGS = ['provisional', 'verified', 'refuted'].map((c) => encodeURIComponent(`${TWINFHIR_CODESYSTEM}|${c}`)).join(',');

async function findingsOf(client: FhirClient, type: 'Condition' | 'Observation', patientId: string): Promise<Finding[]> {
  const found = await client.searchAll(`${type}?subject=${encodeURIComponent(`Patient/${patientId}`)}&_tag=${REVIEW_TAGS}&_count=200`);
  return found.filter((r): r is FindingResource => r.resourceType === type).map(toFinding);
}

/** Reading order: by note, then by where the evidence starts. */
function byPosition(a: Finding, b: Finding): number {
  return (a.document ?? '').localeCompare(b.document ?? '') || (a.evidence[0]?.offset ?? 0) - (b.evidence[0]?.offset ?? 0);
}

export async function loadPatientData(client: FhirClient, patientId: string): Promise<PatientData> {
  const codes = CA125_LOINC.map((c) => encodeURIComponent(`http://loinc.org|${c}`)).join(',');
  const [patient, conditions, observations, ca125] = await Promise.all([
    client.get<Patient>(`Patient/${encodeURIComponent(patientId)}`),
    findingsOf(client, 'Condition', patientId),
    findingsOf(client, 'Observation', patientId),
    client.searchAll(`Observation?subject=${encodeURIComponent(`Patient/${patientId}`)}&code=${codes}&_sort=date&_count=200`),
  ]);
  const findings = [...conditions, ...observations].sort(byPosition);
  const refs = [...new Set(findings.map((f) => f.document).filter((d): d is string => Boolean(d)))];
  const notes = await Promise.all(refs.map((r) => loadNote(client, r).catch((err: unknown): NoteDoc => ({
    ref: r, title: 'Source note', contentType: 'unknown', kind: 'none',
    problem: `The note ${r} could not be loaded: ${err instanceof Error ? err.message : String(err)}`,
  }))));
  // Notes with pending findings first, so the reviewer lands where the work is.
  const pendingIn = (ref: string): number => findings.filter((f) => f.document === ref && f.state === 'provisional').length;
  notes.sort((a, b) => Number(pendingIn(b.ref) > 0) - Number(pendingIn(a.ref) > 0));
  return {
    patient,
    findings,
    docs: new Map(notes.map((n) => [n.ref, n])),
    ca125: ca125.filter((r): r is Observation => r.resourceType === 'Observation'),
  };
}
