/** Two patients and their records, written with a backend-services token through the API. */
import type { SmartWorld } from './smart-setup';

const obs = (id: string, patient: string, category: string) => ({
  resourceType: 'Observation', id, status: 'final',
  category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: category }] }],
  code: { coding: [{ system: 'http://loinc.org', code: category === 'laboratory' ? '2345-7' : '8867-4' }] },
  subject: { reference: `Patient/${patient}` }, valueQuantity: { value: 5.4, unit: 'mmol/L' },
});

export const SEED = [
  { resourceType: 'Patient', id: 'maria', name: [{ family: 'Keller', given: ['Maria'] }] },
  { resourceType: 'Patient', id: 'sofia', name: [{ family: 'Marin', given: ['Sofia'] }] },
  { resourceType: 'Practitioner', id: 'dr-keller', name: [{ family: 'Keller', given: ['Anna'] }] },
  { resourceType: 'Organization', id: 'org-1', name: 'General Hospital' },
  obs('lab-maria', 'maria', 'laboratory'),
  obs('vitals-maria', 'maria', 'vital-signs'),
  obs('lab-sofia', 'sofia', 'laboratory'),
  { resourceType: 'Condition', id: 'cond-maria', subject: { reference: 'Patient/maria' }, code: { text: 'Diabetes' } },
  { resourceType: 'Condition', id: 'cond-sofia', subject: { reference: 'Patient/sofia' }, code: { text: 'Asthma' } },
];

export async function seed(w: SmartWorld): Promise<void> {
  const { access_token: token } = await w.system('system/*.cruds');
  for (const r of SEED) {
    const res = await w.fhir(`${r.resourceType}/${r.id}`, token, { method: 'PUT', body: r });
    if (res.status !== 201 && res.status !== 200) throw new Error(`seeding ${r.resourceType}/${r.id}: ${res.status} ${JSON.stringify(res.body)}`);
  }
}
