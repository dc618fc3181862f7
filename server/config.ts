/** Every environment setting, parsed and checked in one place (DESIGN.md §5). */

export type NlpEngineName = 'rules' | 'llm' | 'hybrid';

export interface Config {
  port: number;
  host: string;
  /** Set: the `pg` driver with a pool. Unset: embedded PGlite in dataDir. */
  databaseUrl?: string;
  /** PGlite directory, or ':memory:'. */
  dataDir: string;
  poolSize: number;
  /** HTTP worker processes (node cluster) sharing the port; needs DATABASE_URL (PGlite is in-process). */
  httpWorkers: number;
  logLevel: string;
  role: 'all' | 'server' | 'worker';
  maxBodyBytes: number;
  maxJsonDepth: number;
  requestTimeoutMs: number;
  statementTimeoutMs: number;
  maxBundleEntries: number;
  shutdownGraceMs: number;
  /** Public base URL of the FHIR endpoint, e.g. http://localhost:8080/fhir; derived from the request when unset. */
  baseUrl?: string;
  nlpEngine: NlpEngineName;
  nlpWorkers: number;
  llmBaseUrl?: string;
  llmApiKey?: string;
  llmModel?: string;
  authIssuer?: string;
  authJwksUrl?: string;
  authAudience?: string;
  /** Key for signing paging cursors; replicas must share it. Random per process when unset. */
  cursorSecret?: string;
}

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, dflt: number, min = 0): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new ConfigError(`${name} must be an integer >= ${min}, got '${raw}'`);
  return n;
}

/** Accepts plain bytes or a unit suffix: 50mb, 512kb, 1gb. */
export function parseBytes(raw: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?\s*$/i.exec(raw);
  if (!m) throw new ConfigError(`not a byte size: '${raw}'`);
  const mult: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };
  return Math.floor(Number(m[1]) * mult[(m[2] ?? 'b').toLowerCase()]);
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], dflt: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return dflt;
  if (!(allowed as readonly string[]).includes(raw)) throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got '${raw}'`);
  return raw as T;
}

function opt(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v === '' ? undefined : v;
}

export function loadConfig(env: Env = process.env): Config {
  const config = readConfig(env);
  if (config.httpWorkers > 1 && !config.databaseUrl) throw new ConfigError('HTTP_WORKERS > 1 needs DATABASE_URL: the embedded database lives in one process');
  return config;
}

function readConfig(env: Env): Config {
  return {
    port: int(env, 'PORT', 8080),
    host: env.HOST ?? '0.0.0.0',
    databaseUrl: opt(env, 'DATABASE_URL'),
    dataDir: env.DATA_DIR ?? './data',
    poolSize: int(env, 'DB_POOL_SIZE', 10, 1),
    httpWorkers: int(env, 'HTTP_WORKERS', 1, 1),
    logLevel: env.LOG_LEVEL ?? 'info',
    role: oneOf(env, 'ROLE', ['all', 'server', 'worker'] as const, 'all'),
    maxBodyBytes: env.MAX_BODY ? parseBytes(env.MAX_BODY) : 50 * 1024 * 1024,
    maxJsonDepth: int(env, 'MAX_JSON_DEPTH', 64, 4),
    requestTimeoutMs: int(env, 'REQUEST_TIMEOUT_MS', 120_000, 1),
    statementTimeoutMs: int(env, 'STATEMENT_TIMEOUT_MS', 30_000, 0),
    maxBundleEntries: int(env, 'MAX_BUNDLE_ENTRIES', 10_000, 1),
    shutdownGraceMs: int(env, 'SHUTDOWN_GRACE_MS', 25_000, 0),
    baseUrl: opt(env, 'BASE_URL'),
    nlpEngine: oneOf(env, 'NLP_ENGINE', ['rules', 'llm', 'hybrid'] as const, 'rules'),
    nlpWorkers: int(env, 'NLP_WORKERS', 2, 0),
    llmBaseUrl: opt(env, 'LLM_BASE_URL'),
    llmApiKey: opt(env, 'LLM_API_KEY'),
    llmModel: opt(env, 'LLM_MODEL'),
    authIssuer: opt(env, 'AUTH_ISSUER'),
    authJwksUrl: opt(env, 'AUTH_JWKS_URL'),
    authAudience: opt(env, 'AUTH_AUDIENCE'),
    cursorSecret: opt(env, 'CURSOR_SECRET'),
  };
}
