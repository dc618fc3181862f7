/**
 * bulk/consent: researchExclusions reads stored Consents through the store (both drivers) and excludes
 * exactly the patients whose newest applicable, active research Consent denies.
 */
import type { Consent } from 'fhir/r4';
import { systemContext } from '../../server/core/access-context';
import { FhirError } from '../../server/core/fhir-error';
import { DENY_RESEARCH, researchExclusions } from '../../server/bulk/consent';
import { createSearchRegistry } from '../../server/search/registry';
import type { ReadAccess, ResourceStore } from '../../server/store/types';
import { driversUnderTest } from '../support/databases';
import { type TestStore, openTestStore } from '../support/test-store';

const SCOPE = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'research' }] };
const TREATMENT = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'treatment' }] };
const LOINC_CATEGORY = [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }];
const RESEARCH_CATEGORY = [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentcategorycodes', code: 'research' }] }];
const NOW = new Date('2026-06-15T12:00:00Z');
const registry = createSearchRegistry();

let n = 0;
function consent(patient: string, type: 'deny' | 'permit', extra: Partial<Consent> = {}): Consent & { id: string } {
  return {
    resourceType: 'Consent', id: `c${++n}`, status: 'active', scope: SCOPE, category: LOINC_CATEGORY,
    patient: { reference: `Patient/${patient}` }, dateTime: '2025-01-01', provision: { type }, ...extra,
  };
}

/** patient id → their Consents; the expected outcome is in the name (deny… excluded, everything else included). */
const CASES: Record<string, (Consent & { id: string })[]> = {
  'deny': [consent('deny', 'deny')],
  'permit': [consent('permit', 'permit')],
  'none': [],
  'expired-deny': [consent('expired-deny', 'deny', { provision: { type: 'deny', period: { start: '2020-01-01', end: '2025-12-31' } } })],
  'future-deny': [consent('future-deny', 'deny', { provision: { type: 'deny', period: { start: '2027-01-01' } } })],
  'deny-until-today': [consent('deny-until-today', 'deny', { provision: { type: 'deny', period: { end: '2026-06-15' } } })],
  'inactive-deny': [consent('inactive-deny', 'deny', { status: 'inactive' })],
  'draft-deny': [consent('draft-deny', 'deny', { status: 'draft' })],
  'treatment-deny': [consent('treatment-deny', 'deny', { scope: TREATMENT })],
  'deny-by-category': [consent('deny-by-category', 'deny', { scope: TREATMENT, category: RESEARCH_CATEGORY })],
  'newer-permit': [consent('newer-permit', 'deny', { dateTime: '2024-01-01' }), consent('newer-permit', 'permit', { dateTime: '2025-03-01' })],
  'deny-newer': [consent('deny-newer', 'permit', { dateTime: '2024-01-01' }), consent('deny-newer', 'deny', { dateTime: '2025-03-01T10:00:00Z' })],
  'deny-undated-permit': [consent('deny-undated-permit', 'permit', { dateTime: undefined }), consent('deny-undated-permit', 'deny')],
  'expired-deny-older-permit': [
    consent('expired-deny-older-permit', 'permit', { dateTime: '2020-01-01' }),
    consent('expired-deny-older-permit', 'deny', { dateTime: '2025-01-01', provision: { type: 'deny', period: { end: '2025-06-01' } } }),
  ],
};
const EXPECTED = Object.keys(CASES).filter((p) => p.startsWith('deny')).sort();

describe.each(driversUnderTest())('research exclusions from Consent on %s', (kind) => {
  let t: TestStore;
  let store: ResourceStore;
  const seen: ReadAccess[] = [];

  beforeAll(async () => {
    t = await openTestStore(kind, {
      readPolicy: {
        check(ctx, access) {
          seen.push(access);
          if (!ctx.scopes.some((s) => s.startsWith('system/'))) throw new FhirError(403, 'forbidden', 'needs system/Consent.rs');
        },
      },
    });
    store = t.store;
    const ctx = systemContext('test');
    await store.transaction((tx) => tx.createMany(ctx, [
      ...Object.keys(CASES).map((id) => ({ resourceType: 'Patient' as const, id })),
      ...Object.values(CASES).flat(),
    ]));
  });
  afterAll(() => t.dispose());

  test('exactly the patients whose newest applicable active research Consent denies are excluded, with the reason', async () => {
    const out = await researchExclusions(store, systemContext('export'), undefined, { registry, now: NOW });
    expect([...out.keys()].sort()).toEqual(EXPECTED);
    expect(new Set(out.values())).toEqual(new Set([DENY_RESEARCH]));
    expect(seen.every((a) => a.interaction === 'search' && a.resourceTypes !== '*' && a.resourceTypes.includes('Consent'))).toBe(true);
  });

  test('limited to the given patients (a Patient or Group export)', async () => {
    const out = await researchExclusions(store, systemContext('export'), ['deny', 'permit', 'deny-newer', 'nobody'], { registry, now: NOW });
    expect([...out.keys()].sort()).toEqual(['deny', 'deny-newer']);
    expect((await researchExclusions(store, systemContext('export'), [], { registry, now: NOW })).size).toBe(0);
  });

  test('a period is judged at the given moment: the expired deny applied while it ran', async () => {
    const out = await researchExclusions(store, systemContext('export'), ['expired-deny', 'future-deny'], { registry, now: new Date('2023-05-01T00:00:00Z') });
    expect([...out.keys()]).toEqual(['expired-deny']);
  });

  test("the caller's access context reaches the store: a context the read policy refuses gets its 403", async () => {
    const patientApp = { ...systemContext('app'), clientId: 'app', scopes: ['patient/Observation.rs'], patient: 'deny' };
    await expect(researchExclusions(store, patientApp, undefined, { registry, now: NOW })).rejects.toMatchObject({ status: 403 });
  });
});
