/**
 * Our terminology as FHIR resources: every twinfhir code the server writes is in the CodeSystem with
 * the same display; every code the NLP coder writes is in the published ValueSets with the same
 * display; the start-up sync is idempotent (no new versions when nothing changed) and valid.
 */
import type { CodeSystem, Coding, ConceptMap, ValueSet } from 'fhir/r4';
import { loadNlpMappings } from '../../server/nlp/mappings';
import { catalogueResources, twinfhirCodeSystem } from '../../server/nlp/catalogue-resources';
import { syncCatalogue } from '../../server/nlp/catalogue-sync';
import { compileRulesResources } from '../../server/nlp/rules/engine';
import { newExtractionTask } from '../../server/nlp/jobs/task';
import { PROVISIONAL_TAG } from '../../server/nlp/fhir/meta';
import { reviewTag } from '../../server/review/review-codes';
import { TWINFHIR_CODESYSTEM } from '../../server/core/canonical-urls';
import { SECTIONS, TWIN_TYPE } from '../../server/twin/codes';
import { createValidator } from '../../server/validation';
import { systemContext } from '../../server/core/access-context';
import { driversUnderTest } from '../support/databases';
import { type TestApp, startTestApp } from '../support/test-app';

const mappings = loadNlpMappings();
const resources = catalogueResources(mappings);
const byId = <T>(id: string): T => resources.find((r) => r.id === id) as unknown as T;

describe('catalogue resources (generated from mappings/)', () => {
  test('every twinfhir code the server writes is in the CodeSystem, with the same display', () => {
    const cs = twinfhirCodeSystem();
    const task = newExtractionTask({ resourceType: 'DocumentReference', id: 'd', status: 'current', content: [] }, 1, 't', new Date());
    const used: Coding[] = [
      ...(['provisional', 'verified', 'refuted'] as const).map(reviewTag), PROVISIONAL_TAG,
      ...(TWIN_TYPE.coding ?? []), ...Object.values(SECTIONS).flatMap((s) => s.coding), ...(task.code?.coding ?? []),
    ].filter((c) => c.system === TWINFHIR_CODESYSTEM);
    expect(used.length).toBeGreaterThanOrEqual(12);
    const concepts = new Map((cs.concept ?? []).map((c) => [c.code, c]));
    for (const c of used) {
      expect(concepts.get(c.code ?? '')).toBeDefined();
      expect(concepts.get(c.code ?? '')?.display).toBe(c.display);
      expect(concepts.get(c.code ?? '')?.definition).toEqual(expect.any(String));
    }
    expect(cs.count).toBe(cs.concept?.length);
  });

  test('every code the NLP coder writes is in a published ValueSet, with the same display (or none)', () => {
    const { coder } = compileRulesResources(mappings);
    const vsDisplay = new Map<string, string | undefined>();
    for (const r of resources) {
      if (r.resourceType !== 'ValueSet') continue;
      for (const inc of (r as ValueSet).compose?.include ?? []) for (const c of inc.concept ?? []) vsDisplay.set(`${inc.system}|${c.code}`, c.display);
    }
    const written = [
      ...Object.keys(mappings.concepts.conditions).flatMap((id) => ['left', 'right', undefined].flatMap((lat) => coder.conditionCodes(id, lat))),
      ...Object.keys(mappings.concepts.observations).flatMap((id) => coder.observationCodes(id)),
    ];
    expect(written.length).toBeGreaterThan(50);
    for (const c of written) {
      const key = `${c.system}|${c.code}`;
      expect(vsDisplay.has(key)).toBe(true);
      if (vsDisplay.get(key) !== undefined) expect(c.display).toBe(vsDisplay.get(key));
    }
  });

  test('every observation concept is in exactly one group; the maps cover the catalogue with real displays only', () => {
    const grouped = Object.values(mappings.coding.observationGroups).flatMap((g) => g.concepts);
    expect([...grouped].sort()).toEqual(Object.keys(mappings.concepts.observations).sort());
    const sctIcd = byId<ConceptMap>('nlp-snomed-to-icd10cm');
    const snomedCodes = Object.values(mappings.concepts.conditions).flatMap((d) => d.snomed ?? []);
    expect(sctIcd.group?.[0].element?.map((e) => e.code)).toEqual(snomedCodes);
    const displays = new Set(Object.values(mappings.concepts.conditions).map((d) => d.display));
    for (const e of sctIcd.group?.[0].element ?? []) {
      if (e.display) expect(displays.has(e.display)).toBe(true);
      for (const t of e.target ?? []) expect(t.display).toBeUndefined(); // ICD-10-CM titles are not in mappings/
    }
    const cs = byId<CodeSystem>('nlp-concept');
    expect(cs.concept?.map((c) => c.code)).toEqual(['conditions', ...Object.keys(mappings.coding.observationGroups)]);
  });

  test('every generated resource is valid R4', () => {
    const validator = createValidator();
    for (const r of resources) expect([r.id, validator.validate(r).filter((i) => i.severity === 'error')]).toEqual([r.id, []]);
  });
});

describe.each(driversUnderTest())('catalogue sync on %s', (kind) => {
  let app: TestApp;
  beforeAll(async () => { app = await startTestApp(kind); });
  afterAll(async () => { await app?.dispose(); });

  test('start-up wrote every resource once; syncing again writes nothing; a change writes one new version', async () => {
    const ctx = systemContext();
    for (const r of resources) expect((await app.store.read(ctx, r.resourceType, r.id))?.versionId).toBe(1);
    expect((await syncCatalogue(app.store, resources)).written).toEqual([]);
    const changed = resources.map((r) => (r.id === 'twinfhir' ? { ...r, title: 'TwinFHIR codes (changed)' } : r));
    expect((await syncCatalogue(app.store, changed)).written).toEqual(['CodeSystem/twinfhir']);
    expect((await app.store.read(ctx, 'CodeSystem', 'twinfhir'))?.versionId).toBe(2);
    expect((await syncCatalogue(app.store, changed)).written).toEqual([]);
  });
});
