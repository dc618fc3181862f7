/** The database goes away and comes back: clear 503s (never a hang or a stack trace), then recovery. */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import pino from 'pino';
import request from 'supertest';
import { type App, createApp } from '../../server/app';
import { loadConfig } from '../../server/config';
import { type TestApp, startTestApp } from '../support/test-app';
import { NEEDS_POSTGRES, describeIf } from '../support/skip';

const run = describeIf(Boolean(process.env.TEST_DATABASE_URL), NEEDS_POSTGRES);

run('database outage (real PostgreSQL)', () => {
  let owner: TestApp;
  let app: App;
  let admin: Client;
  let dbName: string;
  const role = `twinfhir_outage_${randomBytes(4).toString('hex')}`;
  beforeAll(async () => {
    owner = await startTestApp('pg'); // creates and migrates the database
    const url = new URL(owner.config.databaseUrl as string);
    dbName = url.pathname.slice(1);
    admin = new Client({ connectionString: owner.config.databaseUrl });
    await admin.connect();
    // A non-superuser: CONNECTION LIMIT applies to it (superusers bypass it).
    await admin.query(`CREATE ROLE ${role} LOGIN`);
    await admin.query(`GRANT ALL ON ALL TABLES IN SCHEMA public TO ${role}`);
    await admin.query(`GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO ${role}`);
    url.username = role;
    app = await createApp(loadConfig({ DATABASE_URL: url.toString(), LOG_LEVEL: 'silent' }), { logger: pino({ level: 'silent' }) });
  });
  afterAll(async () => {
    await app?.close();
    await admin.query(`ALTER DATABASE ${dbName} CONNECTION LIMIT -1`);
    await admin.query(`DROP OWNED BY ${role}`);
    await admin.end();
    await owner.dispose();
    const c = new Client({ connectionString: process.env.TEST_DATABASE_URL });
    await c.connect();
    await c.query(`DROP ROLE IF EXISTS ${role}`);
    await c.end();
  });

  test('503 OperationOutcome while unreachable, normal service after', async () => {
    const created = await request(app.http).post('/fhir/Patient').set('Content-Type', 'application/fhir+json').send({ resourceType: 'Patient' });
    expect(created.status).toBe(201);
    // Cut the server off: no new connections for its role, existing ones killed.
    await admin.query(`ALTER DATABASE ${dbName} CONNECTION LIMIT 0`);
    await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1', [role]);
    for (const path of [`/fhir/Patient/${created.body.id}`, '/fhir/Patient?_count=1']) {
      const res = await request(app.http).get(path);
      expect(res.status).toBe(503);
      expect(res.body.resourceType).toBe('OperationOutcome');
      expect(res.body.issue[0].code).toBe('transient');
      expect(res.headers['retry-after']).toBeDefined();
    }
    const write = await request(app.http).post('/fhir/Patient').set('Content-Type', 'application/fhir+json').send({ resourceType: 'Patient' });
    expect(write.status).toBe(503);
    expect((await request(app.http).get('/readyz')).status).toBe(503);
    // Back again: the pool reconnects by itself, and nothing stored was lost.
    await admin.query(`ALTER DATABASE ${dbName} CONNECTION LIMIT -1`);
    const again = await request(app.http).get(`/fhir/Patient/${created.body.id}`);
    expect(again.status).toBe(200);
    expect((await request(app.http).get('/readyz')).status).toBe(200);
  });
});
