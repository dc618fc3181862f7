/**
 * Who may verify, end to end through the FHIR request handler of a real app with constructed access
 * contexts (HTTP requests always carry the anonymous context until SMART token validation lands).
 */
import type { AccessContext } from '../../server/core/access-context';
import { systemContext } from '../../server/core/access-context';
import { FhirError } from '../../server/core/fhir-error';
import { handleFhirRequest } from '../../server/rest/handler';
import type { FhirResponse } from '../../server/rest/types';
import { driversUnderTest } from '../support/databases';
import type { TestApp } from '../support/test-app';
import { part, seedFindings, verifyParams, startReviewApp } from './fixtures';

const token = (user: string | undefined, scopes: string[], extra: Partial<AccessContext> = {}): AccessContext =>
  ({ clientId: 'review-app', user, scopes, authDisabled: false, requestId: 'test', ...extra });

describe.each(driversUnderTest())('$verify permissions on %s', (kind) => {
  let app: TestApp;
  beforeAll(async () => { app = await startReviewApp(kind); });
  afterAll(async () => { await app.dispose(); });

  /** The handler's answer, or the status of the FhirError it throws (what HTTP would send). */
  async function call(ctx: AccessContext, path: string, body: unknown): Promise<FhirResponse | number> {
    try {
      return await handleFhirRequest(app.rest, { method: 'POST', path, query: [], headers: {}, body, contentType: 'application/fhir+json', baseUrl: 'http://test/fhir', ctx });
    } catch (err) {
      if (err instanceof FhirError) return err.status;
      throw err;
    }
  }
  const statusOf = (r: FhirResponse | number) => (typeof r === 'number' ? r : r.status);
  const versionOf = async (path: string) => (await app.store.read(systemContext(), path.split('/')[0], path.split('/')[1]))?.versionId;

  test('a Practitioner with user write scopes verifies; the reviewer is the token’s fhirUser', async () => {
    const s = await seedFindings(app, 'tok');
    const res = await call(token(`Practitioner/${s.doctor.id}`, ['openid', 'fhirUser', 'user/Condition.cruds']), `Condition/${s.condition.id}/$verify`, verifyParams('confirm'));
    expect(statusOf(res)).toBe(200);
    const prov = part((res as FhirResponse).body as any, 'provenance')?.resource as any;
    expect(prov.agent[0].who.reference).toBe(`Practitioner/${s.doctor.id}`);
    // v1 scope, absolute fhirUser URL, reviewer parameter equal to the user: fine
    const obs = await call(token(`https://ehr.example.org/fhir/Practitioner/${s.doctor.id}`, ['user/*.write']), `Observation/${s.observation.id}/$verify`,
      verifyParams('confirm', { reviewer: `Practitioner/${s.doctor.id}` }));
    expect(statusOf(obs)).toBe(200);
  });

  test('403 for patients, systems, read-only or patient scopes, and a reviewer other than the user; nothing changes', async () => {
    const s = await seedFindings(app, 'deny');
    const path = `Condition/${s.condition.id}/$verify`;
    const doc = `Practitioner/${s.doctor.id}`;
    const denied = [
      token(`Patient/${s.patient.id}`, ['patient/*.*'], { patient: s.patient.id }),
      token(`Patient/${s.patient.id}`, ['user/*.*']),
      token(doc, ['user/Condition.rs']),
      token(doc, ['patient/Condition.write'], { patient: s.patient.id }),
      token(doc, ['user/Observation.write']),
      token(undefined, ['system/*.*']),
      systemContext(),
    ];
    for (const ctx of denied) expect([ctx.scopes.join(' '), statusOf(await call(ctx, path, verifyParams('confirm', ctx.authDisabled ? { reviewer: doc } : {})))]).toEqual([ctx.scopes.join(' '), 403]);
    const impersonation = await call(token(doc, ['user/*.*']), path, verifyParams('refute', { reviewer: `Practitioner/${s.otherDoctor.id}` }));
    expect(statusOf(impersonation)).toBe(403);
    // a batch needs the right for every type it touches
    const mixed = await call(token(doc, ['user/Condition.u']), '$verify', {
      resourceType: 'Parameters',
      parameter: [
        { name: 'target', part: [{ name: 'target', valueReference: { reference: `Condition/${s.condition.id}` } }, { name: 'decision', valueCode: 'confirm' }] },
        { name: 'target', part: [{ name: 'target', valueReference: { reference: `Observation/${s.observation.id}` } }, { name: 'decision', valueCode: 'confirm' }] },
      ],
    });
    expect(statusOf(mixed)).toBe(403);
    expect(await versionOf(`Condition/${s.condition.id}`)).toBe(1);
    expect(await versionOf(`Observation/${s.observation.id}`)).toBe(1);
  });

  test('a token whose Practitioner is unknown here is a 422', async () => {
    const s = await seedFindings(app, 'ghost');
    expect(statusOf(await call(token('Practitioner/ghost', ['user/*.*']), `Condition/${s.condition.id}/$verify`, verifyParams('confirm')))).toBe(422);
  });

  test('auth off: the reviewer parameter is required and recorded', async () => {
    const s = await seedFindings(app, 'anon');
    const anon: AccessContext = { clientId: 'anonymous', scopes: ['user/*.*'], authDisabled: true, requestId: 'a' };
    expect(statusOf(await call(anon, `Condition/${s.condition.id}/$verify`, verifyParams('confirm')))).toBe(400);
    const ok = await call(anon, `Condition/${s.condition.id}/$verify`, verifyParams('confirm', { reviewer: `Practitioner/${s.otherDoctor.id}` }));
    expect(statusOf(ok)).toBe(200);
    const prov = part((ok as FhirResponse).body as any, 'provenance')?.resource as any;
    expect(prov.agent[0].who).toEqual({ reference: `Practitioner/${s.otherDoctor.id}`, display: 'Lisa Cuddy' });
  });
});
