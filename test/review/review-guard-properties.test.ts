/**
 * Properties of the review guard: whatever a client PUTs or PATCHes onto a provisional finding, the answer
 * is never a 5xx and the finding stays provisional, undecided and AI-labelled; a reviewer's DELETE is a
 * recorded refutation.
 */
import fc from 'fast-check';
import type { Provenance } from 'fhir/r4';
import request from 'supertest';
import { anonymousContext } from '../../server/core/access-context';
import { driversUnderTest } from '../support/databases';
import type { TestApp } from '../support/test-app';
import { FHIR, TWIN_CS, seedFindings, startReviewApp } from './fixtures';

type Json = Record<string, unknown>;
const ELEMENTS = ['meta', 'verificationStatus', 'code', 'extension', 'clinicalStatus', 'subject', 'evidence', 'note', 'onsetDateTime', 'status'];
const PATCH_PATHS = ['/meta', '/meta/tag', '/meta/tag/0', '/meta/tag/0/code', '/meta/security', '/meta/security/0', '/verificationStatus',
  '/verificationStatus/coding/0/code', '/code', '/extension/0', '/extension', '/note', '/status'];

const putMutation = fc.record({
  element: fc.constantFrom(...ELEMENTS),
  value: fc.option(fc.jsonValue({ maxDepth: 3 }), { nil: undefined }),
});
const patchOps = fc.array(fc.record({
  op: fc.constantFrom('add', 'replace', 'remove', 'copy', 'move'),
  path: fc.constantFrom(...PATCH_PATHS),
  from: fc.constantFrom(...PATCH_PATHS),
  value: fc.jsonValue({ maxDepth: 2 }),
}), { minLength: 1, maxLength: 4 });

describe.each(driversUnderTest())('review guard properties on %s', (kind) => {
  let app: TestApp;
  beforeAll(async () => { app = await startReviewApp(kind); });
  afterAll(async () => { await app.dispose(); });
  const api = () => request(app.http);

  async function expectStillProvisional(id: string): Promise<void> {
    const c = (await api().get(`/fhir/Condition/${id}`)).body;
    expect(c.meta.tag.filter((t: Json) => t.system === TWIN_CS).map((t: Json) => t.code)).toEqual(['provisional']);
    expect(c.meta.security.map((s: Json) => s.code)).toContain('AIAST');
    expect(c.verificationStatus.coding[0].code).toBe('unconfirmed');
  }

  test('any PUT of a mutated provisional Condition: no 5xx, still provisional', async () => {
    const s = await seedFindings(app, 'prop-put');
    await fc.assert(fc.asyncProperty(putMutation, async ({ element, value }) => {
      const c = (await api().get(`/fhir/Condition/${s.condition.id}`)).body as Json;
      if (value === undefined) delete c[element]; else c[element] = value;
      const res = await api().put(`/fhir/Condition/${s.condition.id}`).set('Content-Type', FHIR).send(c);
      expect(res.status).toBeLessThan(500);
      await expectStillProvisional(s.condition.id);
    }), { numRuns: 40, seed: 20261206 });
  });

  test('any JSON Patch of a provisional Condition: no 5xx, still provisional', async () => {
    const s = await seedFindings(app, 'prop-patch');
    await fc.assert(fc.asyncProperty(patchOps, async (ops) => {
      const res = await api().patch(`/fhir/Condition/${s.condition.id}`).set('Content-Type', 'application/json-patch+json').send(ops);
      expect(res.status).toBeLessThan(500);
      await expectStillProvisional(s.condition.id);
    }), { numRuns: 40, seed: 20261206 });
  });

  test("a reviewer's DELETE of a provisional finding is a refutation with a Provenance; a non-reviewer's is refused", async () => {
    const s = await seedFindings(app, 'prop-del');
    const reviewer = { ...anonymousContext('t-reviewer'), authDisabled: false, user: `Practitioner/${s.doctor.id}`, scopes: ['user/Condition.cruds'] };
    const stranger = { ...reviewer, scopes: ['user/Condition.rs'] };
    const del = (ctx: typeof reviewer) => app.store.transaction(async (tx) => {
      // the store runs the write hooks (the review guard among them) for this delete itself
      const marker = await tx.delete(ctx, 'Condition', s.condition.id);
      if (!marker) throw new Error('nothing deleted');
    });
    await expect(del(stranger)).rejects.toMatchObject({ status: 403 });
    await expectStillProvisional(s.condition.id);
    await del(reviewer);
    expect((await api().get(`/fhir/Condition/${s.condition.id}`)).status).toBe(410);
    const provs = (await api().get(`/fhir/Provenance?target=Condition/${s.condition.id}/_history/2`)).body.entry?.map((e: { resource: Provenance }) => e.resource) ?? [];
    expect(provs).toHaveLength(1);
    expect(provs[0].activity.coding[0].code).toBe('DELETE');
    expect(provs[0].activity.text).toBe('refute');
    expect(provs[0].agent[0].who.reference).toBe(`Practitioner/${s.doctor.id}`);
  });
});
