/** The worklist's data: patients with pending (provisional) findings, oldest first, from standard FHIR search. Pure grouping. */
import type { FhirResource, Patient } from 'fhir/r4';
import type { FhirClient } from './api';
import { TWINFHIR_CODESYSTEM } from '../../../core/canonical-urls';
import { formatDate, humanName } from './fhir-model';

export interface WorklistRow {
  patientId: string;
  name: string;
  details: string;
  conditions: number;
  observations: number;
  /** meta.lastUpdated of the oldest pending finding: how long the patient has been waiting. */
  oldest: string;
}

const PROVISIONAL = encodeURIComponent(`${TWINFHIR_CODESYSTEM}|provisional`);

async function pending(client: FhirClient, type: 'Condition' | 'Observation'): Promise<FhirResource[]> {
  return client.searchAll(`${type}?_tag=${PROVISIONAL}&_include=${type}:subject&_sort=_lastUpdated&_count=200`);
}

function patientDetails(p: Patient | undefined): string {
  if (!p) return '';
  const parts = [p.birthDate ? `born ${formatDate(p.birthDate)}` : '', p.gender ?? ''];
  return parts.filter(Boolean).join(' · ');
}

/** Groups pending findings by subject; patients come from the _include (a missing one still gets a row). */
export function worklistRows(resources: FhirResource[]): WorklistRow[] {
  const patients = new Map<string, Patient>();
  for (const r of resources) if (r.resourceType === 'Patient' && r.id) patients.set(r.id, r);
  const rows = new Map<string, WorklistRow>();
  for (const r of resources) {
    if (r.resourceType !== 'Condition' && r.resourceType !== 'Observation') continue;
    const id = /^Patient\/(.+)$/.exec(r.subject?.reference ?? '')?.[1];
    if (!id) continue;
    const p = patients.get(id);
    const row = rows.get(id) ?? { patientId: id, name: p ? humanName(p.name) : `Patient/${id}`, details: patientDetails(p), conditions: 0, observations: 0, oldest: '' };
    if (r.resourceType === 'Condition') row.conditions++;
    else row.observations++;
    const at = r.meta?.lastUpdated ?? '';
    if (at && (!row.oldest || at < row.oldest)) row.oldest = at;
    rows.set(id, row);
  }
  return [...rows.values()].sort((a, b) => a.oldest.localeCompare(b.oldest) || a.name.localeCompare(b.name));
}

export async function loadWorklist(client: FhirClient): Promise<WorklistRow[]> {
  const [conditions, observations] = await Promise.all([pending(client, 'Condition'), pending(client, 'Observation')]);
  return worklistRows([...conditions, ...observations]);
}
