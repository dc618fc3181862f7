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
  /** Per-request timeout of the LLM endpoint. */
  llmTimeoutMs: number;
  /** Concurrent requests to the LLM endpoint from this process. */
  llmConcurrency: number;
  /** Mask patient identifiers before text leaves the server: auto = when LLM_BASE_URL is not on loopback. */
  nlpMask: 'auto' | 'always' | 'never';
  /** Extraction job lease: a crashed worker's job is taken over after this long. */
  nlpLeaseMs: number;
  /** How often an idle worker looks for due jobs (other servers', retries). */
  nlpPollMs: number;
  /** Attempts before an extraction Task fails for good. */
  nlpMaxAttempts: number;
  /** First retry delay after a transient failure (doubles per attempt, capped at 5 minutes). */
  nlpBackoffMs: number;
  /** Digital Twin refresh workers in this process (0: only enqueue; ROLE=server runs none). */
  twinWorkers: number;
  /** Worker threads for CPU-heavy work (large $validate bodies, PDF text); 0 runs it on the event loop. */
  cpuThreads: number;
  /** Debounce: a burst of changes to one patient within this window yields one rebuild. */
  twinDebounceMs: number;
  twinPollMs: number;
  /** ValueSet/$expand refuses (400 too-costly) expansions of more codes than this. */
  terminologyMaxExpansion: number;
  authIssuer?: string;
  authJwksUrl?: string;
  authAudience?: string;
  /** RFC 7662 endpoint for opaque tokens, with this server's client credentials. */
  authIntrospectionUrl?: string;
  authIntrospectionClientId?: string;
  authIntrospectionClientSecret?: string;
  /** Clock skew tolerated on exp/nbf. */
  authClockSkewSec: number;
  /** Verified tokens kept (until they expire) so a request pays a lookup, not a signature check. */
  authTokenCacheSize: number;
  /** 'i-understand' lets NODE_ENV=production run without auth. */
  authDisabledAck: boolean;
  nodeEnv: string;
  /** Exact origins allowed by CORS (SMART web apps); empty: no CORS headers. */
  corsOrigins: string[];
  /** Requests per minute per client (token client id, else IP); 0 = no limit. */
  rateLimitPerMinute: number;
  /** express 'trust proxy': X-Forwarded-* are believed only when set. */
  trustProxy?: string;
  /** Bearer token required on /metrics. */
  metricsToken?: string;
  /** Serve /metrics on its own port (METRICS_HOST, default 127.0.0.1) instead of PORT. */
  metricsPort?: number;
  metricsHost: string;
  /** Key for signing paging cursors; replicas must share it. Random per process when unset. */
  cursorSecret?: string;
  /** An AuditEvent for every FHIR request (issue 11 §7). */
  auditEnabled: boolean;
  /** Queued AuditEvents are written at least this often. */
  auditFlushMs: number;
  /** ... or as soon as this many wait (also the most per transaction). */
  auditBatch: number;
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
  if (config.role === 'worker' && !config.databaseUrl) throw new ConfigError('ROLE=worker needs DATABASE_URL: workers share the server\'s PostgreSQL');
  checkAuth(config);
  if (config.nlpEngine !== 'rules' && (!config.llmBaseUrl || !config.llmModel)) {
    throw new ConfigError(`NLP_ENGINE=${config.nlpEngine} needs LLM_BASE_URL and LLM_MODEL (an OpenAI-compatible endpoint)`);
  }
  return config;
}

/** Auth on needs an audience; production refuses to run without auth unless told it is understood. */
function checkAuth(config: Config): void {
  const on = Boolean(config.authIssuer || config.authJwksUrl);
  if (on && !config.authAudience) throw new ConfigError('AUTH_AUDIENCE (the FHIR base URL tokens are issued for) is required when AUTH_ISSUER/AUTH_JWKS_URL is set');
  if (config.authAudience && !on) throw new ConfigError('AUTH_AUDIENCE is set but neither AUTH_ISSUER nor AUTH_JWKS_URL: tokens cannot be verified');
  if ((config.authIntrospectionClientId === undefined) !== (config.authIntrospectionClientSecret === undefined) || (config.authIntrospectionUrl && !config.authIntrospectionClientId)) {
    throw new ConfigError('AUTH_INTROSPECTION_URL needs AUTH_INTROSPECTION_CLIENT_ID and AUTH_INTROSPECTION_CLIENT_SECRET');
  }
  // ROLE=worker serves no FHIR data (health and metrics only): nothing to protect with tokens.
  if (!on && config.nodeEnv === 'production' && !config.authDisabledAck && config.role !== 'worker') {
    throw new ConfigError('NODE_ENV=production without AUTH_ISSUER: refusing to serve patient data without authentication. Configure SMART auth, or set AUTH_DISABLED=i-understand');
  }
}

