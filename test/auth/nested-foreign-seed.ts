/**
 * Resources that carry other resources or point at them without being in Bruno's compartment, for the
 * nested-foreign suite: stored Bundles (a collection of both patients' records, a document of Bruno's), her
 * own resources that contain or list his (contained Condition, List, Composition, MeasureReport,
 * DocumentManifest), and resources in no compartment that name his data (a List without subject, a Binary).
 */
import type { Resource } from 'fhir/r4';

type R = Resource & { id: string };
const ref = (reference: string) => ({ reference });
const BRUNO_PATIENT_URN = 'urn:uuid:6f0c1d1e-0000-4000-8000-00000000b0b0';

/** Her resources as they sit in the mixed Bundle: entries that stay whole for her token. */
export const HER_ENTRIES = [
  { fullUrl: 'http://x.example/fhir/Patient/maria', resource: { resourceType: 'Patient', id: 'maria', identifier: [{ system: 'urn:mrn', value: 'MRN-ASHBY' }] } },
  { fullUrl: 'http://x.example/fhir/Observation/obs-a1', resource: { resourceType: 'Observation', id: 'obs-a1', status: 'final', code: { text: 'glucose' }, subject: ref('Patient/maria') } },
];

export const BUNDLES: R[] = [
  {
    resourceType: 'Bundle', id: 'bdl-mixed', type: 'collection', link: [{ relation: 'self', url: 'http://x.example/fhir/Observation?subject=Patient/sofia' }],
    entry: [
      ...HER_ENTRIES,
      { fullUrl: 'http://x.example/fhir/Observation/obs-b1', resource: { resourceType: 'Observation', id: 'obs-b1', status: 'final', code: { text: 'Brunonian' }, subject: ref('Patient/sofia') } },
      { fullUrl: BRUNO_PATIENT_URN, resource: { resourceType: 'Patient', name: [{ family: 'Zeller', given: ['Bruno'] }] } },
      // names Bruno only through the urn of his nested Patient: in no compartment, so not hers either
      { fullUrl: 'urn:uuid:6f0c1d1e-0000-4000-8000-00000000c0c0', resource: { resourceType: 'Condition', code: { text: 'Brunonian gout' }, subject: ref(BRUNO_PATIENT_URN) } },
    ],
  } as R,
  {
    // a stored history: her entry stays whole; his PUT and his DELETE (no resource, only his ids in the urls) are masked
    resourceType: 'Bundle', id: 'bdl-history', type: 'history',
    entry: [
      { ...HER_ENTRIES[1], request: { method: 'PUT', url: 'Observation/obs-a1' }, response: { status: '200', location: 'Observation/obs-a1/_history/1' } },
      { ...HER_ENTRIES[1], fullUrl: 'http://x.example/fhir/Observation/obs-b2', resource: { resourceType: 'Observation', id: 'obs-b2', status: 'final', code: { text: 'x' }, subject: ref('Patient/sofia') },
        request: { method: 'PUT', url: 'Observation/obs-b2' }, response: { status: '200', location: 'Observation/obs-b2/_history/1' } },
      { request: { method: 'DELETE', url: 'Condition/cond-b' }, response: { status: '204', location: 'Condition/cond-b/_history/2' } },
      { request: { method: 'POST', url: 'Observation', ifNoneExist: 'subject=Patient/sofia&code=x' }, response: { status: '200' } },
    ],
  } as R,
  {
    resourceType: 'Bundle', id: 'bdl-his-document', type: 'document', timestamp: '2024-03-01T10:00:00Z', identifier: { system: 'urn:ietf:rfc:3986', value: 'urn:uuid:0b1e' },
    entry: [
      { fullUrl: 'http://x.example/fhir/Composition/comp-his', resource: { resourceType: 'Composition', id: 'comp-his', status: 'final', type: { text: 'summary' }, date: '2024-03-01', title: 'Zeller summary', author: [ref('Practitioner/dr-shared')], subject: ref('Patient/sofia') } },
      { fullUrl: 'http://x.example/fhir/Patient/sofia', resource: { resourceType: 'Patient', id: 'sofia', name: [{ family: 'Zeller' }] } },
    ],
  } as R,
];

