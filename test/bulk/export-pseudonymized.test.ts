/**
 * `$export?_pseudonymize=gdpr-default` through the real app on both drivers: two Synthea patients, one of
 * them refusing research in a Consent. Every output line is scanned for every source name, identifier,
 * address, telecom, narrative and birth date; references resolve inside the export; the refusing patient
 * is absent and counted in the manifest; the same key gives the same pseudonyms in a second export
 * (each export — like a resumed job — rebuilds its transform from the stored profile name and the key).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Patient, Resource } from 'fhir/r4';
import request from 'supertest';
import { EXCLUDED_EXTENSION, PSEUDONYMIZED_EXTENSION } from '../../server/bulk/export/manifest';
import { driversUnderTest } from '../support/databases';
import { type TestApp, startTestApp } from '../support/test-app';
import { download, kickOff, loadBundles, type Manifest, syntheaFiles, waitForManifest } from './export-helpers';
import { distinctive, occursAsToken, referencesOf, sensitiveValues, tokens, vocabulary } from './pseudonymize-helpers';

const KEY = 'k6H1wqf3VbXJ4m0rT8yZpL2sN9dC5eA7gU1iO3hK6jQ=';

async function everything(app: TestApp, types: string[]): Promise<Resource[]> {
  const out: Resource[] = [];
  for (const type of types) {
    for (let next: string | undefined = `/fhir/${type}?_count=1000`; next;) {
      const bundle = JSON.parse((await request(app.http).get(next).set('Accept', 'application/fhir+json')).text) as { entry?: { resource: Resource }[]; link?: { relation: string; url: string }[] };
      out.push(...(bundle.entry ?? []).map((e) => e.resource).filter((r) => r.resourceType === type));
      const link = bundle.link?.find((l) => l.relation === 'next')?.url;
      next = link ? link.replace(/^https?:\/\/[^/]+/, '') : undefined;
    }
  }
  return out;
}

/** Every output line per type, as text. */
async function outputLines(app: TestApp, manifest: Manifest): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const o of manifest.output) {
    const lines = (await download(app.http, o.url)).map((r) => JSON.stringify(r));
    expect(lines).toHaveLength(o.count);
    out.set(o.type, [...(out.get(o.type) ?? []), ...lines]);
  }
  return out;
}

