/**
 * Issue 11 §7: AuditEvents are never writable or deletable through the API (REST, PATCH, conditional
 * writes, Bundles) and are readable with an audit scope only — checked on the real handler and app.
 */
import type { AuditEvent } from 'fhir/r4';
import request from 'supertest';
import type { AccessContext } from '../../server/core/access-context';
import { mayReadAudit } from '../../server/core/audit-access';
import { handleFhirRequest } from '../../server/rest/handler';
import { driversUnderTest } from '../support/databases';
import { startTestApp, type TestApp } from '../support/test-app';
import { allAuditEvents } from './audit-helpers';

const FHIR = 'application/fhir+json';
const token = (scopes: string[], extra: Partial<AccessContext> = {}): AccessContext => ({ clientId: 'app', scopes, authDisabled: false, requestId: 't', ...extra });

describe('mayReadAudit', () => {
  test.each([
    [['system/AuditEvent.rs'], true], [['system/*.read'], true], [['system/*.*'], true], [['system/AuditEvent.read'], true],
    [['user/AuditEvent.rs'], true], [['user/AuditEvent.read'], true], [['user/AuditEvent.cruds'], true],
    [['user/*.read'], false], [['user/*.*'], false], [['patient/AuditEvent.rs'], false], [['system/AuditEvent.c'], false],
    [['system/Patient.rs'], false], [['system/AuditEvent.s'], false], [[], false],
  ])('%j → %s', (scopes, allowed) => {
    expect(mayReadAudit(token(scopes))).toBe(allowed);
  });
  test('a patient-context token never reads the audit trail; auth off (dev) always may', () => {
    expect(mayReadAudit(token(['user/AuditEvent.rs'], { patient: 'Patient/1' }))).toBe(false);
    expect(mayReadAudit(token([], { authDisabled: true }))).toBe(true);
  });
});

describe.each(driversUnderTest())('AuditEvent protection on %s', (kind) => {
  let app: TestApp;
  let existing: AuditEvent & { id: string };
  beforeAll(async () => {
    app = await startTestApp(kind);
    await request(app.http).get('/fhir/metadata');
    [existing] = await allAuditEvents(app);
  });
  afterAll(async () => { await app.dispose(); });
  const api = () => request(app.http);
  const forged = { resourceType: 'AuditEvent', type: { code: 'rest' }, recorded: '2020-01-01T00:00:00Z', outcomeDesc: 'FORGED', agent: [{ requestor: true }], source: { observer: { display: 'x' } } };

  /** The trail holds no forged content and the existing event is untouched (version 1, same outcome). */
  async function expectUnchanged(): Promise<void> {
    const all = await allAuditEvents(app);
    expect(JSON.stringify(all)).not.toContain('FORGED');
    const again = all.find((e) => e.id === existing.id);
    expect(again?.meta?.versionId).toBe('1');
    expect(again?.outcomeDesc).toBe(existing.outcomeDesc);
  }

  test('POST, PUT (new and existing id), PATCH, DELETE and conditional DELETE → 403, nothing changed', async () => {
    const responses = [
      await api().post('/fhir/AuditEvent').set('Content-Type', FHIR).send(forged),
      await api().put('/fhir/AuditEvent/mine').set('Content-Type', FHIR).send({ ...forged, id: 'mine' }),
      await api().put(`/fhir/AuditEvent/${existing.id}`).set('Content-Type', FHIR).send({ ...forged, id: existing.id }),
      await api().patch(`/fhir/AuditEvent/${existing.id}`).set('Content-Type', 'application/json-patch+json').send([{ op: 'replace', path: '/outcomeDesc', value: 'FORGED' }]),
      await api().delete(`/fhir/AuditEvent/${existing.id}`),
      await api().delete(`/fhir/AuditEvent?_id=${existing.id}`),
    ];
    for (const res of responses) {
      expect(res.status).toBe(403);
      expect(res.body.resourceType).toBe('OperationOutcome');
      expect(JSON.stringify(res.body)).toContain('written by the server only');
    }
    await expectUnchanged();
    expect((await api().get(`/fhir/AuditEvent/${existing.id}`)).status).toBe(200);
  });

  test('a transaction or batch entry writing an AuditEvent is refused and nothing of the transaction stays', async () => {
    const tx = { resourceType: 'Bundle', type: 'transaction', entry: [
      { resource: { resourceType: 'Patient', id: 'tx-pat' }, request: { method: 'PUT', url: 'Patient/tx-pat' } },
      { resource: forged, request: { method: 'POST', url: 'AuditEvent' } },
    ] };
    expect((await api().post('/fhir').set('Content-Type', FHIR).send(tx)).status).toBe(403);
    expect((await api().get('/fhir/Patient/tx-pat')).status).toBe(404);
    const batch = { resourceType: 'Bundle', type: 'batch', entry: [{ request: { method: 'DELETE', url: `AuditEvent/${existing.id}` } }] };
    const res = await api().post('/fhir').set('Content-Type', FHIR).send(batch);
    expect(res.body.entry[0].response.status).toMatch(/^403/);
    await expectUnchanged();
  });

  test('with auth on, reads that would return AuditEvents need an audit scope (also inside Bundles)', async () => {
    const req = (path: string, query: [string, string][], ctx: AccessContext) =>
      handleFhirRequest(app.rest, { method: 'GET', path, query, headers: {}, baseUrl: 'http://x/fhir', ctx });
    const clinician = token(['user/*.read']);
    const denied: [string, [string, string][]][] = [
      [`AuditEvent/${existing.id}`, []], [`AuditEvent/${existing.id}/_history/1`, []], ['AuditEvent', []], ['AuditEvent/_history', []],
      ['Patient', [['_revinclude', 'AuditEvent:patient']]], ['Patient', [['_revinclude:iterate', 'AuditEvent:entity']]], ['', [['_type', 'Patient,AuditEvent']]],
      ['Patient/p1/AuditEvent', []],
    ];
    for (const [path, query] of denied) {
      await expect(req(path, query, clinician)).rejects.toMatchObject({ status: 403 });
    }
    await expect(req('Patient', [], clinician)).resolves.toMatchObject({ status: 200 });
    // across all types the audit trail is left out, so these need no audit scope and show none
    for (const [path, query] of [['_history', []], ['', [['_count', '1000']]], ['Patient/p1/*', []]] as [string, [string, string][]][]) {
      const res = await req(path, query, clinician);
      expect(res.status).toBe(200);
      expect(JSON.stringify(res.body)).not.toContain('"AuditEvent"');
    }
    await expect(req('', [['_type', 'Patient']], clinician)).resolves.toMatchObject({ status: 200 });
    const auditor = await req('AuditEvent', [], token(['system/AuditEvent.rs']));
    expect(auditor.status).toBe(200);
    const bundle = { resourceType: 'Bundle', type: 'batch', entry: [{ request: { method: 'GET', url: 'AuditEvent' } }] };
    const viaBatch = await handleFhirRequest(app.rest, { method: 'POST', path: '', query: [], headers: {}, body: bundle, contentType: FHIR, baseUrl: 'http://x/fhir', ctx: clinician });
    expect(JSON.stringify(viaBatch.body)).toContain('"403');
  });
});
