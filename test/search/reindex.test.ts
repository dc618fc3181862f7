/** $reindex as a resumable background job: HTTP contract, progress, resume after restart, SKIP LOCKED between servers. */
import request from 'supertest';
import pino from 'pino';
import { Client } from 'pg';
import { createApp, type App } from '../../server/app';
import { loadConfig } from '../../server/config';
import { startReindexRunner } from '../../server/search-index/reindex-queue';
import type { ResourceStore } from '../../server/store/types';
import { createSearchRegistry } from '../../server/search/registry';
import { parseSearchParams } from '../../server/search/parse';
import { executeSearch } from '../../server/store/search/search-sql';
import { createSearchIndexAdmin } from '../../server/store/search/search-index-admin';
import { driversUnderTest } from '../support/databases';
import { NEEDS_POSTGRES, describeIf } from '../support/skip';
import { migrate, openLegacyDb } from './helpers/search-db';
import { queryPairs } from './helpers/query';
import { type TestApp, startTestApp } from '../support/test-app';
import { birthplaceParam, bornIn } from './helpers/custom-params';

const FHIR = 'application/fhir+json';
const silent = pino({ level: 'silent' });

async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe.each(driversUnderTest())('$reindex on %s', (kind) => {
  let app: TestApp;
  beforeAll(async () => { app = await startTestApp(kind); });
  afterAll(async () => { await app.dispose(); });
  const api = () => request(app.http);
  const post = (path: string, body?: object) => api().post(`/fhir/${path}`).set('Content-Type', FHIR).send(body ?? '');
  const matches = async (qs: string) => ((await api().get(`/fhir/${qs}`)).body.entry ?? []).length;
  const statusOf = (location: string) => api().get(new URL(location).pathname + new URL(location).search);

  test('type level: 202 with a status location; the job indexes what was stored before the parameter', async () => {
    for (let i = 0; i < 7; i++) await post('Patient', bornIn('Köln'));
    await post('Observation', { resourceType: 'Observation', status: 'final', code: { text: 'x' } });
    expect((await post('SearchParameter', birthplaceParam)).status).toBe(201);
    expect(await matches('Patient?birthplace=koln')).toBe(0);
    const res = await post('Patient/$reindex');
    expect(res.status).toBe(202);
    expect(res.body.resourceType).toBe('OperationOutcome');
    const location = res.headers['content-location'] as string;
    expect(location).toMatch(/\/fhir\/\$reindex-status\?job=/);
    const done = await until(() => statusOf(location), (r) => r.status === 200);
    expect(done.status).toBe(200);
    const param = (name: string) => done.body.parameter.find((p: { name: string }) => p.name === name);
    expect(param('status').valueCode).toBe('completed');
    expect(param('scope').valueString).toBe('Patient');
    expect(param('processed').valueInteger).toBe(7);
    expect(param('total').valueInteger).toBe(7);
    expect(param('progress').valueDecimal).toBe(100);
    expect(await matches('Patient?birthplace=koln')).toBe(7);
  });

  test('system level re-indexes every type; status errors; only POST', async () => {
    const res = await post('$reindex');
    expect(res.status).toBe(202);
    const done = await until(() => statusOf(res.headers['content-location'] as string), (r) => r.status === 200);
    const get = (name: string) => done.body.parameter.find((p: { name: string }) => p.name === name);
    expect(get('scope').valueString).toBe('system');
    expect(get('processed').valueInteger).toBe(get('total').valueInteger);
    expect(get('processed').valueInteger).toBeGreaterThanOrEqual(9);
    expect((await api().get('/fhir/$reindex-status')).status).toBe(400);
    expect((await api().get('/fhir/$reindex-status?job=nope')).status).toBe(404);
    expect((await api().get('/fhir/$reindex')).status).toBe(405);
    expect((await post('Nope/$reindex')).status).toBe(404);
    const cs = (await api().get('/fhir/metadata')).body;
    expect(cs.rest[0].operation.map((o: { name: string }) => o.name)).toEqual(expect.arrayContaining(['reindex', 'reindex-status']));
  });

  test('a job interrupted after a batch is resumed from its cursor by the next runner', async () => {
    const jobs = app.store.searchIndex;
    const job = await jobs.createReindexJob('resume-1', 'Patient');
    const first = await jobs.reindexBatch(job.id, 3);
    // (The app's own runner may take the job too: batches are never processed twice either way.)
    expect(first?.processed ?? 3).toBe(3);
    const runner = startReindexRunner({ store: app.store, logger: silent, batchSize: 2, pollMs: 60_000 });
    try {
      const end = await until(() => jobs.getReindexJob(job.id), (j) => j?.status === 'completed');
      expect(end).toMatchObject({ status: 'completed', processed: job.total });
      expect(Number(end?.cursor)).toBeGreaterThan(Number(first?.cursor ?? 0));
    } finally {
      await runner.close();
    }
  });
});

