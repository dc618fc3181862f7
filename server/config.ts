/**
 * Every environment setting, parsed and checked in one place (DESIGN.md §5) with a zod schema keyed
 * by the variable names, so each error names the variable. README's configuration table lists the same.
 */
import { tmpdir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { SUBSCRIPTION_DELIVERY_ENV, type SubscriptionDeliveryTuning, subscriptionDeliveryTuning } from './core/subscription-settings';

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
  /** Largest JSON of one resource (create/update/patch result, each Bundle entry); ≤ MAX_BODY. */
  maxResourceBytes: number;
  bodyBudgetBytes: number; // request bodies held in memory at once; one body alone is always admitted
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
  /** Old-generation heap limit of each CPU thread (MB): the worst case of one huge body's memory. */
  cpuThreadHeapMb: number;
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
  /** Key for signing paging cursors; replicas and HTTP workers must share it. Random per process when unset (refused with HTTP_WORKERS > 1). */
  cursorSecret?: string;
  /**
   * Secret of pseudonymised research exports (HMAC pseudonyms, keyed hashes, date offsets), decoded
   * from base64 (≥ 32 bytes). Unset → pseudonymised exports are refused. Never logged.
   */
  pseudonymizationKey?: Uint8Array;
  /** An AuditEvent for every FHIR request (issue 11 §7). */
  auditEnabled: boolean;
  /** Queued AuditEvents are written at least this often. */
  auditFlushMs: number;
  /** ... or as soon as this many wait (also the most per transaction). */
  auditBatch: number;
  /** Client id of the review page (a public SMART app) at the authorization server, used with auth on. */
  reviewClientId: string;
  /** Scopes the review page asks for at launch (a user whose grant lacks `user/{type}.u` sees no decision buttons). */
  reviewScopes: string;
  /** Bulk Data export files: one directory per job below this one. */
  exportDir: string;
  /** How long a finished export's files and status stay before they are deleted. */
  exportRetentionMs: number;
  /** Export jobs run at once in this process (ROLE=server runs none) / resources read per keyset page. */
  exportWorkers: number;
  exportPageSize: number;
  /** Heap cap (MB) of the worker thread a transformed export (`_pseudonymize`, `_elements`) encodes in; 0 = in the runner's thread. */
  exportTransformHeapMb: number;
  /** Resources per export output file: a type with more is split into several files (0: one file per type). */
  exportMaxFileResources: number;
  /** $import: NDJSON lines per transaction, longest line, largest upload, import jobs run at once per process. */
  importBatch: number;
  importMaxLineBytes: number;
  importMaxUploadBytes: number;
  importWorkers: number;
  /** How long an ended import job and its error file stay before they are deleted (its status then answers 404). */
  importRetentionMs: number;
  subscriptions: SubscriptionConfig;
}

/** Topic-based Subscriptions (rest-hook delivery on the job runner, websocket). */
export interface SubscriptionConfig extends SubscriptionDeliveryTuning {
  /** Concurrent deliveries in this process (ROLE=server runs none). */
  workers: number;
  /** Longest a rest-hook POST may take. */
  timeoutMs: number;
  /** First retry delay of a failed delivery (doubles per attempt up to backoffMaxMs). */
  backoffMs: number;
  backoffMaxMs: number;
  /** Consecutive failed attempts after which a subscription's status becomes error. */
  errorAfter: number;
  /** How often a server looks for Subscription changes and websocket events of other servers. */
  refreshMs: number;
  /** Deliver to loopback/private addresses (development, tests). */
  allowPrivate: boolean;
  /** Host names allowed as endpoints even when internal. */
  allowedHosts: string[];
  /** Delivered events are kept this long for $events replay, then pruned (undelivered ones never are); pause between pruning runs. */
  eventRetentionMs: number; pruneIntervalMs: number;
}

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

