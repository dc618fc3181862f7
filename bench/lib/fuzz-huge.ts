/**
 * Huge bodies for `npm run fuzz`, around MAX_BODY: built one at a time when sent (each is tens of
 * MB), so the fuzzer's own memory stays small. Each one is a way a client can make the server parse,
 * validate, index or store a lot: over the limit, one giant string, a giant Bundle, deep nesting,
 * tens of thousands of repeated elements, a giant patch.
 */
import type { FuzzRequest } from './fuzz-requests';

const FHIR = { 'Content-Type': 'application/fhir+json' };

function observation(i: number): Record<string, unknown> {
  return {
    resourceType: 'Observation', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '8867-4', display: 'Heart rate' }] },
    subject: { reference: 'Patient/fz-b' }, effectiveDateTime: '2024-01-01T10:00:00Z', valueQuantity: { value: 60 + (i % 50), unit: '/min', system: 'http://unitsofmeasure.org', code: '/min' },
  };
}

/** Bytes of a collection Bundle of Observations of about `mb` MB. */
function collection(mb: number, type = 'collection', request = false): string {
  const n = Math.round((mb * 1048576) / (request ? 330 : 290));
  const entry = Array.from({ length: n }, (_, i) => ({ fullUrl: `urn:uuid:00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, resource: observation(i), ...(request ? { request: { method: 'POST', url: 'Observation' } } : {}) }));
  return JSON.stringify({ resourceType: 'Bundle', type, entry });
}

const names = (count: number): string => JSON.stringify({ resourceType: 'Patient', name: Array.from({ length: count }, (_, i) => ({ family: `Fam${i}`, given: [`Given${i}`] })) });

/** Each factory builds its request for a server with a body limit of `maxBody` bytes. */
export const HUGE: { label: string; make(maxBody: number): FuzzRequest }[] = [
  { label: 'a few bytes over MAX_BODY', make: (max) => ({ kind: 'huge', method: 'POST', path: '/fhir/Patient', headers: FHIR, body: `{"resourceType":"Patient","name":[{"text":"${'x'.repeat(max - 40)}"}]}`, guards: [] }) },
  { label: 'one string just under MAX_BODY', make: (max) => ({ kind: 'huge', method: 'POST', path: '/fhir/Patient', headers: FHIR, body: `{"resourceType":"Patient","name":[{"text":"${'x'.repeat(max - 1024)}"}]}`, guards: [] }) },
  { label: '20 MB collection Bundle create', make: () => ({ kind: 'huge', method: 'POST', path: '/fhir/Bundle', headers: FHIR, body: collection(20), guards: [] }) },
  { label: 'transaction over MAX_BUNDLE_ENTRIES near MAX_BODY', make: (max) => ({ kind: 'huge', method: 'POST', path: '/fhir', headers: FHIR, body: collection(Math.min(30, (max * 0.9) / 1048576), 'transaction', true), guards: [] }) },
  { label: '3 MB transaction of 9,500 creates', make: () => ({ kind: 'huge', method: 'POST', path: '/fhir', headers: FHIR, body: collection(3, 'transaction', true), guards: [] }) },
  { label: 'nesting near MAX_BODY', make: (max) => ({ kind: 'huge', method: 'POST', path: '/fhir/Patient', headers: FHIR, body: `{"resourceType":"Patient","x":${'['.repeat(max / 2 - 64)}${']'.repeat(max / 2 - 64)}}`, guards: [] }) },
  { label: '10 MB $validate of a Bundle', make: () => ({ kind: 'huge', method: 'POST', path: '/fhir/Bundle/$validate', headers: FHIR, body: collection(10), guards: [] }) },
  { label: 'Patient with 20,000 names (1.2 MB)', make: () => ({ kind: 'huge', method: 'POST', path: '/fhir/Patient', headers: FHIR, body: names(20_000), guards: [] }) },
  { label: 'JSON Patch of 200,000 copy ops', make: () => ({ kind: 'huge', method: 'PATCH', path: '/fhir/Patient/fz-b', headers: { 'Content-Type': 'application/json-patch+json' }, body: JSON.stringify(Array.from({ length: 200_000 }, () => ({ op: 'copy', from: '/name', path: '/name/-' }))), guards: [] }) },
  { label: 'narrative of 1 MB unclosed tags', make: () => ({ kind: 'huge', method: 'POST', path: '/fhir/Patient', headers: FHIR, body: JSON.stringify({ resourceType: 'Patient', text: { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml">x${'<a'.repeat(500_000)}` } }), guards: [] }) },
];