describe.each(driversUnderTest())('$reindex job failure on %s', (kind) => {
  // ROLE=server: no background runner may complete the job between the failures this test records.
  let app: TestApp;
  beforeAll(async () => { app = await startTestApp(kind, { ROLE: 'server' }); });
  afterAll(async () => { await app.dispose(); });
  const api = () => request(app.http);

  test('a job fails after repeated failed batches and reports the error', async () => {
    const jobs = app.store.searchIndex;
    const job = await jobs.createReindexJob('fail-1', 'Basic');
    for (let i = 0; i < 3; i++) await jobs.reindexBatchFailed(job.id, 'disk on fire', 3);
    expect(await jobs.getReindexJob(job.id)).toMatchObject({ status: 'failed', error: 'disk on fire' });
    expect(await jobs.openReindexJobs()).not.toContain(job.id);
    const res = await api().get('/fhir/$reindex-status?job=fail-1');
    expect(res.status).toBe(200);
    expect(res.body.parameter).toContainEqual({ name: 'error', valueString: 'disk on fire' });
  });

  test('a job covers the resources that existed when it was created; later ones were indexed by their own write', async () => {
    const jobs = app.store.searchIndex;
    const post = (body: object) => api().post('/fhir/Patient').set('Content-Type', FHIR).send(body);
    for (let i = 0; i < 4; i++) expect((await post({ resourceType: 'Patient', name: [{ family: 'Before' }] })).status).toBe(201);
    const job = await jobs.createReindexJob('bounded-1', 'Patient');
    for (let i = 0; i < 3; i++) expect((await post({ resourceType: 'Patient', name: [{ family: 'After' }] })).status).toBe(201);
    let state = await jobs.getReindexJob(job.id);
    for (let i = 0; i < 20 && state?.status !== 'completed'; i++) state = (await jobs.reindexBatch(job.id, 2)) ?? state;
    expect(state).toMatchObject({ status: 'completed', total: 4, processed: 4 });
    expect((await api().get('/fhir/Patient?family=After')).body.entry).toHaveLength(3);
  });
});

const pgOnly = describeIf(driversUnderTest().includes('pg'), NEEDS_POSTGRES);