/** Accepts plain bytes or a unit suffix: 50mb, 512kb, 1gb. */
export function parseBytes(raw: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?\s*$/i.exec(raw);
  if (!m) throw new ConfigError(`not a byte size: '${raw}'`);
  const mult: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };
  return Math.floor(Number(m[1]) * mult[(m[2] ?? 'b').toLowerCase()]);
}

/** An empty variable counts as unset (as `FOO=` in an env file means). */
const blank = (v: unknown): unknown => (v === '' ? undefined : v);

function int(dflt: number, min = 0) {
  const msg = `must be an integer >= ${min}`;
  return z.preprocess(blank, z.coerce.number({ error: msg }).int({ error: msg }).min(min, { error: msg }).default(dflt));
}

function oneOf<const T extends readonly [string, ...string[]]>(allowed: T, dflt: T[number]) {
  return z.preprocess(blank, z.enum(allowed, { error: `must be one of ${allowed.join(', ')}` }).default(dflt));
}

/** An optional integer whose default depends on other settings (resolved in toConfig). */
function optInt(min: number) {
  const msg = `must be an integer >= ${min}`;
  return z.preprocess(blank, z.coerce.number({ error: msg }).int({ error: msg }).min(min, { error: msg }).optional());
}

const text = (dflt: string) =>
  z.preprocess(blank, z.string().default(dflt));
const optional = z.preprocess(blank, z.string().optional());

const bytes = (dflt: string) =>
  z.preprocess(blank, z.string().default(dflt).transform((raw, ctx) => {
    try {
      return parseBytes(raw);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a byte size such as 52428800, 512kb, 50mb or 1gb' });
      return z.NEVER;
    }
  }));

/** A byte size whose default depends on other settings (resolved in toConfig). */
const optBytes = z.preprocess(blank, z.string().optional().transform((raw, ctx) => {
  if (raw === undefined) return undefined;
  try {
    return parseBytes(raw);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be a byte size such as 4194304, 512kb or 4mb' });
    return z.NEVER;
  }
}));

/** Comma-separated exact origins (https://app.example.org: no path, no trailing slash). */
const origins = z.preprocess(blank, z.string().default('').transform((raw, ctx) => {
  const list = raw.split(',').map((o) => o.trim()).filter(Boolean);
  for (const o of list) {
    let origin: string | undefined;
    try { origin = new URL(o).origin; } catch { origin = undefined; }
    if (origin !== o) ctx.addIssue({ code: 'custom', message: `CORS_ORIGINS: '${o.slice(0, 80)}' must be an exact origin like https://app.example.org (no path, no trailing slash)` });
  }
  return list;
}));

/** base64 (standard or url-safe) of at least 32 random bytes; the value is never echoed in an error. */
const base64Key = z.preprocess(blank, z.string().optional().transform((raw, ctx) => {
  if (raw === undefined) return undefined;
  const clean = raw.trim();
  const bytes = Buffer.from(clean, 'base64');
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(clean) || bytes.length < 32) {
    ctx.addIssue({ code: 'custom', message: 'must be base64 of at least 32 random bytes (e.g. openssl rand -base64 32)' });
    return z.NEVER;
  }
  return new Uint8Array(bytes);
}));

/** pino's levels; anything else would only fail later, inside the logger. */
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** MAX_RESOURCE_BYTES when unset (never above MAX_BODY): a scanned letter of ~10 MB, base64 in a Binary or DocumentReference, still fits. */
export const DEFAULT_MAX_RESOURCE_BYTES = 16 * 1024 * 1024;

