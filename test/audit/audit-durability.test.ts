/**
 * Issue 11 §7: no AuditEvent is lost on a clean shutdown (fire N requests, close, reopen the same
 * database, count exactly N), and arbitrary methods, paths and query strings never make the recorder
 * throw or the server 5xx, always yielding exactly one event per request.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import pino from 'pino';
import request from 'supertest';
import { type App, createApp } from '../../server/app';
import { loadConfig } from '../../server/config';
import { createTestDatabase, driversUnderTest } from '../support/databases';
import { startTestApp, type TestApp } from '../support/test-app';
import { allAuditEvents, auditedBy, receivedAtLeast } from './audit-helpers';

const N = 60;

describe.each(driversUnderTest())('audit durability on %s', (kind) => {
  test(`${N} concurrent requests, close, reopen the same database: exactly ${N} AuditEvents`, async () => {
    const db = await createTestDatabase(kind);
    const dir = kind === 'pglite' ? mkdtempSync(path.join(tmpdir(), 'twinfhir-audit-')) : undefined;
    const env = { LOG_LEVEL: 'silent', NLP_WORKERS: '0', TWIN_WORKERS: '0', ...(db.databaseUrl ? { DATABASE_URL: db.databaseUrl } : { DATA_DIR: dir as string }) };
    const open = (extra: Record<string, string>): Promise<App> => createApp(loadConfig({ ...env, ...extra }), { logger: pino({ level: 'silent' }) });
    try {
      // A long flush interval and a big batch: the events are still queued when close() runs.
      const first = await open({ AUDIT_FLUSH_MS: '600000', AUDIT_BATCH: '100000' });
      const statuses = await Promise.all(Array.from({ length: N }, (_, i) => request(first.http).get(i % 2 ? `/fhir/Patient/p${i}` : `/fhir/Observation?code=${i}`).then((r) => r.status)));
      expect(statuses.every((s) => s === 200 || s === 404)).toBe(true);
      await receivedAtLeast(first, N);
      expect(first.audit?.depth()).toBe(N);
      await first.close();
      const second = await open({ AUDIT_ENABLED: 'false' });
      try {
        expect(second.audit).toBeUndefined();
        expect(await allAuditEvents(second)).toHaveLength(N);
      } finally {
        await second.close();
      }
    } finally {
      await db.drop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.each(driversUnderTest())('audit recorder with hostile requests on %s', (kind) => {
  let app: TestApp;
  beforeAll(async () => { app = await startTestApp(kind); });
  afterAll(async () => { await app.dispose(); });

  const segment = fc.oneof(
    fc.constantFrom('Patient', 'Observation', 'AuditEvent', '_history', '_search', '$validate', '$verify', '$everything', 'metadata', '*', '..', '%', '%ZZ', 'p1'),
    fc.string({ maxLength: 12 }).map((s) => encodeURIComponent(s)),
  );
  const queryPart = fc.tuple(fc.oneof(fc.constantFrom('patient', 'subject', '_type', '_include', '_revinclude', 'code'), fc.string({ maxLength: 6 })), fc.string({ maxLength: 20 }))
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`);

  test('never 5xx, never a thrown recorder, exactly one AuditEvent per request', async () => {
    await fc.assert(fc.asyncProperty(
      fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'), fc.array(segment, { maxLength: 5 }), fc.array(queryPart, { maxLength: 4 }),
      async (method, segs, query) => {
        const url = `/fhir/${segs.join('/')}${query.length ? `?${query.join('&')}` : ''}`;
        let status = 0;
        const events = await auditedBy(app, async () => {
          const r = request(app.http)[method.toLowerCase() as 'get'](url);
          status = (await (method === 'POST' || method === 'PUT' ? r.set('Content-Type', 'application/fhir+json').send('{}') : r)).status;
        });
        expect(status).toBeLessThan(500);
        expect(events).toHaveLength(1);
        expect(events[0].outcomeDesc).toBe(`HTTP ${status}`);
      },
    ), { numRuns: Number(process.env.FUZZ_RUNS ?? 40) });
  });
});
