/** The differential search test's seeded data set: a PRNG and patients, observations and conditions with awkward names, dates and units. */
import type { Condition, Observation, Patient } from 'fhir/r4';
import type { Fixture } from './fixtures';

export const LOINC = 'http://loinc.org';
export const SNOMED = 'http://snomed.info/sct';
export const UCUM = 'http://unitsofmeasure.org';
export const ACME = 'http://acme.org/lab';
export const MRN = 'http://hosp/mrn';
export const CLIN = 'http://terminology.hl7.org/CodeSystem/condition-clinical';
export const NOW = new Date('2025-01-01T00:00:00Z');

// ---------------------------------------------------------------- seeded PRNG

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Rng = () => number;
export const int = (rng: Rng, lo: number, hi: number): number => lo + Math.floor(rng() * (hi - lo + 1));
export const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)];
export const chance = (rng: Rng, p: number): boolean => rng() < p;
export const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

// ---------------------------------------------------------------- data set

const FAMILIES = ['Müller', 'Muller', 'MÜLLER', 'mueller', 'Smith', 'smith', 'Smithson', 'García', 'Garcia', 'Nguyễn', 'Nguyen', 'Lefèvre', 'Lefevre', 'Dubois', "O'Brien", 'Brown'];
const GIVENS = ['Jöhn', 'John', 'JOHN', 'Johanna', 'Anna', 'Ánna', 'Zoë', 'Zoe', 'Chloé', 'Mark', 'Élodie'];
export const GENDERS = ['male', 'female', 'other', 'unknown'] as const;
export const LOINC_CODES = ['2339-0', '718-7', '2345-7', '4548-4', '2093-3'];
export const SNOMED_CODES = ['44054006', '38341003', '195967001', '73211009'];
export const CLIN_STATUSES = ['active', 'resolved', 'inactive', 'recurrence'];
export const OBS_STATUSES = ['final', 'preliminary', 'amended', 'cancelled'] as const;
export const TZS = ['Z', '+02:00', '-05:00', '+14:00', '-11:00', '+05:30'];

export function randomDate(rng: Rng, precision: 'year' | 'month' | 'day'): string {
  const y = int(rng, 1995, 2024);
  if (precision === 'year') return String(y);
  const m = int(rng, 1, 12);
  if (precision === 'month') return `${y}-${pad(m)}`;
  return `${y}-${pad(m)}-${pad(int(rng, 1, 28))}`;
}

function randomDateTime(rng: Rng): string {
  const r = rng();
  if (r < 0.1) return randomDate(rng, 'year');
  if (r < 0.2) return randomDate(rng, 'month');
  if (r < 0.35) return randomDate(rng, 'day');
  const d = randomDate(rng, 'day');
  const secs = chance(rng, 0.8) ? `:${pad(int(rng, 0, 59))}` : '';
  return `${d}T${pad(int(rng, 0, 23))}:${pad(int(rng, 0, 59))}${secs}${pick(rng, TZS)}`;
}

export function buildDataset(seed: number): Fixture[] {
  const rng = mulberry32(seed);
  const out: Fixture[] = [];
  const patientIds: string[] = [];
  for (let i = 0; i < 40; i++) {
    const id = `p${i}`;
    patientIds.push(id);
    const names = [];
    const nNames = chance(rng, 0.1) ? 0 : chance(rng, 0.2) ? 2 : 1;
    for (let n = 0; n < nNames; n++) {
      const name: { family?: string; given?: string[]; text?: string } = {};
      if (chance(rng, 0.9)) name.family = pick(rng, FAMILIES);
      if (chance(rng, 0.85)) name.given = chance(rng, 0.3) ? [pick(rng, GIVENS), pick(rng, GIVENS)] : [pick(rng, GIVENS)];
      if (chance(rng, 0.1)) name.text = `${name.given?.[0] ?? ''} ${name.family ?? ''}`.trim();
      names.push(name);
    }
    const p: Patient & { id: string } = { resourceType: 'Patient', id };
    if (names.length) p.name = names;
    if (chance(rng, 0.9)) p.gender = pick(rng, GENDERS);
    if (chance(rng, 0.9)) p.birthDate = randomDate(rng, pick(rng, ['year', 'month', 'day', 'day'] as const));
    if (chance(rng, 0.8)) p.identifier = [{ system: chance(rng, 0.8) ? MRN : 'http://other/id', value: `MRN${int(rng, 1, 30)}` }];
    out.push(p);
  }
  for (let i = 0; i < 70; i++) {
    const code = pick(rng, LOINC_CODES);
    const coding = [{ system: LOINC, code }];
    if (chance(rng, 0.2)) coding.push({ system: ACME, code: code === '2339-0' ? 'GLU' : 'LAB' });
    const o: Observation & { id: string } = { resourceType: 'Observation', id: `o${i}`, status: pick(rng, OBS_STATUSES), code: { coding } };
    const r = rng();
    if (r < 0.5) {
      o.valueQuantity = { value: int(rng, 60, 200), unit: 'mg/dL', system: UCUM, code: 'mg/dL' };
    } else if (r < 0.8) {
      o.valueQuantity = { value: int(rng, 60, 200) / 100, unit: 'g/L', system: UCUM, code: 'g/L' };
    } else if (r < 0.9) {
      o.valueQuantity = { value: int(rng, 60, 200), unit: 'mg/dL' }; // no system/code: only unitless queries
    }
    if (chance(rng, 0.9)) o.effectiveDateTime = randomDateTime(rng);
    else if (chance(rng, 0.5)) o.effectivePeriod = { start: randomDateTime(rng), ...(chance(rng, 0.5) ? {} : { end: '2024-12-31T23:59:59Z' }) };
    if (chance(rng, 0.9)) o.subject = { reference: `Patient/${pick(rng, patientIds)}` };
    out.push(o);
  }
  for (let i = 0; i < 40; i++) {
    const c: Condition & { id: string } = {
      resourceType: 'Condition', id: `c${i}`,
      code: { coding: [{ system: SNOMED, code: pick(rng, SNOMED_CODES) }] },
      subject: { reference: `Patient/${pick(rng, patientIds)}` },
    };
    if (chance(rng, 0.85)) c.clinicalStatus = { coding: [{ system: CLIN, code: pick(rng, CLIN_STATUSES) }] };
    if (chance(rng, 0.85)) c.onsetDateTime = randomDateTime(rng);
    out.push(c);
  }
  return out;
}