/** One entry per variable: its parser and default. */
const ENV_SCHEMA = z.object({
  PORT: int(8080),
  // Without auth the server is for local development: loopback only unless HOST says otherwise.
  HOST: optional,
  DATABASE_URL: optional,
  DATA_DIR: text('./data'),
  DB_POOL_SIZE: int(10, 1),
  HTTP_WORKERS: int(1, 1),
  LOG_LEVEL: oneOf(LOG_LEVELS, 'info'),
  ROLE: oneOf(['all', 'server', 'worker'] as const, 'all'),
  MAX_BODY: bytes('50mb'),
  // one resource, not a Bundle or NDJSON upload: bounds parse/index/GC work and PGlite's never-shrinking heap
  MAX_RESOURCE_BYTES: optBytes,
  BODY_BUDGET: bytes('64mb'), // a burst of large uploads waits unread (TCP backpressure) instead of growing the heap
  MAX_JSON_DEPTH: int(64, 4),
  REQUEST_TIMEOUT_MS: int(120_000, 1),
  STATEMENT_TIMEOUT_MS: int(30_000, 0),
  MAX_BUNDLE_ENTRIES: int(10_000, 1),
  SHUTDOWN_GRACE_MS: int(25_000, 0),
  BASE_URL: optional,
  NLP_ENGINE: oneOf(['rules', 'llm', 'hybrid'] as const, 'rules'),
  NLP_WORKERS: int(2, 0),
  LLM_BASE_URL: optional,
  LLM_API_KEY: optional,
  LLM_MODEL: optional,
  LLM_TIMEOUT_MS: int(60_000, 1),
  LLM_CONCURRENCY: int(4, 1),
  NLP_MASK: oneOf(['auto', 'always', 'never'] as const, 'auto'),
  NLP_LEASE_MS: int(60_000, 100),
  NLP_POLL_MS: int(1_000, 10),
  NLP_MAX_ATTEMPTS: int(5, 1),
  NLP_BACKOFF_MS: int(2_000, 1),
  TWIN_WORKERS: int(2, 0),
  CPU_THREADS: int(1, 0),
  // each CPU thread's V8 old generation: a body that needs more is refused (413), the thread replaced
  CPU_THREAD_HEAP: bytes('192mb').refine((n) => n >= 128 * 1048576, { error: 'must be at least 128mb (each CPU thread holds its own validator)' }),
  TWIN_DEBOUNCE_MS: int(250, 0),
  TWIN_POLL_MS: int(1_000, 10),
  TERMINOLOGY_MAX_EXPANSION: int(10_000, 1),
  AUTH_ISSUER: optional,
  AUTH_JWKS_URL: optional,
  AUTH_AUDIENCE: optional,
  AUTH_INTROSPECTION_URL: optional,
  AUTH_INTROSPECTION_CLIENT_ID: optional,
  AUTH_INTROSPECTION_CLIENT_SECRET: optional,
  AUTH_CLOCK_SKEW_SEC: int(30, 0),
  AUTH_TOKEN_CACHE_SIZE: int(10_000, 1),
  AUTH_DISABLED: z.preprocess(blank, z.literal('i-understand', { error: "must be 'i-understand' (or unset)" }).optional()),
  NODE_ENV: text('development'),
  CORS_ORIGINS: origins,
  // per client: generous for EHR integrations (6000 with auth), a brake on a runaway or hostile one
  RATE_LIMIT_PER_MINUTE: optInt(0),
  TRUST_PROXY: optional,
  METRICS_TOKEN: optional,
  METRICS_PORT: optInt(1),
  METRICS_HOST: text('127.0.0.1'),
  CURSOR_SECRET: optional,
  PSEUDONYMIZATION_KEY: base64Key,
  AUDIT_ENABLED: oneOf(['true', 'false', '1', '0'] as const, 'true'),
  AUDIT_FLUSH_MS: int(250, 1),
  AUDIT_BATCH: int(500, 1),
  REVIEW_CLIENT_ID: text('review-app'),
  REVIEW_SCOPES: text('openid fhirUser user/*.rs user/Condition.u user/Observation.u'),
  EXPORT_DIR: text(path.join(tmpdir(), 'twinfhir-export')),
  EXPORT_RETENTION_MS: int(3_600_000, 1_000),
  EXPORT_WORKERS: int(1, 0),
  EXPORT_PAGE_SIZE: int(2_000, 1),
  EXPORT_TRANSFORM_HEAP_MB: int(64, 0),
  EXPORT_MAX_FILE_RESOURCES: int(0, 0),
  IMPORT_BATCH: int(500, 1),
  IMPORT_MAX_LINE: bytes('8mb'),
  IMPORT_MAX_UPLOAD: bytes('4gb'),
  IMPORT_WORKERS: int(1, 0),
  IMPORT_RETENTION_MS: int(3_600_000, 1_000),
  SUBSCRIPTION_WORKERS: int(4, 0),
  SUBSCRIPTION_TIMEOUT_MS: int(10_000, 100),
  SUBSCRIPTION_BACKOFF_MS: int(1_000, 1),
  SUBSCRIPTION_BACKOFF_MAX_MS: int(300_000, 1),
  SUBSCRIPTION_ERROR_AFTER: int(3, 1),
  SUBSCRIPTION_REFRESH_MS: int(1_000, 10),
  SUBSCRIPTION_ALLOW_PRIVATE: oneOf(['true', 'false', '1', '0'] as const, 'false'),
  SUBSCRIPTION_ALLOWED_HOSTS: text(''),
  ...SUBSCRIPTION_DELIVERY_ENV,
}).superRefine((e, ctx) => {
  const refuse = (variable: string, message: string): void => {
    ctx.addIssue({ code: 'custom', path: [variable], message });
  };
  checkAuth(e, refuse);
  if (e.MAX_RESOURCE_BYTES !== undefined && (e.MAX_RESOURCE_BYTES < 1024 || e.MAX_RESOURCE_BYTES > e.MAX_BODY)) refuse('MAX_RESOURCE_BYTES', `MAX_RESOURCE_BYTES must be at least 1kb and at most MAX_BODY (${e.MAX_BODY} bytes)`);
  if (e.HTTP_WORKERS > 1 && !e.DATABASE_URL) refuse('HTTP_WORKERS', 'HTTP_WORKERS > 1 needs DATABASE_URL: the embedded database lives in one process');
  if (e.HTTP_WORKERS > 1 && !e.CURSOR_SECRET) refuse('HTTP_WORKERS', 'HTTP_WORKERS > 1 needs CURSOR_SECRET: a paging link signed by one worker must verify on the others (replicas need the same value too)');
  if (e.EXPORT_TRANSFORM_HEAP_MB > 0 && e.EXPORT_TRANSFORM_HEAP_MB < 32) refuse('EXPORT_TRANSFORM_HEAP_MB', 'EXPORT_TRANSFORM_HEAP_MB must be 0 (no worker thread) or at least 32 (the R4 model and the profile need room)');
  if (e.ROLE === 'worker' && !e.DATABASE_URL) refuse('ROLE', 'ROLE=worker needs DATABASE_URL: workers share the server\'s PostgreSQL');
  if (e.NLP_ENGINE !== 'rules' && (!e.LLM_BASE_URL || !e.LLM_MODEL)) refuse('NLP_ENGINE', `NLP_ENGINE=${e.NLP_ENGINE} needs LLM_BASE_URL and LLM_MODEL (an OpenAI-compatible endpoint)`);
});