pgOnly('$reindex between servers sharing PostgreSQL', () => {
  let a: TestApp;
  let b: App;
  let store: (app: App) => ResourceStore;
  beforeAll(async () => {
    // ROLE=server: no background job runner takes the jobs these tests drive batch by batch.
    a = await startTestApp('pg', { ROLE: 'server' });
    b = await createApp(loadConfig({ DATABASE_URL: a.config.databaseUrl ?? '', DATA_DIR: ':memory:', LOG_LEVEL: 'silent', ROLE: 'server' }), { logger: silent });
    store = (app) => app.store;
  });
  afterAll(async () => {
    await b.close();
    await a.dispose();
  });

  test('a job row held by one server is skipped (SKIP LOCKED), not waited for', async () => {
    const jobs = store(a).searchIndex;
    const job = await jobs.createReindexJob('locked-1', 'Patient');
    const holder = new Client({ connectionString: a.config.databaseUrl });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT id FROM reindex_job WHERE id = $1 FOR UPDATE', [job.id]);
      // The holder commits only after b's batch has returned: had b waited for the row lock
      // instead of skipping it, it could never return (and the test would time out).
      expect(await store(b).searchIndex.reindexBatch(job.id, 10)).toBeNull();
      await holder.query('COMMIT');
    } finally {
      await holder.end();
    }
    expect(await store(b).searchIndex.reindexBatch(job.id, 10)).not.toBeNull();
  });

  test('two servers draining one job process every resource exactly once', async () => {
    const post = (body: object) => request(a.http).post('/fhir/Patient').set('Content-Type', FHIR).send(body);
    for (let i = 0; i < 40; i++) await post(bornIn(`City${i}`));
    const jobs = store(a).searchIndex;
    const job = await jobs.createReindexJob('shared-1', 'Patient');
    const runners = [a, b].map((app) => startReindexRunner({ store: app.store, logger: silent, batchSize: 3, pollMs: 60_000 }));
    try {
      const end = await until(() => jobs.getReindexJob(job.id), (j) => j?.status === 'completed', 20_000);
      expect(end).toMatchObject({ status: 'completed', processed: job.total });
    } finally {
      await Promise.all(runners.map((r) => r.close()));
    }
  });

  test('a second server learns SearchParameters stored by the first (at start, and before each reindex batch)', async () => {
    const c = await createApp(loadConfig({ DATABASE_URL: a.config.databaseUrl ?? '', DATA_DIR: ':memory:', LOG_LEVEL: 'silent' }), { logger: silent });
    try {
      await request(a.http).post('/fhir/SearchParameter').set('Content-Type', FHIR).send({ ...birthplaceParam, url: 'https://acme.org/sp/x2', code: 'born-in' });
      expect(c.rest.registry.get('Patient', 'born-in')).toBeUndefined();
      const res = await request(c.http).post('/fhir/Patient/$reindex').set('Content-Type', FHIR).send('');
      expect(res.status).toBe(202);
      await until(async () => (await request(c.http).get(new URL(res.headers['content-location'] as string).pathname + new URL(res.headers['content-location'] as string).search)).status, (s) => s === 200);
      expect(c.rest.registry.get('Patient', 'born-in')?.type).toBe('string');
      const found = await request(c.http).get('/fhir/Patient?born-in=city1&_count=100');
      expect(found.body.entry.length).toBeGreaterThanOrEqual(11);
    } finally {
      await c.close();
    }
  });
});

describe.each(driversUnderTest())('upgrading to migration 003 on %s', (kind) => {
  test('existing Observations get a queued reindex job that writes their composite rows', async () => {
    const db = await openLegacyDb(kind, (f) => f < '003');
    try {
      const bp = { resourceType: 'Observation', id: 'old-bp', status: 'final', code: { text: 'BP' }, component: [
        { code: { coding: [{ system: 'http://loinc.org', code: '8480-6' }] }, valueQuantity: { value: 150, system: 'http://unitsofmeasure.org', code: 'mm[Hg]' } }] };
      // Seeded in the schema before 003, which today's store cannot write: plain SQL of that schema.
      for (const r of [bp, { resourceType: 'Patient', id: 'old-p' }]) {
        await db.sql.query(`INSERT INTO resource (res_type, id, version, last_updated, content) VALUES ($1, $2, 1, now(), $3::jsonb)`, [r.resourceType, r.id, JSON.stringify(r)]);
      }
      await migrate(db.sql, (f) => f >= '003');
      const { rows } = await db.sql.query<{ id: string; total: string }>('SELECT id, total::text AS total FROM reindex_job ORDER BY id');
      expect(rows).toEqual([{ id: 'migration-003-Observation', total: '1' }]);
      const registry = createSearchRegistry();
      const admin = createSearchIndexAdmin(db.driver, registry, { now: () => new Date() });
      expect(await admin.reindexBatch('migration-003-Observation', 10)).toMatchObject({ status: 'completed', processed: 1 });
      const { query } = parseSearchParams(registry, ['Observation'], queryPairs('component-code-value-quantity=8480-6$gt140'));
      expect((await executeSearch(db.sql, query, registry, { cursorSecret: 's' })).matches.map((m) => m.id)).toEqual(['old-bp']);
    } finally {
      await db.close();
    }
  });
});
