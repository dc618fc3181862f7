/** config.ts: defaults, parsing, and refusals that name the variable (README's configuration table is checked too). */
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { ConfigError, loadConfig } from '../../server/config';

const errorOf = (env: Record<string, string>): string => {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error('expected a ConfigError');
};

describe('loadConfig', () => {
  test('an empty environment gives the documented defaults', () => {
    expect(loadConfig({})).toEqual({
      port: 8080, host: '127.0.0.1', databaseUrl: undefined, dataDir: './data', poolSize: 10, httpWorkers: 1, logLevel: 'info',
      role: 'all', maxBodyBytes: 50 * 1024 * 1024, maxResourceBytes: 16 * 1024 * 1024, bodyBudgetBytes: 64 * 1024 * 1024, maxJsonDepth: 64, requestTimeoutMs: 120_000, statementTimeoutMs: 30_000,
      maxBundleEntries: 10_000, shutdownGraceMs: 25_000, baseUrl: undefined, nlpEngine: 'rules', nlpWorkers: 2,
      llmBaseUrl: undefined, llmApiKey: undefined, llmModel: undefined, llmTimeoutMs: 60_000, llmConcurrency: 4, nlpMask: 'auto',
      nlpLeaseMs: 60_000, nlpPollMs: 1_000, nlpMaxAttempts: 5, nlpBackoffMs: 2_000, twinWorkers: 2, cpuThreadHeapMb: 192, twinDebounceMs: 250,
      twinPollMs: 1_000, authIssuer: undefined, authJwksUrl: undefined, authAudience: undefined, cursorSecret: undefined,
      authIntrospectionUrl: undefined, authIntrospectionClientId: undefined, authIntrospectionClientSecret: undefined,
      authClockSkewSec: 30, authTokenCacheSize: 10_000, authDisabledAck: false, nodeEnv: 'development', corsOrigins: [],
      rateLimitPerMinute: 0, trustProxy: undefined, metricsToken: undefined, metricsPort: undefined, metricsHost: '127.0.0.1',
      terminologyMaxExpansion: 10_000, cpuThreads: 1, auditEnabled: true, auditFlushMs: 250, auditBatch: 500,
      reviewClientId: 'review-app', reviewScopes: 'openid fhirUser user/*.rs user/Condition.u user/Observation.u',
      exportDir: path.join(tmpdir(), 'twinfhir-export'), exportRetentionMs: 3_600_000, exportWorkers: 1, exportPageSize: 2_000, exportTransformHeapMb: 64, exportMaxFileResources: 0,
      importBatch: 500, importMaxLineBytes: 8 * 1024 * 1024, importMaxUploadBytes: 4 * 1024 ** 3, importWorkers: 1, importRetentionMs: 3_600_000,
      subscriptions: { workers: 4, timeoutMs: 10_000, backoffMs: 1_000, backoffMaxMs: 300_000, errorAfter: 3, refreshMs: 1_000, allowPrivate: false, allowedHosts: [], eventRetentionMs: 604_800_000, pruneIntervalMs: 600_000, coalesceMs: 100 },
    });
  });

  test('auth on: HOST defaults to 0.0.0.0 and the rate limit to 6000/min; the auth rules are refinements naming their variable', () => {
    const on = loadConfig({ AUTH_ISSUER: 'https://idp.example', AUTH_AUDIENCE: 'https://fhir.example/fhir' });
    expect(on.host).toBe('0.0.0.0');
    expect(on.rateLimitPerMinute).toBe(6000);
    expect(loadConfig({ AUTH_ISSUER: 'https://idp.example', AUTH_AUDIENCE: 'a', RATE_LIMIT_PER_MINUTE: '0', HOST: '10.0.0.1' })).toMatchObject({ rateLimitPerMinute: 0, host: '10.0.0.1' });
    expect(loadConfig({ CORS_ORIGINS: 'https://a.example, https://b.example:8443' }).corsOrigins).toEqual(['https://a.example', 'https://b.example:8443']);
    expect(() => loadConfig({ NODE_ENV: 'production', HTTP_WORKERS: '2' })).toThrow(/NODE_ENV=production without AUTH_ISSUER.*; HTTP_WORKERS > 1 needs DATABASE_URL|HTTP_WORKERS > 1 needs DATABASE_URL.*NODE_ENV=production/);
    expect(loadConfig({ NODE_ENV: 'production', ROLE: 'worker', DATABASE_URL: 'postgres://x' }).nodeEnv).toBe('production');
    expect(() => loadConfig({ METRICS_PORT: '0' })).toThrow(/METRICS_PORT must be an integer >= 1/);
    expect(loadConfig({ SUBSCRIPTION_EVENT_RETENTION_MS: '0', SUBSCRIPTION_PRUNE_INTERVAL_MS: '100' }).subscriptions).toMatchObject({ eventRetentionMs: 0, pruneIntervalMs: 100 });
    expect(() => loadConfig({ SUBSCRIPTION_EVENT_RETENTION_MS: '-1' })).toThrow(/SUBSCRIPTION_EVENT_RETENTION_MS must be an integer >= 0/);
    expect(() => loadConfig({ SUBSCRIPTION_PRUNE_INTERVAL_MS: '50' })).toThrow(/SUBSCRIPTION_PRUNE_INTERVAL_MS must be an integer >= 100/);
  });

  test('values are parsed: integers, byte sizes, enums; an empty value counts as unset', () => {
    const c = loadConfig({ PORT: '9090', MAX_BODY: '512kb', ROLE: 'server', NLP_MASK: 'never', DATA_DIR: '', CURSOR_SECRET: 's3cret', LOG_LEVEL: 'debug' });
    expect(c).toMatchObject({ port: 9090, maxBodyBytes: 512 * 1024, role: 'server', nlpMask: 'never', dataDir: './data', cursorSecret: 's3cret', logLevel: 'debug' });
  });

  test('every bad value is reported at once, each naming its variable and what was given', () => {
    const msg = errorOf({ PORT: 'eighty', HTTP_WORKERS: '0', ROLE: 'boss', MAX_BODY: '5 parsecs', LOG_LEVEL: 'loud', DB_POOL_SIZE: '1.5' });
    expect(msg).toContain("PORT must be an integer >= 0, got 'eighty'");
    expect(msg).toContain("HTTP_WORKERS must be an integer >= 1, got '0'");
    expect(msg).toContain("ROLE must be one of all, server, worker, got 'boss'");
    expect(msg).toContain("MAX_BODY must be a byte size");
    expect(msg).toContain("LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got 'loud'");
    expect(msg).toContain("DB_POOL_SIZE must be an integer >= 1, got '1.5'");
  });

  test('MAX_RESOURCE_BYTES: 16mb by default but never above MAX_BODY; set, it must lie between 1kb and MAX_BODY', () => {
    expect(loadConfig({}).maxResourceBytes).toBe(16 * 1024 * 1024);
    expect(loadConfig({ MAX_BODY: '512kb' }).maxResourceBytes).toBe(512 * 1024);
    expect(loadConfig({ MAX_RESOURCE_BYTES: '1mb' }).maxResourceBytes).toBe(1024 * 1024);
    expect(loadConfig({ BODY_BUDGET: '8mb' }).bodyBudgetBytes).toBe(8 * 1024 * 1024);
    expect(() => loadConfig({ BODY_BUDGET: 'lots' })).toThrow(/BODY_BUDGET/);
    expect(errorOf({ MAX_RESOURCE_BYTES: '2mb', MAX_BODY: '1mb' })).toMatch(/MAX_RESOURCE_BYTES must be at least 1kb and at most MAX_BODY/);
    expect(errorOf({ MAX_RESOURCE_BYTES: '100' })).toMatch(/MAX_RESOURCE_BYTES must be at least 1kb/);
    expect(errorOf({ MAX_RESOURCE_BYTES: 'huge' })).toMatch(/MAX_RESOURCE_BYTES must be a byte size/);
  });

  test('CPU_THREAD_HEAP: 192mb by default, in MB for the worker limits; below 128mb (a thread holds its validator) refused by name', () => {
    expect(loadConfig({}).cpuThreadHeapMb).toBe(192);
    expect(loadConfig({ CPU_THREAD_HEAP: '1gb' }).cpuThreadHeapMb).toBe(1024);
    expect(errorOf({ CPU_THREAD_HEAP: '64mb' })).toMatch(/CPU_THREAD_HEAP must be at least 128mb/);
    expect(errorOf({ CPU_THREAD_HEAP: 'big' })).toMatch(/CPU_THREAD_HEAP must be a byte size/);
  });

  test('HTTP_WORKERS > 1 needs DATABASE_URL and CURSOR_SECRET', () => {
    expect(errorOf({ HTTP_WORKERS: '2', CURSOR_SECRET: 'x'.repeat(32) })).toMatch(/HTTP_WORKERS > 1 needs DATABASE_URL/);
    const noSecret = errorOf({ HTTP_WORKERS: '2', DATABASE_URL: 'postgres://db/twinfhir' });
    expect(noSecret).toMatch(/HTTP_WORKERS > 1 needs CURSOR_SECRET/);
    expect(noSecret).not.toMatch(/DATABASE_URL:/);
    expect(loadConfig({ HTTP_WORKERS: '2', DATABASE_URL: 'postgres://db/twinfhir', CURSOR_SECRET: 'x'.repeat(32) }).httpWorkers).toBe(2);
  });

  test('ROLE=worker needs DATABASE_URL; an LLM engine needs LLM_BASE_URL and LLM_MODEL', () => {
    expect(errorOf({ ROLE: 'worker' })).toMatch(/ROLE=worker needs DATABASE_URL/);
    expect(errorOf({ NLP_ENGINE: 'hybrid', LLM_MODEL: 'm' })).toMatch(/NLP_ENGINE=hybrid needs LLM_BASE_URL and LLM_MODEL/);
    expect(loadConfig({ NLP_ENGINE: 'llm', LLM_BASE_URL: 'http://127.0.0.1:8000/v1', LLM_MODEL: 'm' }).nlpEngine).toBe('llm');
  });

  test('secrets are never echoed in an error', () => {
    expect(errorOf({ HTTP_WORKERS: '2', CURSOR_SECRET: 'hunter2', LLM_API_KEY: 'sk-abc', PORT: 'x' })).not.toMatch(/hunter2|sk-abc/);
  });

  test('any value of an integer variable either parses to an integer within bounds or is refused by name', () => {
    fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 12 }), fc.integer({ min: -5, max: 1e7 }).map(String)), (raw) => {
      let c;
      try {
        c = loadConfig({ NLP_LEASE_MS: raw });
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        expect((err as Error).message).toMatch(/^NLP_LEASE_MS must be an integer >= 100/);
        return;
      }
      expect(Number.isInteger(c.nlpLeaseMs) && c.nlpLeaseMs >= 100).toBe(true);
    }));
  });

  test('SUBSCRIPTION_COALESCE_MS: 100 by default, any integer from 0 to 60000, anything else refused by name', () => {
    expect(loadConfig({}).subscriptions.coalesceMs).toBe(100);
    expect(loadConfig({ SUBSCRIPTION_COALESCE_MS: '0' }).subscriptions.coalesceMs).toBe(0);
    expect(errorOf({ SUBSCRIPTION_COALESCE_MS: '60001' })).toBe("SUBSCRIPTION_COALESCE_MS must be an integer from 0 to 60000, got '60001'");
    const raw = fc.oneof(fc.string({ maxLength: 8 }), fc.integer({ min: -5, max: 1e5 }).map(String), fc.double().map(String));
    fc.assert(fc.property(raw, (value) => {
      let c;
      try {
        c = loadConfig({ SUBSCRIPTION_COALESCE_MS: value });
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        expect((err as Error).message.startsWith('SUBSCRIPTION_COALESCE_MS must be an integer from 0 to 60000')).toBe(true);
        return;
      }
      const n = c.subscriptions.coalesceMs;
      expect(Number.isInteger(n) && n >= 0 && n <= 60_000).toBe(true);
      if (value.trim() !== '') expect(n).toBe(Number(value));
    }), { numRuns: 300 });
  });

  test('bulk settings: EXPORT_TRANSFORM_HEAP_MB is 0 or >= 32, EXPORT_MAX_FILE_RESOURCES >= 0, IMPORT_RETENTION_MS >= 1000, else refused by name', () => {
    const raw = fc.oneof(fc.string({ maxLength: 8 }), fc.integer({ min: -5, max: 1e7 }).map(String));
    const rules = { EXPORT_TRANSFORM_HEAP_MB: (n: number) => n === 0 || n >= 32, EXPORT_MAX_FILE_RESOURCES: (n: number) => n >= 0, IMPORT_RETENTION_MS: (n: number) => n >= 1000 };
    const field = { EXPORT_TRANSFORM_HEAP_MB: 'exportTransformHeapMb', EXPORT_MAX_FILE_RESOURCES: 'exportMaxFileResources', IMPORT_RETENTION_MS: 'importRetentionMs' } as const;
    fc.assert(fc.property(fc.constantFrom(...(Object.keys(rules) as (keyof typeof rules)[])), raw, (name, value) => {
      let c;
      try {
        c = loadConfig({ [name]: value });
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        expect((err as Error).message.startsWith(name)).toBe(true);
        return;
      }
      const n = c[field[name]];
      expect(Number.isInteger(n) && rules[name](n)).toBe(true);
    }), { numRuns: 300 });
    expect(() => loadConfig({ EXPORT_TRANSFORM_HEAP_MB: '16' })).toThrow(/EXPORT_TRANSFORM_HEAP_MB must be 0/);
    expect(loadConfig({ EXPORT_TRANSFORM_HEAP_MB: '0', EXPORT_MAX_FILE_RESOURCES: '1000', IMPORT_RETENTION_MS: '5000' })).toMatchObject({ exportTransformHeapMb: 0, exportMaxFileResources: 1000, importRetentionMs: 5000 });
  });

  /** README's "Configuration (environment)" table: variable names of each row with their documented defaults. */
  function readmeTable(): Map<string, string | undefined> {
    const readme = readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('\n## ', readme.indexOf('## Configuration') + 5));
    const out = new Map<string, string | undefined>();
    for (const row of section.split('\n').filter((l) => l.startsWith('| `'))) {
      const [, names, defaults] = row.split('|');
      const vars = [...names.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]);
      const values = [...defaults.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
      // "`8080` / `0.0.0.0`" pairs up with "`PORT` / `HOST`"; "unset", "random" and the like have no value
      vars.forEach((v, i) => out.set(v, values.length === vars.length ? values[i] : undefined));
    }
    return out;
  }

  test("README's configuration table names exactly the variables config.ts reads, with its defaults", () => {
    const table = readmeTable();
    const source = readFileSync(path.resolve(__dirname, '../../server/config.ts'), 'utf8');
    const schema = source.slice(source.indexOf('const ENV_SCHEMA'), source.indexOf('}).superRefine'));
    // settings kept in helper modules beside config.ts and spread into its schema
    const helpers = ['core/subscription-settings.ts'].map((f) => readFileSync(path.resolve(__dirname, '../../server', f), 'utf8')).join('\n');
    const read = [...`${schema}\n${helpers}`.matchAll(/^ {2}([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1]);
    expect(read.length).toBeGreaterThan(30);
    expect([...table.keys()].sort()).toEqual([...read].sort());
    // setting every variable to its documented default changes nothing
    const documented = Object.fromEntries([...table].filter((e): e is [string, string] => e[1] !== undefined));
    expect(Object.keys(documented).length).toBeGreaterThan(20);
    expect(loadConfig(documented)).toEqual(loadConfig({}));
  });
});
