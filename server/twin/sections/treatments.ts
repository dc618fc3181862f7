/** Medications, procedures, immunizations and allergies: one row per record, as IPS summarises them. */
import type { AllergyIntolerance, CodeableConcept, Immunization, Medication, MedicationRequest, MedicationStatement, Procedure, Reference } from 'fhir/r4';
import { clinicalDate, conceptText, dateOnly, referenceKey } from '../fhir-values';
import { table } from '../narrative';
import type { SectionKey } from '../codes';
import type { SectionContent } from './section';

type MedicationRecord = MedicationRequest | MedicationStatement;

function medicationName(m: MedicationRecord, meds: ReadonlyMap<string, Medication>): string {
  if (m.medicationCodeableConcept) return conceptText(m.medicationCodeableConcept);
  const ref: Reference | undefined = m.medicationReference;
  const med = meds.get(referenceKey(ref) ?? '');
  return (med ? conceptText(med.code) : '') || ref?.display || ref?.reference || '';
}

const dosage = (m: MedicationRecord): string => {
  const d = m.resourceType === 'MedicationRequest' ? m.dosageInstruction : m.dosage;
  return (d ?? []).map((x) => x.text ?? '').filter(Boolean).join('; ');
};

/** `records` sorted by date. */
export function medicationSection(records: readonly MedicationRecord[], meds: ReadonlyMap<string, Medication>): SectionContent {
  const rows = records.map((m) => [medicationName(m, meds), m.status, dateOnly(clinicalDate(m)), dosage(m),
    m.resourceType === 'MedicationRequest' ? 'Prescribed' : 'Statement']);
  return {
    key: 'medications',
    entries: [...records],
    narrative: [table({ headers: ['Medication', 'Status', 'Date', 'Dosage', 'Record'], rows })],
    emptyText: 'No medications are recorded.',
    byDate: true,
  };
}

/** A dated record with a code and a status: one row of code, date and status, oldest first. */
type CodedEvent = Procedure | Immunization;

function codedEventSection<T extends CodedEvent>(key: SectionKey, label: string, noun: string, records: readonly T[], code: (r: T) => CodeableConcept | undefined): SectionContent {
  const rows = records.map((r) => [conceptText(code(r)), dateOnly(clinicalDate(r)), r.status]);
  return {
    key, entries: [...records], byDate: true,
    narrative: [table({ headers: [label, 'Date', 'Status'], rows })],
    emptyText: `No ${noun} are recorded.`,
  };
}

export const procedureSection = (procedures: readonly Procedure[]): SectionContent =>
  codedEventSection('procedures', 'Procedure', 'procedures', procedures, (r) => r.code);

export const immunizationSection = (immunizations: readonly Immunization[]): SectionContent =>
  codedEventSection('immunizations', 'Vaccine', 'immunizations', immunizations, (r) => r.vaccineCode);

const text = (cc: CodeableConcept | undefined): string => conceptText(cc);

export function allergySection(allergies: readonly AllergyIntolerance[]): SectionContent {
  const rows = allergies.map((a) => [text(a.code), a.criticality ?? '', text(a.clinicalStatus), dateOnly(a.recordedDate ?? a.onsetDateTime)]);
  return {
    key: 'allergies', entries: [...allergies],
    narrative: [table({ headers: ['Substance', 'Criticality', 'Clinical status', 'Recorded'], rows })],
    emptyText: 'No allergies or intolerances are recorded.',
  };
}