type ParsedEnv = z.output<typeof ENV_SCHEMA>;
type AuthEnv = Pick<ParsedEnv, 'AUTH_ISSUER' | 'AUTH_JWKS_URL' | 'AUTH_AUDIENCE' | 'AUTH_INTROSPECTION_URL' | 'AUTH_INTROSPECTION_CLIENT_ID'
  | 'AUTH_INTROSPECTION_CLIENT_SECRET' | 'AUTH_DISABLED' | 'NODE_ENV' | 'ROLE'>;

const authOn = (e: Pick<ParsedEnv, 'AUTH_ISSUER' | 'AUTH_JWKS_URL'>): boolean => Boolean(e.AUTH_ISSUER || e.AUTH_JWKS_URL);

/** Auth on needs an audience; production refuses to run without auth unless told it is understood. */
function checkAuth(e: AuthEnv, refuse: (variable: string, message: string) => void): void {
  const on = authOn(e);
  if (on && !e.AUTH_AUDIENCE) refuse('AUTH_AUDIENCE', 'AUTH_AUDIENCE (the FHIR base URL tokens are issued for) is required when AUTH_ISSUER/AUTH_JWKS_URL is set');
  if (e.AUTH_AUDIENCE && !on) refuse('AUTH_AUDIENCE', 'AUTH_AUDIENCE is set but neither AUTH_ISSUER nor AUTH_JWKS_URL: tokens cannot be verified');
  if ((e.AUTH_INTROSPECTION_CLIENT_ID === undefined) !== (e.AUTH_INTROSPECTION_CLIENT_SECRET === undefined) || (e.AUTH_INTROSPECTION_URL && !e.AUTH_INTROSPECTION_CLIENT_ID)) {
    refuse('AUTH_INTROSPECTION_URL', 'AUTH_INTROSPECTION_URL needs AUTH_INTROSPECTION_CLIENT_ID and AUTH_INTROSPECTION_CLIENT_SECRET');
  }
  // ROLE=worker serves no FHIR data (health and metrics only): nothing to protect with tokens.
  if (!on && e.NODE_ENV === 'production' && !e.AUTH_DISABLED && e.ROLE !== 'worker') {
    refuse('NODE_ENV', 'NODE_ENV=production without AUTH_ISSUER: refusing to serve patient data without authentication. Configure SMART auth, or set AUTH_DISABLED=i-understand');
  }
}

