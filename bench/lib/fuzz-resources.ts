/**
 * Resources for `npm run fuzz`: the seeded ones whose versions must not move when a request is
 * refused, and valid examples mutated at random places (wrong JSON kinds, extra array levels, bad
 * strings, unknown keys, removed keys) — the shapes issue 12 found bypassing validation.
 */
import fc from 'fast-check';
import { odd } from '../../test/fuzz/arbitraries';

type Json = Record<string, unknown>;

/** A family name no generated query or conditional write uses, so only guarded requests reach seeds. */
const SEED_FAMILY = 'Zzseedonly';

export function seedPatient(n: number): Json {
  return { resourceType: 'Patient', id: `seed-p${n}`, active: true, name: [{ family: SEED_FAMILY, given: [`S${n}`] }], birthDate: `19${60 + n}-03-04`, gender: n % 2 ? 'male' : 'female' };
}

export function seedObservation(n: number): Json {
  return {
    resourceType: 'Observation', id: `seed-o${n}`, status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }], text: SEED_FAMILY },
    subject: { reference: `Patient/seed-p${n}` }, valueQuantity: { value: 60 + n, unit: '/min', system: 'http://unitsofmeasure.org', code: '/min' },
  };
}

export const SEEDS = Array.from({ length: 10 }, (_, n) => [seedPatient(n), seedObservation(n)]).flat();

const EXAMPLES: Json[] = [
  { resourceType: 'Patient', name: [{ family: 'Fam', given: ['Ann', 'B'] }], telecom: [{ system: 'phone', value: '123' }], birthDate: '1970-01-02', text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml"><p>Ann</p></div>' } },
  { resourceType: 'Observation', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '85354-9' }] }, subject: { reference: 'Patient/fz-b' }, component: [{ code: { text: 'sys' }, valueQuantity: { value: 120, unit: 'mm[Hg]' } }], effectiveDateTime: '2024-01-01T10:00:00Z' },
  { resourceType: 'Condition', clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] }, code: { text: 'x' }, subject: { reference: 'Patient/fz-b' }, onsetDateTime: '2020' },
  { resourceType: 'DocumentReference', status: 'current', subject: { reference: 'Patient/fz-b' }, content: [{ attachment: { contentType: 'text/plain', data: 'aGVsbG8gd29ybGQ=' } }] },
  { resourceType: 'Bundle', type: 'collection', entry: [{ fullUrl: 'urn:uuid:11111111-1111-4111-8111-111111111111', resource: { resourceType: 'Patient', active: true } }] },
  { resourceType: 'Location', name: 'L', position: { latitude: 52.1, longitude: 4.3 } },
  { resourceType: 'SearchParameter', url: 'http://example.org/sp/fz', name: 'fz', status: 'active', description: 'x', code: 'fz', base: ['Patient'], type: 'string', expression: 'Patient.name.family' },
  { resourceType: 'Binary', contentType: 'application/pdf', data: 'JVBERi0xLjQK' },
  { resourceType: 'Parameters', parameter: [{ name: 'x', valueString: 'y' }] },
];

const BAD_STRINGS = ['\u0000', 'a\u0001b', '\ud800', '\udfff', '2000-13-45', '0000', '<div>', 'java\tscript:alert(1)', ' ', '', 'x'.repeat(4096), 'Patient.descendants().repeat(descendants())'];
const KINDS = ['odd', 'wrap', 'unwrap', 'badString', 'remove', 'unknownKey', 'nest'] as const;
const mutation = fc.tuple(fc.nat(), fc.constantFrom(...KINDS), odd, fc.constantFrom(...BAD_STRINGS));

interface Slot { parent: Json | unknown[]; key: string | number }

function slots(v: unknown, out: Slot[] = []): Slot[] {
  if (Array.isArray(v)) v.forEach((item, i) => { out.push({ parent: v, key: i }); slots(item, out); });
  else if (v && typeof v === 'object') for (const [k, item] of Object.entries(v)) { out.push({ parent: v as Json, key: k }); slots(item, out); }
  return out;
}

function set(s: Slot, value: unknown): void {
  (s.parent as Record<string | number, unknown>)[s.key] = value;
}

function mutate(r: Json, [at, kind, oddValue, bad]: [number, typeof KINDS[number], unknown, string]): void {
  const all = slots(r);
  const s = all[at % all.length];
  const current = (s.parent as Record<string | number, unknown>)[s.key];
  switch (kind) {
    case 'odd': set(s, oddValue); break;
    case 'wrap': set(s, [current]); break;
    case 'unwrap': set(s, Array.isArray(current) ? current[0] : current); break;
    case 'badString': set(s, bad); break;
    case 'remove': if (Array.isArray(s.parent)) s.parent.splice(Number(s.key), 1); else delete s.parent[s.key as string]; break;
    case 'unknownKey': if (current && typeof current === 'object' && !Array.isArray(current)) (current as Json).bogus = oddValue; else set(s, { bogus: current }); break;
    case 'nest': set(s, [[current]]); break;
  }
}

/** A valid example with 0–4 random mutations (0 keeps some valid writes in the mix). */
export const mutatedResource: fc.Arbitrary<Json> = fc.tuple(fc.nat({ max: EXAMPLES.length - 1 }), fc.array(mutation, { maxLength: 4 }), fc.option(fc.constantFrom('fz-b', 'fz-c', 'bad id', 'x'.repeat(65)), { nil: undefined }))
  .map(([i, mutations, id]) => {
    const r = structuredClone(EXAMPLES[i]);
    if (id !== undefined) r.id = id;
    for (const m of mutations) mutate(r, m);
    return r;
  });

/** Where patches go: mostly scratch resources, sometimes a seed (guarded), sometimes nowhere. */
export const patchTarget = fc.constantFrom('Patient/fz-b', 'Patient/fz-c', 'Patient/hostile-a-patch-target', 'Patient/seed-p7', 'Observation/seed-o2', 'Patient/nope', 'Patient', 'Patient/bad id');

/** The seeds a request to `target` may change. */
export function seedTargets(target: string): string[] {
  return /\/seed-/.test(target) ? [target] : [];
}
