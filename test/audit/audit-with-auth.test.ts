/**
 * Issue 11 §7 with SMART auth on (real oidc-provider, real tokens): AuditEvents name the client, the
 * user (fhirUser, the requestor) and the patient in context; a failed login (401) and a denied access
 * (403) are audited too; no AuditEvent holds the bearer token.
 */
import type { AuditEvent } from 'fhir/r4';
import { type SmartWorld, startSmartWorld } from '../auth/smart-setup';
import { auditedBy, entityRefs } from './audit-helpers';

jest.setTimeout(120_000);

let w: SmartWorld;
beforeAll(async () => { w = await startSmartWorld(); });
afterAll(async () => { await w?.close(); });

async function one(path: string, token: string | undefined, status: number): Promise<AuditEvent> {
  let got = 0;
  const events = await auditedBy(w.app, async () => { got = (await w.fhir(path, token)).status; });
  expect(got).toBe(status);
  expect(events).toHaveLength(1);
  expect(JSON.stringify(events)).not.toContain(token ?? 'no token');
  return events[0];
}

test('a backend service: its client id, outcome 0; a forged token: 401 audited as unauthenticated', async () => {
  const { access_token: token } = await w.system('system/*.rs');
  const ok = await one('Patient', token, 200);
  expect(ok.agent?.[0]).toMatchObject({ who: { identifier: { value: 'backend' } }, requestor: true });
  const bad = await one('Patient', `${token}x`, 401);
  expect([bad.outcome, bad.outcomeDesc]).toEqual(['4', 'HTTP 401']);
  expect(bad.agent?.[0].who?.identifier?.value).toBe('unauthenticated');
});

test('a user with a patient context: fhirUser is the requestor, the patient is an entity; a denied read is audited as 403', async () => {
  const { access_token: token } = await w.user({ scope: 'openid fhirUser launch/patient patient/*.rs', patient: 'maria' });
  const e = await one('Observation', token, 200);
  const user = e.agent?.find((a) => a.who?.reference);
  expect(user?.requestor).toBe(true);
  expect(user?.who?.reference).toMatch(/^(Practitioner|Patient|RelatedPerson|Person)\//);
  expect(e.agent?.[0].requestor).toBe(false);
  expect(entityRefs(e).some((r) => r.startsWith('Patient/'))).toBe(true);
  const denied = await one('AuditEvent', token, 403);
  expect([denied.outcome, denied.outcomeDesc]).toEqual(['4', 'HTTP 403']);
});
