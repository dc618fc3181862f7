/**
 * The research export's flow over a real store (both drivers): Synthea patients loaded through the API,
 * one of them refusing research in a Consent; every stored resource read back with search, patients
 * excluded by Consent left out, the rest pseudonymised. What $export does per resource, end to end.
 */
import { readFileSync } from 'node:fs';
import type { Patient, Resource } from 'fhir/r4';
import request from 'supertest';
import { systemContext } from '../../server/core/access-context';
import { researchExclusions } from '../../server/bulk/consent';
import { createPseudonymizer, loadPseudonymizationProfile } from '../../server/bulk/pseudonymize';
import { parseSearchParams } from '../../server/search/parse';
import { SYNTHEA_BUNDLES_DIR } from '../../bench/lib/synthea-stored';
import { driversUnderTest } from '../support/databases';
import { type TestApp, startTestApp } from '../support/test-app';
import { KEY_A, model, occursAsToken, referencesOf, registry, sensitiveValues } from './pseudonymize-helpers';

const FILES = ['Liz_Conn_27c911c6-f045-4ffa-af5d-6eba57ac94b2.json', 'Luigi_Wiegand_e27d88b0-c5e5-4042-ad49-184f6a900ee3.json'];
const BASE = 'http://127.0.0.1/fhir';

async function everything(app: TestApp): Promise<Resource[]> {
  const { query } = parseSearchParams(registry, [], [['_count', '1000']], { maxCount: 1000 });
  const out: Resource[] = [];
  for (let cursor: string | undefined, first = true; first || cursor; first = false) {
    const page = await app.store.search(systemContext('export'), { ...query, ...(cursor ? { cursor } : {}) });
    out.push(...page.matches);
    cursor = page.nextCursor;
  }
  return out;
}

describe.each(driversUnderTest())('research export flow on %s', (kind) => {
  let app: TestApp;
  let source: Resource[];
  let luigi: Patient;
  let liz: Patient;

  beforeAll(async () => {
    app = await startTestApp(kind);
    const api = request(app.http);
    for (const f of FILES) {
      const res = await api.post('/fhir').set('Content-Type', 'application/fhir+json').set('Prefer', 'return=minimal').send(readFileSync(`${SYNTHEA_BUNDLES_DIR}/${f}`, 'utf8'));
      expect(res.status).toBe(200);
    }
    const patients = (await everything(app)).filter((r): r is Patient => r.resourceType === 'Patient');
    luigi = patients.find((p) => p.name?.[0].family?.startsWith('Wiegand')) as Patient;
    liz = patients.find((p) => p.name?.[0].family?.startsWith('Conn')) as Patient;
    const consent = {
      resourceType: 'Consent', status: 'active', dateTime: '2024-01-01',
      scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'research' }] },
      category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
      patient: { reference: `Patient/${luigi.id}` }, provision: { type: 'deny' },
    };
    expect((await api.post('/fhir/Consent').set('Content-Type', 'application/fhir+json').send(consent)).status).toBe(201);
    source = await everything(app);
  }, 120_000);
  afterAll(() => app.dispose());

  test('the refusing patient and everything of theirs is left out; the rest is pseudonymised and self-contained', async () => {
    const excluded = await researchExclusions(app.store, systemContext('export'), undefined, { registry });
    expect([...excluded]).toEqual([[luigi.id, 'consent-deny-research']]);
    const ps = createPseudonymizer(loadPseudonymizationProfile('gdpr-default', { model }), KEY_A, { model, registry, baseUrls: [BASE] });
    const lines: string[] = [];
    for (const r of source) {
      const patient = ps.patientOf(r);
      if (patient !== undefined && excluded.has(patient)) continue;
      const out = ps.apply(r);
      if (out) lines.push(JSON.stringify(out));
    }
    const output = lines.map((l) => JSON.parse(l) as Resource);
    expect(output.filter((r) => r.resourceType === 'Patient')).toHaveLength(1);
    expect(output.some((r) => r.resourceType === 'Consent')).toBe(false);
    const keys = new Set(output.map((r) => `${r.resourceType}/${r.id}`));
    expect(output.flatMap(referencesOf).filter((ref) => !ref.startsWith('#') && !keys.has(ref))).toEqual([]);
    const text = lines.join('\n');
    const leaked = [...sensitiveValues(luigi), ...sensitiveValues(liz), liz.birthDate ?? '', luigi.birthDate ?? ''].filter((v) => v.length >= 4 && occursAsToken(text, v));
    expect(leaked).toEqual([]);
    const ids = new Set(source.map((r) => r.id));
    expect(output.filter((r) => ids.has(r.id))).toEqual([]);
  });
});
