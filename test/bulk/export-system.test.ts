/**
 * System-level $export of Synthea data through the real app on both drivers: every output file equals
 * what search returns for its type, resource by resource (content included); files are NDJSON, gzip when
 * asked; `_type`, `_since`, `_typeFilter` mean what search means; DELETE removes the job and its files.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { driversUnderTest } from '../support/databases';
import { type TestApp, startTestApp } from '../support/test-app';
import { download, exportedKeys, kickOff, loadBundles, searchIds, syntheaFiles, waitForManifest } from './export-helpers';

describe.each(driversUnderTest())('$export at system level (%s)', (kind) => {
  let app: TestApp;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'twinfhir-export-test-'));
    app = await startTestApp(kind, { EXPORT_DIR: dir, EXPORT_PAGE_SIZE: '97' });
    await loadBundles(app.http, syntheaFiles(3));
  }, 300_000);
  afterAll(async () => {
    await app.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  test('every type equals its search, resource by resource; the manifest follows the IG', async () => {
    const status = await kickOff(app.http, '/fhir/$export');
    expect(status).toMatch(/^\/fhir\/\$export-poll-status\?_jobId=/);
    const manifest = await waitForManifest(app.http, status);
    expect(manifest.request).toMatch(/\/fhir\/\$export$/);
    expect(manifest.requiresAccessToken).toBe(false);
    expect(manifest.error).toEqual([]);
    expect(Date.parse(manifest.transactionTime)).not.toBeNaN();
    const types = manifest.output.map((o) => o.type);
    expect(types).toEqual(expect.arrayContaining(['Patient', 'Observation', 'Encounter', 'Organization', 'Practitioner']));
    expect(types).not.toContain('AuditEvent');
    const keys = await exportedKeys(app.http, manifest);
    for (const o of manifest.output) {
      const exported = keys.get(o.type) ?? [];
      expect(exported).toHaveLength(o.count);
      expect(new Set(exported).size).toBe(exported.length);
      expect([...exported].sort()).toEqual((await searchIds(app.http, `/fhir/${o.type}`)).sort());
    }
    // Content as stored: one Observation compared with its read.
    const obs = (await download(app.http, manifest.output.find((o) => o.type === 'Observation')?.url ?? ''))[5];
    const read = await request(app.http).get(`/fhir/Observation/${obs.id}`);
    expect(obs).toEqual(JSON.parse(read.text));
  }, 300_000);

  test('files are application/fhir+ndjson, gzip-encoded when asked', async () => {
    const manifest = await waitForManifest(app.http, await kickOff(app.http, '/fhir/$export?_type=Patient'));
    const url = manifest.output[0].url.replace(/^https?:\/\/[^/]+/, '');
    const plain = await request(app.http).get(url).set('Accept-Encoding', 'identity');
    expect(plain.status).toBe(200);
    expect(plain.headers['content-type']).toMatch(/^application\/fhir\+ndjson/);
    expect(plain.headers['content-encoding']).toBeUndefined();
    const gz = await request(app.http).get(url).set('Accept-Encoding', 'gzip');
    expect(gz.headers['content-encoding']).toBe('gzip');
    const zipped = await download(app.http, manifest.output[0].url, { 'Accept-Encoding': 'gzip' });
    expect(zipped.map((r) => r.id).sort()).toEqual(plain.text.trim().split('\n').map((l) => (JSON.parse(l) as { id: string }).id).sort());
  }, 120_000);

  test('_type, _since and _typeFilter select what search selects', async () => {
    const filter = 'Observation?category=vital-signs';
    const manifest = await waitForManifest(app.http, await kickOff(app.http, `/fhir/$export?_type=Observation,Condition&_typeFilter=${encodeURIComponent(filter)}`));
    expect(manifest.output.map((o) => o.type).sort()).toEqual(['Condition', 'Observation']);
    const keys = await exportedKeys(app.http, manifest);
    expect([...(keys.get('Observation') ?? [])].sort()).toEqual((await searchIds(app.http, '/fhir/Observation?category=vital-signs')).sort());
    expect([...(keys.get('Condition') ?? [])].sort()).toEqual((await searchIds(app.http, '/fhir/Condition')).sort());
    // Two filters on one type are OR-ed.
    const both = await waitForManifest(app.http, await kickOff(app.http,
      `/fhir/$export?_type=Observation&_typeFilter=${encodeURIComponent('Observation?category=vital-signs')}&_typeFilter=${encodeURIComponent('Observation?category=laboratory')}`));
    const union = [...(await searchIds(app.http, '/fhir/Observation?category=vital-signs')), ...(await searchIds(app.http, '/fhir/Observation?category=laboratory'))];
    expect([...((await exportedKeys(app.http, both)).get('Observation') ?? [])].sort()).toEqual([...new Set(union)].sort());
    // _since: only what changed after it.
    const since = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 20));
    const patientId = (await searchIds(app.http, '/fhir/Patient'))[0].split('/')[1];
    const current = JSON.parse((await request(app.http).get(`/fhir/Patient/${patientId}`)).text) as Record<string, unknown>;
    expect((await request(app.http).put(`/fhir/Patient/${patientId}`).set('Content-Type', 'application/fhir+json').send({ ...current, gender: 'other' })).status).toBe(200);
    const recent = await waitForManifest(app.http, await kickOff(app.http, `/fhir/$export?_since=${encodeURIComponent(since)}`));
    expect(recent.output.map((o) => [o.type, o.count])).toEqual([['Patient', 1]]);
  }, 300_000);

  test('DELETE cancels: the status is gone and the files are removed', async () => {
    const status = await kickOff(app.http, '/fhir/$export');
    const jobId = new URLSearchParams(status.split('?')[1]).get('_jobId') ?? '';
    const manifest = await waitForManifest(app.http, status);
    expect(existsSync(path.join(dir, jobId))).toBe(true);
    const del = await request(app.http).delete(status);
    expect(del.status).toBe(202);
    expect(existsSync(path.join(dir, jobId))).toBe(false);
    expect((await request(app.http).get(status)).status).toBe(404);
    expect((await request(app.http).get(manifest.output[0].url.replace(/^https?:\/\/[^/]+/, ''))).status).toBe(404);
    // Cancelled right after kick-off: nothing is left behind once the worker notices.
    const early = await kickOff(app.http, '/fhir/$export');
    expect((await request(app.http).delete(early)).status).toBe(202);
    await new Promise((r) => setTimeout(r, 500));
    const earlyId = new URLSearchParams(early.split('?')[1]).get('_jobId') ?? '';
    // a worker already writing a page notices at its next save, which under load can come after the 500 ms;
    // wait for it by the clock (a directory that stays is still caught)
    for (const until = Date.now() + 30_000; readdirSync(dir).includes(earlyId) && Date.now() < until;) await new Promise((r) => setTimeout(r, 100));
    expect(readdirSync(dir)).not.toContain(earlyId);
  }, 300_000);

  test('kick-off without Prefer: respond-async is a 400 OperationOutcome', async () => {
    const res = await request(app.http).get('/fhir/$export');
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text).resourceType).toBe('OperationOutcome');
  });
});
