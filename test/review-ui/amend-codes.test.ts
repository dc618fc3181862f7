/**
 * The amend form's code choices come from the server's terminology: the page's own data module
 * (review/ui/app/amend-codes.ts, with the page's FHIR client) against the real express app. The
 * shipped catalogue is offered; a hospital's codes PUT into the local CodeSystem, or a CodeSystem of
 * its own included in the amend ValueSet, appear without a rebuild and survive a restart's sync.
 */
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CodeSystem, ValueSet } from 'fhir/r4';
import fc from 'fast-check';
import { amendValueSetUrl, localCodeSystemUrl } from '../../server/core/canonical-urls';
import { catalogueResources, catalogueSeeds } from '../../server/nlp/catalogue-resources';
import { syncCatalogue } from '../../server/nlp/catalogue-sync';
import { loadNlpMappings } from '../../server/nlp/mappings';
import { choicesOf, loadAmendChoices } from '../../server/review/ui/app/amend-codes';
import { type FhirClient, createFhirClient } from '../../server/review/ui/app/api';
import { createValidator } from '../../server/validation';
import { driversUnderTest } from '../support/databases';
import { type TestApp, startTestApp } from '../support/test-app';

jest.setTimeout(60_000);

const HOSPITAL_CS = 'https://hospital.example/fhir/CodeSystem/onco-local';
const has = (list: { codings: { system?: string; code?: string }[] }[], system: string, code: string): boolean =>
  list.some((e) => e.codings.some((c) => c.system === system && c.code === code));

describe.each(driversUnderTest())('amend form codes through ValueSet/$expand on %s', (kind) => {
  let app: TestApp;
  let server: Server;
  let base: string;
  let client: FhirClient;

  const put = async (resource: CodeSystem | ValueSet): Promise<number> => {
    const res = await fetch(`${base}/${resource.resourceType}/${resource.id}`, { method: 'PUT', headers: { 'Content-Type': 'application/fhir+json' }, body: JSON.stringify(resource) });
    return res.status;
  };

  beforeAll(async () => {
    app = await startTestApp(kind, { NLP_WORKERS: '0' });
    server = app.http.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/fhir`;
    client = createFhirClient(new URL(`${base}/`), () => undefined);
  });

  afterAll(async () => {
    server?.close();
    await app?.dispose();
  });

  test('the shipped catalogue is offered: conditions in SNOMED CT and ICD-10-CM, observations in LOINC, with displays', async () => {
    const { conditions, observations } = await loadAmendChoices(client);
    expect(conditions.find((e) => e.id === 'http://snomed.info/sct|363443007')).toMatchObject({ display: 'Malignant tumor of ovary' });
    expect(has(conditions, 'http://hl7.org/fhir/sid/icd-10-cm', 'C56.9')).toBe(true);
    expect(has(observations, 'http://loinc.org', '10334-1')).toBe(true);
    expect(has(observations, 'http://loinc.org', '718-7')).toBe(true);
    expect(has(conditions, 'http://loinc.org', '10334-1')).toBe(false);
  });

  test('codes a hospital PUTs into its local CodeSystem appear in the form', async () => {
    const local = (await client.get<CodeSystem>('CodeSystem/nlp-local-conditions'));
    expect(local.url).toBe(localCodeSystemUrl('conditions'));
    expect(await put({ ...local, count: 1, concept: [{ code: 'ONC-017', display: 'Borderline serous tumour of ovary (local)' }] })).toBe(200);
    const { conditions } = await loadAmendChoices(client);
    expect(conditions.find((e) => e.id === `${localCodeSystemUrl('conditions')}|ONC-017`)?.display).toBe('Borderline serous tumour of ovary (local)');
  });

  test("a hospital's own CodeSystem, included in the amend ValueSet, appears, and a restart's catalogue sync keeps both", async () => {
    const cs: CodeSystem = {
      resourceType: 'CodeSystem', id: 'onco-local', url: HOSPITAL_CS, status: 'active', content: 'complete', caseSensitive: true,
      concept: [{ code: 'M-42', display: 'Tumour marker panel M-42' }],
    };
    expect(await put(cs)).toBe(201);
    const vs = await client.get<ValueSet>('ValueSet/nlp-amend-observations');
    expect(vs.url).toBe(amendValueSetUrl('observations'));
    expect(await put({ ...vs, compose: { include: [...(vs.compose?.include ?? []), { system: HOSPITAL_CS }] } })).toBe(200);
    expect(has((await loadAmendChoices(client)).observations, HOSPITAL_CS, 'M-42')).toBe(true);

    const m = loadNlpMappings();
    const { written } = await syncCatalogue(app.store, catalogueResources(m), catalogueSeeds(m));
    expect(written).toEqual([]);
    const after = await loadAmendChoices(client);
    expect(has(after.observations, HOSPITAL_CS, 'M-42')).toBe(true);
    expect(has(after.conditions, localCodeSystemUrl('conditions'), 'ONC-017')).toBe(true);
  });

  test('the seeded extension points are valid R4', () => {
    const validator = createValidator();
    for (const r of catalogueSeeds(loadNlpMappings())) expect([r.id, validator.validate(r).filter((i) => i.severity === 'error')]).toEqual([r.id, []]);
  });

  test('choicesOf: any expansion (nested, abstract, repeated, partial entries) gives unique, sorted, complete choices', () => {
    const contains: fc.Arbitrary<any> = fc.letrec((tie) => ({
      node: fc.record({
        system: fc.option(fc.constantFrom('http://a.example', 'http://b.example'), { nil: undefined }),
        code: fc.option(fc.string({ maxLength: 4 }), { nil: undefined }),
        display: fc.option(fc.string({ maxLength: 8 }), { nil: undefined }),
        abstract: fc.option(fc.boolean(), { nil: undefined }),
        contains: fc.option(fc.array(tie('node'), { maxLength: 3 }), { nil: undefined }),
      }, { requiredKeys: [] }),
    })).node;
    fc.assert(fc.property(fc.array(contains, { maxLength: 6 }), (list) => {
      const out = choicesOf({ resourceType: 'ValueSet', status: 'active', expansion: { timestamp: '2026-01-01', contains: list } });
      expect(new Set(out.map((e) => e.id)).size).toBe(out.length);
      for (const e of out) {
        expect(e.codings).toHaveLength(1);
        expect(e.codings[0].code).toBeTruthy();
        expect(e.display).toBe(e.codings[0].display);
      }
      for (let i = 1; i < out.length; i++) expect(out[i - 1].display.localeCompare(out[i].display)).toBeLessThanOrEqual(0);
    }));
  });
});