describe.each(driversUnderTest())('$export?_pseudonymize (%s)', (kind) => {
  let app: TestApp;
  let dir: string;
  let source: Resource[];
  let refusing: Patient;
  let manifest: Manifest;
  let lines: Map<string, string[]>;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'twinfhir-export-test-'));
    app = await startTestApp(kind, { EXPORT_DIR: dir, EXPORT_PAGE_SIZE: '53', PSEUDONYMIZATION_KEY: KEY });
    await loadBundles(app.http, syntheaFiles(2));
    const patients = (await everything(app, ['Patient'])) as Patient[];
    expect(patients).toHaveLength(2);
    refusing = patients[1];
    const consent = {
      resourceType: 'Consent', status: 'active', dateTime: '2024-01-01',
      scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'research' }] },
      category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
      patient: { reference: `Patient/${refusing.id}` }, provision: { type: 'deny' },
    };
    expect((await request(app.http).post('/fhir/Consent').set('Content-Type', 'application/fhir+json').send(consent)).status).toBe(201);
    const first = await waitForManifest(app.http, await kickOff(app.http, '/fhir/$export?_pseudonymize=gdpr-default'));
    source = await everything(app, first.output.map((o) => o.type).concat(['Consent']));
    manifest = first;
    lines = await outputLines(app, manifest);
  }, 300_000);
  afterAll(async () => {
    await app.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the manifest names the profile and counts the refusing patient and the resources left out', () => {
    expect(manifest.extension?.[PSEUDONYMIZED_EXTENSION]).toEqual({ profile: 'gdpr-default' });
    const excluded = manifest.extension?.[EXCLUDED_EXTENSION] as { patients: Record<string, number>; resources: Record<string, number> };
    expect(excluded.patients).toEqual({ 'consent-deny-research': 1 });
    expect(excluded.resources.Patient).toBe(1);
    expect(manifest.output.find((o) => o.type === 'Patient')?.count).toBe(1);
    expect(manifest.output.some((o) => o.type === 'Consent')).toBe(false);
    expect(JSON.stringify(manifest)).not.toContain(KEY);
  });

  test('no source name, identifier, address, telecom, narrative, birth date or id appears in any output line', () => {
    const text = [...lines.values()].flat().join('\n');
    expect(text).not.toContain(KEY);
    const present = new Set(tokens(text));
    const words = vocabulary(source);
    const values = [...new Set(source.flatMap(sensitiveValues))].filter((v) => !(tokens(v).length === 1 && words.has(v)));
    expect(values.length).toBeGreaterThan(20);
    expect(values.filter(distinctive).filter((v) => tokens(v).every((t) => present.has(t)) && occursAsToken(text, v))).toEqual([]);
    const births = source.filter((r): r is Patient => r.resourceType === 'Patient').map((p) => p.birthDate ?? '');
    expect(births.filter((b) => b !== '' && occursAsToken(text, b))).toEqual([]);
    // the loaded data's ids (the server's own catalogue resources — CodeSystems, ConceptMaps — keep theirs)
    const ids = source.map((r) => r.id ?? '').filter((id) => /^[0-9a-f]{8}-[0-9a-f]{4}-/.test(id));
    expect(ids.length).toBeGreaterThan(100);
    expect(ids.filter((id) => text.includes(id))).toEqual([]);
  });

  test('every reference resolves inside the export; nothing of the refusing patient is in it', () => {
    const output = [...lines.values()].flat().map((l) => JSON.parse(l) as Resource);
    const keys = new Set(output.map((r) => `${r.resourceType}/${r.id}`));
    const refs = output.flatMap(referencesOf);
    expect(refs.length).toBeGreaterThan(100);
    expect(refs.filter((ref) => !ref.startsWith('#') && !keys.has(ref))).toEqual([]);
    // every patient-bound output resource points at the one exported Patient
    const patients = output.filter((r) => r.resourceType === 'Patient').map((r) => `Patient/${r.id}`);
    expect(patients).toHaveLength(1);
    expect(refs.filter((ref) => ref.startsWith('Patient/') && ref !== patients[0])).toEqual([]);
  });

  test('the same key gives the same pseudonyms in a second export', async () => {
    const again = await waitForManifest(app.http, await kickOff(app.http, '/fhir/$export?_pseudonymize=gdpr-default&_type=Patient,Encounter,Observation'));
    const second = await outputLines(app, again);
    for (const type of ['Patient', 'Encounter', 'Observation']) expect([...(second.get(type) ?? [])].sort()).toEqual([...(lines.get(type) ?? [])].sort());
  }, 300_000);

  test('an unknown profile is a 400 at kick-off (query and Parameters body)', async () => {
    const get = await request(app.http).get('/fhir/$export?_pseudonymize=no-such-profile').set('Prefer', 'respond-async');
    expect(get.status).toBe(400);
    expect(get.text).toContain('no-such-profile');
    const post = await request(app.http).post('/fhir/$export').set({ Prefer: 'respond-async', 'Content-Type': 'application/fhir+json' })
      .send({ resourceType: 'Parameters', parameter: [{ name: '_pseudonymize', valueString: '../etc/passwd' }] });
    expect(post.status).toBe(400);
    expect(JSON.parse(post.text).resourceType).toBe('OperationOutcome');
  });

  test('a server without PSEUDONYMIZATION_KEY refuses the kick-off with a 400 and creates no job', async () => {
    const keyless = await startTestApp(kind, { EXPORT_DIR: dir });
    try {
      const res = await request(keyless.http).get('/fhir/$export?_pseudonymize=gdpr-default').set('Prefer', 'respond-async');
      expect(res.status).toBe(400);
      expect(res.text).toContain('PSEUDONYMIZATION_KEY');
      const plain = await request(keyless.http).post('/fhir/$export').set({ Prefer: 'respond-async', 'Content-Type': 'application/fhir+json' })
        .send({ resourceType: 'Parameters', parameter: [{ name: '_pseudonymize', valueString: 'gdpr-default' }] });
      expect(plain.status).toBe(400);
    } finally {
      await keyless.dispose();
    }
  }, 120_000);
});