/** Hers (in her compartment), naming his records: visible to her with those masked. */
export const HER_CARRIERS: R[] = [
  {
    resourceType: 'Observation', id: 'obs-contains-his', status: 'final', code: { text: 'note' }, subject: ref('Patient/maria'),
    contained: [
      { resourceType: 'Condition', id: 'c1', subject: ref('Patient/sofia'), code: { text: 'Brunonian gout' } },
      { resourceType: 'Medication', id: 'c2', code: { text: 'metformin' } },
      { resourceType: 'Condition', id: 'c3', subject: ref('Patient/maria'), code: { text: 'eczema' } },
      { resourceType: 'Patient', id: 'c4', identifier: [{ system: 'urn:mrn', value: 'MRN-ASHBY' }] },
    ],
    hasMember: [ref('#c2')], focus: [ref('#c1'), ref('#c3'), ref('#c4')],
  } as R,
  {
    resourceType: 'List', id: 'list-a', status: 'current', mode: 'working', subject: ref('Patient/maria'),
    text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">Followup list: glucose of a relative</div>' }, entry: [{ item: ref('Observation/obs-b1') }, { item: ref('Condition/cond-b') }, { item: ref('Observation/obs-a1') }] } as R,
  {
    resourceType: 'Composition', id: 'comp-a', status: 'final', type: { text: 'summary' }, date: '2024-03-01', title: 'Her summary', author: [ref('Practitioner/dr-shared')], subject: ref('Patient/maria'),
    section: [{ title: 'problems', entry: [ref('Condition/cond-b'), ref('Condition/cond-a')] }],
  } as R,
  { resourceType: 'MeasureReport', id: 'mr-a', status: 'complete', type: 'individual', measure: 'http://x.example/Measure/m', subject: ref('Patient/maria'), period: { start: '2024-01-01' }, evaluatedResource: [ref('Observation/obs-b1'), ref('Observation/obs-a1')] } as R,
  { resourceType: 'DocumentManifest', id: 'dm-a', status: 'current', subject: ref('Patient/maria'), content: [ref('DocumentReference/doc-b'), ref('DocumentReference/doc-a')] } as R,
];

/** Hers, naming nobody else: searches on any of it find it (the masked-element rules must not hide what she is shown). */
export const HER_OWN: R[] = [
  {
    resourceType: 'Observation', id: 'obs-own-narrative', status: 'final', code: { text: 'fasting glucose' }, subject: ref('Patient/maria'),
    performer: [ref('Practitioner/dr-shared')], derivedFrom: [ref('Observation/obs-a1')],
    text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">Fasting glucose, drawn at home</div>' },
  } as R,
  {
    resourceType: 'Observation', id: 'obs-own-identifier', status: 'final', code: { text: 'fasting glucose' }, subject: ref('Patient/maria'),
    performer: [{ type: 'Patient', identifier: { system: 'urn:mrn', value: 'MRN-ASHBY' } }],
  } as R,
];

/** In no patient's compartment, naming his data: no patient-scoped token reads them. */
export const NO_COMPARTMENT: R[] = [
  { resourceType: 'List', id: 'list-none', status: 'current', mode: 'working', title: 'Zeller follow-up', entry: [{ item: ref('Observation/obs-b1') }, { item: ref('Observation/obs-a1') }] } as R,
  { resourceType: 'Binary', id: 'bin-b', contentType: 'text/plain', securityContext: ref('Patient/sofia'), data: Buffer.from('Bruno Zeller, Brunonian gout').toString('base64') } as R,
];

export const NESTED_SEED = [...BUNDLES, ...HER_CARRIERS, ...HER_OWN, ...NO_COMPARTMENT];
