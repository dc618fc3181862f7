/**
 * Two patients with rich records for the cross-patient (IDOR) suite: Alice's token (Patient/maria, one of the
 * development provider's patients) is tried on every path to Bruno's (Patient/sofia). Bruno's ids and Bruno-only values (name, identifier, condition text) are what no response to
 * Alice may contain; his data is reachable from hers through a shared Practitioner and an Observation
 * derived from hers.
 */
import type { Resource } from 'fhir/r4';
import type { SmartWorld } from './smart-setup';

type R = Resource & { id: string };
const ref = (reference: string) => ({ reference });
const obs = (id: string, patient: string, code: string, extra: Record<string, unknown> = {}): R => ({
  resourceType: 'Observation', id, status: 'final',
  category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }],
  code: { coding: [{ system: 'http://loinc.org', code }] }, subject: ref(`Patient/${patient}`), performer: [ref('Practitioner/dr-shared')],
  effectiveDateTime: '2024-03-01T10:00:00Z', valueQuantity: { value: 5, unit: 'mmol/L' }, ...extra,
} as R);

function recordsOf(p: 'maria' | 'sofia', family: string, condition: string): R[] {
  const s = p === 'maria' ? 'a' : 'b';
  return [
    { resourceType: 'Patient', id: p, name: [{ family, given: [p === 'maria' ? 'Alice' : 'Bruno'] }], identifier: [{ system: 'urn:mrn', value: `MRN-${family.toUpperCase()}` }] } as R,
    obs(`obs-${s}1`, p, '2345-7'), obs(`obs-${s}2`, p, '2345-7'), obs(`obs-${s}3`, p, '8867-4'),
    { resourceType: 'Condition', id: `cond-${s}`, subject: ref(`Patient/${p}`), code: { text: condition } } as R,
    { resourceType: 'Encounter', id: `enc-${s}`, status: 'finished', class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' }, subject: ref(`Patient/${p}`) } as R,
    {
      resourceType: 'DocumentReference', id: `doc-${s}`, status: 'current', subject: ref(`Patient/${p}`),
      content: [{ attachment: { contentType: 'text/plain', title: `${family} letter` } }],
    } as R,
    { resourceType: 'Provenance', id: `prov-${s}`, recorded: '2024-03-01T10:00:00Z', target: [ref(`Observation/obs-${s}1`), ref(`Patient/${p}`)], agent: [{ who: ref('Practitioner/dr-shared') }] } as R,
    { resourceType: 'Group', id: `grp-${s}`, type: 'person', actual: true, member: [{ entity: ref(`Patient/${p}`) }] } as R,
  ];
}

export const ALICE = recordsOf('maria', 'Ashby', 'Seasonal asthma');
export const BRUNO = [
  ...recordsOf('sofia', 'Zeller', 'Brunonian gout'),
  // Bruno's Observation derived from Alice's: reachable from hers by _revinclude and _has.
  obs('obs-b-derived', 'sofia', '2345-7', { derivedFrom: [ref('Observation/obs-a1')] }),
];
export const SHARED: R[] = [
  { resourceType: 'Practitioner', id: 'dr-shared', name: [{ family: 'Common' }] } as R,
  // In no patient's compartment (its targets are Observations): visible to neither patient token.
  { resourceType: 'Provenance', id: 'prov-across', recorded: '2024-03-01T10:00:00Z', target: [ref('Observation/obs-a1'), ref('Observation/obs-b1')], agent: [{ who: ref('Practitioner/dr-shared') }] } as R,
];

/**
 * Resources naming both patients (in both compartments) and one of Alice's naming a record of Bruno's only:
 * Alice's token sees them, with every reference to Bruno masked (element masking, core/foreign-mask.ts).
 */
export const TWO_PATIENTS: R[] = [
  { resourceType: 'Group', id: 'team-both', type: 'person', actual: true, member: [{ entity: ref('Patient/maria') }, { entity: { reference: 'Patient/sofia', display: 'Bruno Zeller' } }] } as R,
  { resourceType: 'Provenance', id: 'prov-two', recorded: '2024-03-02T10:00:00Z', target: [ref('Patient/maria'), ref('Patient/sofia'), ref('Observation/obs-b1')], agent: [{ who: ref('Practitioner/dr-shared') }] } as R,
  { resourceType: 'Patient', id: 'alias-pat', link: [{ other: ref('Patient/maria'), type: 'seealso' }, { other: ref('Patient/sofia'), type: 'seealso' }] } as R,
  {
    resourceType: 'Appointment', id: 'appt-two', status: 'booked', text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">Alice and Bruno Zeller</div>' },
    participant: [{ actor: ref('Patient/maria'), status: 'accepted' }, { actor: ref('Patient/sofia'), status: 'accepted' }],
  } as R,
  { resourceType: 'CareTeam', id: 'careteam-two', subject: ref('Patient/maria'), participant: [{ member: ref('Patient/sofia') }, { member: ref('Practitioner/dr-shared') }] } as R,
  // Alice's alone, but derived from Bruno's Observation: that id is masked too (its target is in his compartment only).
  obs('obs-from-his', 'maria', '2345-7', { derivedFrom: [ref('Observation/obs-b1')] }),
  // Alice's alone, naming Bruno by identifier only (untyped and typed Patient) next to her own identifier, which stays.
  // (No 'Zeller' in these two: searches over masked elements still match, see the _content probe in the suite.)
  obs('obs-by-identifier', 'maria', '8867-4', {
    performer: [ref('Practitioner/dr-shared'), { identifier: { system: 'urn:mrn', value: 'MRN-ZELLER' } }, { type: 'Patient', identifier: { system: 'urn:mrn', value: 'MRN-ZELLER' }, display: 'Bruno' }],
    focus: [{ type: 'Patient', identifier: { system: 'urn:mrn', value: 'MRN-ASHBY' } }],
  }),
  // Alice's alone, carrying Bruno's demographics as a contained Patient.
  obs('obs-contained-his', 'maria', '8867-4', {
    contained: [{ resourceType: 'Patient', id: 'c1', name: [{ given: ['Bruno'] }], identifier: [{ system: 'urn:mrn', value: 'MRN-ZELLER' }] }],
    focus: [ref('#c1')],
  }),
];
/** What Alice's token may see: her records and the shared ones. */
export const ALICE_SEES = [...ALICE, ...TWO_PATIENTS];

/** Bruno's ids and Bruno-only values: none may appear in a response to Alice's token. */
export const BRUNO_MARKERS = new RegExp([...BRUNO.map((r) => r.id), 'Zeller', 'MRN-ZELLER', 'Brunonian', 'Bruno', 'prov-across'].map((s) => s.replace(/[-]/g, '\\-')).join('|'), 'i');

export async function seedCrossPatient(w: SmartWorld): Promise<string> {
  const { access_token: token } = await w.system('system/*.cruds');
  for (const r of [...SHARED.slice(0, 1), ...ALICE, ...BRUNO, ...SHARED.slice(1), ...TWO_PATIENTS]) {
    const res = await w.fhir(`${r.resourceType}/${r.id}`, token, { method: 'PUT', body: r });
    if (res.status !== 201 && res.status !== 200) throw new Error(`seeding ${r.resourceType}/${r.id}: ${res.status} ${JSON.stringify(res.body)}`);
  }
  return token;
}

/**
 * A response body as far as it carries data: OperationOutcome diagnostics and Bundle links echo what the
 * client itself sent (the id it asked for, its query), so they are left out before scanning.
 */
export function dataOf(body: unknown): string {
  // Only a Bundle's links (relation + url) are dropped: Patient.link carries data and is scanned.
  const bundleLinks = (v: unknown): boolean => Array.isArray(v) && v.every((l) => typeof l === 'object' && l !== null && 'relation' in l);
  return JSON.stringify(body, (key, value: unknown) => (key === 'diagnostics' || (key === 'link' && bundleLinks(value)) ? undefined : value)) ?? '';
}