/** The schema's messages, each naming its variable and (for a bad value) what was given; secrets are not echoed. */
function describe(error: z.ZodError, env: Env): string {
  return error.issues.map((issue) => {
    const name = String(issue.path[0] ?? '');
    if (issue.message.startsWith(name)) return issue.message;
    const raw = env[name];
    const shown = raw === undefined || /KEY|SECRET/.test(name) ? '' : `, got '${raw.slice(0, 80)}'`;
    return `${name} ${issue.message}${shown}`;
  }).join('; ');
}

export function loadConfig(env: Env = process.env): Config {
  const parsed = ENV_SCHEMA.safeParse(env);
  if (!parsed.success) throw new ConfigError(describe(parsed.error, env));
  return toConfig(parsed.data);
}

function toConfig(e: ParsedEnv): Config {
  return {
    port: e.PORT, host: e.HOST ?? (authOn(e) ? '0.0.0.0' : '127.0.0.1'), databaseUrl: e.DATABASE_URL, dataDir: e.DATA_DIR, poolSize: e.DB_POOL_SIZE,
    httpWorkers: e.HTTP_WORKERS, logLevel: e.LOG_LEVEL, role: e.ROLE, maxBodyBytes: e.MAX_BODY, maxResourceBytes: e.MAX_RESOURCE_BYTES ?? Math.min(DEFAULT_MAX_RESOURCE_BYTES, e.MAX_BODY), bodyBudgetBytes: e.BODY_BUDGET, maxJsonDepth: e.MAX_JSON_DEPTH,
    requestTimeoutMs: e.REQUEST_TIMEOUT_MS, statementTimeoutMs: e.STATEMENT_TIMEOUT_MS, maxBundleEntries: e.MAX_BUNDLE_ENTRIES,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS, baseUrl: e.BASE_URL,
    nlpEngine: e.NLP_ENGINE, nlpWorkers: e.NLP_WORKERS, llmBaseUrl: e.LLM_BASE_URL, llmApiKey: e.LLM_API_KEY, llmModel: e.LLM_MODEL,
    llmTimeoutMs: e.LLM_TIMEOUT_MS, llmConcurrency: e.LLM_CONCURRENCY, nlpMask: e.NLP_MASK,
    nlpLeaseMs: e.NLP_LEASE_MS, nlpPollMs: e.NLP_POLL_MS, nlpMaxAttempts: e.NLP_MAX_ATTEMPTS, nlpBackoffMs: e.NLP_BACKOFF_MS,
    twinWorkers: e.TWIN_WORKERS, cpuThreads: e.CPU_THREADS, cpuThreadHeapMb: Math.floor(e.CPU_THREAD_HEAP / 1048576), twinDebounceMs: e.TWIN_DEBOUNCE_MS, twinPollMs: e.TWIN_POLL_MS,
    terminologyMaxExpansion: e.TERMINOLOGY_MAX_EXPANSION,
    authIssuer: e.AUTH_ISSUER, authJwksUrl: e.AUTH_JWKS_URL, authAudience: e.AUTH_AUDIENCE,
    authIntrospectionUrl: e.AUTH_INTROSPECTION_URL, authIntrospectionClientId: e.AUTH_INTROSPECTION_CLIENT_ID,
    authIntrospectionClientSecret: e.AUTH_INTROSPECTION_CLIENT_SECRET, authClockSkewSec: e.AUTH_CLOCK_SKEW_SEC,
    authTokenCacheSize: e.AUTH_TOKEN_CACHE_SIZE, authDisabledAck: e.AUTH_DISABLED === 'i-understand', nodeEnv: e.NODE_ENV,
    corsOrigins: e.CORS_ORIGINS, rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE ?? (authOn(e) ? 6000 : 0), trustProxy: e.TRUST_PROXY,
    metricsToken: e.METRICS_TOKEN, metricsPort: e.METRICS_PORT, metricsHost: e.METRICS_HOST, cursorSecret: e.CURSOR_SECRET,
    pseudonymizationKey: e.PSEUDONYMIZATION_KEY,
    auditEnabled: ['true', '1'].includes(e.AUDIT_ENABLED), auditFlushMs: e.AUDIT_FLUSH_MS, auditBatch: e.AUDIT_BATCH,
    reviewClientId: e.REVIEW_CLIENT_ID, reviewScopes: e.REVIEW_SCOPES,
    exportDir: e.EXPORT_DIR, exportRetentionMs: e.EXPORT_RETENTION_MS, exportWorkers: e.EXPORT_WORKERS, exportPageSize: e.EXPORT_PAGE_SIZE, exportTransformHeapMb: e.EXPORT_TRANSFORM_HEAP_MB, exportMaxFileResources: e.EXPORT_MAX_FILE_RESOURCES,
    importBatch: e.IMPORT_BATCH, importMaxLineBytes: e.IMPORT_MAX_LINE, importMaxUploadBytes: e.IMPORT_MAX_UPLOAD, importWorkers: e.IMPORT_WORKERS, importRetentionMs: e.IMPORT_RETENTION_MS,
    subscriptions: {
      workers: e.SUBSCRIPTION_WORKERS, timeoutMs: e.SUBSCRIPTION_TIMEOUT_MS, backoffMs: e.SUBSCRIPTION_BACKOFF_MS, backoffMaxMs: e.SUBSCRIPTION_BACKOFF_MAX_MS,
      errorAfter: e.SUBSCRIPTION_ERROR_AFTER, refreshMs: e.SUBSCRIPTION_REFRESH_MS, allowPrivate: ['true', '1'].includes(e.SUBSCRIPTION_ALLOW_PRIVATE),
      allowedHosts: e.SUBSCRIPTION_ALLOWED_HOSTS.split(',').map((h) => h.trim().toLowerCase()).filter(Boolean),
      eventRetentionMs: e.SUBSCRIPTION_EVENT_RETENTION_MS, pruneIntervalMs: e.SUBSCRIPTION_PRUNE_INTERVAL_MS, ...subscriptionDeliveryTuning(e),
    },
  };
}