function origins(raw: string | undefined): string[] {
  const list = (raw ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  for (const o of list) {
    let u: URL;
    try { u = new URL(o); } catch { throw new ConfigError(`CORS_ORIGINS: '${o}' is not an origin`); }
    if (u.origin !== o) throw new ConfigError(`CORS_ORIGINS: '${o}' must be an exact origin like https://app.example.org (no path, no trailing slash)`);
  }
  return list;
}

function readAuthConfig(env: Env): Pick<Config, 'authIssuer' | 'authJwksUrl' | 'authAudience' | 'authIntrospectionUrl' | 'authIntrospectionClientId'
  | 'authIntrospectionClientSecret' | 'authClockSkewSec' | 'authTokenCacheSize' | 'authDisabledAck' | 'host'> {
  const authIssuer = opt(env, 'AUTH_ISSUER');
  const authJwksUrl = opt(env, 'AUTH_JWKS_URL');
  const ack = opt(env, 'AUTH_DISABLED');
  if (ack !== undefined && ack !== 'i-understand') throw new ConfigError("AUTH_DISABLED must be 'i-understand' (or unset)");
  return {
    authIssuer, authJwksUrl,
    authAudience: opt(env, 'AUTH_AUDIENCE'),
    authIntrospectionUrl: opt(env, 'AUTH_INTROSPECTION_URL'),
    authIntrospectionClientId: opt(env, 'AUTH_INTROSPECTION_CLIENT_ID'),
    authIntrospectionClientSecret: opt(env, 'AUTH_INTROSPECTION_CLIENT_SECRET'),
    authClockSkewSec: int(env, 'AUTH_CLOCK_SKEW_SEC', 30, 0),
    authTokenCacheSize: int(env, 'AUTH_TOKEN_CACHE_SIZE', 10_000, 1),
    authDisabledAck: ack === 'i-understand',
    // Without auth the server is for local development: loopback only unless HOST says otherwise.
    host: opt(env, 'HOST') ?? (authIssuer || authJwksUrl ? '0.0.0.0' : '127.0.0.1'),
  };
}

function readEdgeConfig(env: Env, authOn: boolean): Pick<Config, 'nodeEnv' | 'corsOrigins' | 'rateLimitPerMinute' | 'trustProxy' | 'metricsToken' | 'metricsPort' | 'metricsHost'> {
  const metricsPort = opt(env, 'METRICS_PORT') === undefined ? undefined : int(env, 'METRICS_PORT', 0, 1);
  return {
    nodeEnv: env.NODE_ENV ?? 'development',
    corsOrigins: origins(env.CORS_ORIGINS),
    // per client: generous for EHR integrations, a brake on a runaway or hostile one
    rateLimitPerMinute: int(env, 'RATE_LIMIT_PER_MINUTE', authOn ? 6000 : 0, 0),
    trustProxy: opt(env, 'TRUST_PROXY'),
    metricsToken: opt(env, 'METRICS_TOKEN'),
    metricsPort,
    metricsHost: opt(env, 'METRICS_HOST') ?? '127.0.0.1',
  };
}

function readConfig(env: Env): Config {
  const auth = readAuthConfig(env);
  return { ...readCoreConfig(env), ...auth, ...readEdgeConfig(env, Boolean(auth.authIssuer || auth.authJwksUrl)) };
}

function readCoreConfig(env: Env): Omit<Config, keyof ReturnType<typeof readAuthConfig> | keyof ReturnType<typeof readEdgeConfig>> {
  return {
    port: int(env, 'PORT', 8080),
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
    llmTimeoutMs: int(env, 'LLM_TIMEOUT_MS', 60_000, 1),
    llmConcurrency: int(env, 'LLM_CONCURRENCY', 4, 1),
    nlpMask: oneOf(env, 'NLP_MASK', ['auto', 'always', 'never'] as const, 'auto'),
    nlpLeaseMs: int(env, 'NLP_LEASE_MS', 60_000, 100),
    nlpPollMs: int(env, 'NLP_POLL_MS', 1_000, 10),
    nlpMaxAttempts: int(env, 'NLP_MAX_ATTEMPTS', 5, 1),
    nlpBackoffMs: int(env, 'NLP_BACKOFF_MS', 2_000, 1),
    twinWorkers: int(env, 'TWIN_WORKERS', 2, 0),
    cpuThreads: int(env, 'CPU_THREADS', 1, 0),
    twinDebounceMs: int(env, 'TWIN_DEBOUNCE_MS', 250, 0),
    twinPollMs: int(env, 'TWIN_POLL_MS', 1_000, 10),
    terminologyMaxExpansion: int(env, 'TERMINOLOGY_MAX_EXPANSION', 10_000, 1),
    cursorSecret: opt(env, 'CURSOR_SECRET'),
    auditEnabled: ['true', '1'].includes(oneOf(env, 'AUDIT_ENABLED', ['true', 'false', '1', '0'] as const, 'true')),
    auditFlushMs: int(env, 'AUDIT_FLUSH_MS', 250, 1),
    auditBatch: int(env, 'AUDIT_BATCH', 500, 1),
  };
}
