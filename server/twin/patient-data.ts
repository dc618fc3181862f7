/** Reads everything the twin is built from, only through StoreReader: compartment searches paged with the keyset cursor. */
import type {
  AllergyIntolerance, Condition, DocumentReference, Immunization, Medication, MedicationRequest, MedicationStatement,
  FhirResource, Observation, Patient, Procedure, Resource,
} from 'fhir/r4';
import type { AccessContext } from '../core/access-context';
import type { IncludeSpec, SearchQuery } from '../search/types';
import type { StoreReader } from '../store/types';
import { subjectKey } from './fhir-values';

export interface PatientData {
  patient: Patient & { id: string };
  conditions: Condition[];
  observations: Observation[];
  medicationRequests: MedicationRequest[];
  medicationStatements: MedicationStatement[];
  procedures: Procedure[];
  documents: DocumentReference[];
  immunizations: Immunization[];
  allergies: AllergyIntolerance[];
  /** Medications referenced by the requests/statements, by 'Medication/id'. */
  medications: Map<string, Medication>;
}

/** The resource types a twin section is built from (everything else in the compartment is not shown). */
export const SOURCE_TYPES = [
  'Condition', 'Observation', 'MedicationRequest', 'MedicationStatement', 'Procedure', 'DocumentReference', 'Immunization', 'AllergyIntolerance',
] as const;

const MEDICATION_INCLUDES: IncludeSpec[] = [
  { sourceType: 'MedicationRequest', param: 'medication', targetType: 'Medication', iterate: false, wildcard: false },
  { sourceType: 'MedicationStatement', param: 'medication', targetType: 'Medication', iterate: false, wildcard: false },
];

/** Every live resource of `types` in the patient's compartment, all pages (`pageSize` ≤ the store's 1,000 cap). */
export async function compartmentResources(
  reader: StoreReader, ctx: AccessContext, patientId: string, types: readonly string[], pageSize: number, include: IncludeSpec[] = [],
): Promise<{ matches: Resource[]; includes: Resource[] }> {
  const matches: Resource[] = [];
  const includes: Resource[] = [];
  let cursor: string | undefined;
  do {
    const query: SearchQuery = {
      resourceTypes: [...types], criteria: [], sort: [], count: pageSize, total: 'none', include, revinclude: [],
      compartment: { resourceType: 'Patient', id: patientId }, ...(cursor ? { cursor } : {}),
    };
    const page = await reader.search(ctx, query);
    matches.push(...page.matches);
    includes.push(...page.includes);
    cursor = page.nextCursor;
  } while (cursor);
  return { matches, includes };
}

function emptyData(patient: Patient & { id: string }): PatientData {
  return {
    patient, conditions: [], observations: [], medicationRequests: [], medicationStatements: [], procedures: [],
    documents: [], immunizations: [], allergies: [], medications: new Map(),
  };
}

/** Sorts one compartment resource into its list; only resources whose subject/patient IS this patient count. */
function place(data: PatientData, r: FhirResource, self: string): void {
  if (subjectKey(r) !== self) return;
  switch (r.resourceType) {
    case 'Condition': data.conditions.push(r); break;
    case 'Observation': data.observations.push(r); break;
    case 'MedicationRequest': data.medicationRequests.push(r); break;
    case 'MedicationStatement': data.medicationStatements.push(r); break;
    case 'Procedure': data.procedures.push(r); break;
    case 'DocumentReference': data.documents.push(r); break;
    case 'Immunization': data.immunizations.push(r); break;
    case 'AllergyIntolerance': data.allergies.push(r); break;
  }
}

export async function loadPatientData(reader: StoreReader, ctx: AccessContext, patient: Patient & { id: string }, pageSize = 1000): Promise<PatientData> {
  const data = emptyData(patient);
  const found = await compartmentResources(reader, ctx, patient.id, SOURCE_TYPES, pageSize, MEDICATION_INCLUDES);
  const self = `Patient/${patient.id}`;
  for (const r of found.matches) place(data, r as FhirResource, self);
  for (const r of found.includes) if (r.resourceType === 'Medication' && r.id) data.medications.set(`Medication/${r.id}`, r as Medication);
  return data;
}
