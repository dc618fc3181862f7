/**
 * Composition root: builds every dependency once and wires them together; no module singletons. Order
 * matters and is fixed: the write hooks and read policy first, then the store (which runs them for every
 * write and read, and never changes them), then the services, then one job runner for every queue.
 */
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { hostname } from 'node:os';
import type express from 'express';
import pino, { type Logger } from 'pino';
import { type Auth, createAuth } from './auth/context';
import { oauthUris, smartConfiguration } from './auth/smart-configuration';
import { type AuditRecorder, createAuditRecorder } from './audit/audit-recorder';
import { createAuditWriteGuard } from './audit/audit-write-guard';
import { exportQueue } from './bulk/export/queue';
import { type ExportService, createExportService } from './bulk/export/service';
import type { Config } from './config';
import { type Clock, type IdGenerator, systemClock, uuidIds } from './core/clock';
import { R4Model } from './core/r4/element-model';
import { createHttpApp } from './http/express-app';
import { createMetrics, type HttpMetrics } from './http/metrics';
import { createStallMonitor, type StallMonitor } from './http/stall-monitor';
import { jobRunMetrics, registerJobGauge } from './jobs/metrics';
import { startJobRunner } from './jobs/runner';
import type { JobRunner, QueueHandler } from './jobs/types';
import { createExtractor } from './nlp/engines';
import { type PdfTextFn, createPdfTextPool } from './nlp/attachment/pdf-off-thread';
import { createExtractionHook } from './nlp/jobs/extraction-hook';
import { extractionQueue } from './nlp/jobs/extraction-queue';
import type { ExtractionServices } from './nlp/jobs/services';
import { NLP_QUEUE } from './nlp/jobs/task';
import { isLoopbackUrl } from './nlp/masking';
import { createNlpMetrics } from './nlp/metrics';
import { compileRulesResources } from './nlp/rules/engine';
import { loadNlpMappings, type NlpMappings } from './nlp/mappings';
import { catalogueResources, catalogueSeeds } from './nlp/catalogue-resources';
import { syncCatalogue } from './nlp/catalogue-sync';
import { createCatalogueEngine, type EngineSource } from './nlp/catalogue-engine';
import { createCatalogueHook } from './nlp/catalogue-hook';
import { operationTable } from './operations';
import type { RestDeps } from './rest/deps';
import { createReviewGuard } from './review/review-guard';
import { reindexQueue } from './search-index/reindex-queue';
import { searchParameterHook, startSearchParameterSync } from './search-index/search-parameter-sync';
import { createSearchRegistry } from './search/registry';
import { createSubscriptionServices, type SubscriptionServices } from './subscriptions/service';
import { publishTopics, subscriptionCapabilities, topicResource } from './subscriptions/topic-resources';
import { TOPICS } from './subscriptions/topics';
import { openStore } from './store/open-store';
import { importQueue } from './bulk/import/import-queue';
import { eventPruningQueue, schedulePruning } from './subscriptions/event-pruning';
import { importRoutes } from './bulk/import/import-routes';
import type { ImportServiceDeps } from './bulk/import/import-service';
import { EXPORT_QUEUE, IMPORT_QUEUE, REINDEX_QUEUE, type ReadPolicy, type ResourceStore, type WriteHook } from './store/types';
import { TWIN_QUEUE } from './twin/outbox-hook';
import { type TwinService, createTwinService } from './twin/service';
import { type ResourceValidator, createValidator } from './validation';
import { type BodyJudge, createBodyJudge } from './validation/off-thread';

export interface App {
  http: express.Express;
  store: ResourceStore;
  rest: RestDeps;
  logger: Logger;
  twin: TwinService;
  auth: Auth;
  /** Prometheus exposition (for a METRICS_PORT listener). */
  metricsText(): Promise<{ contentType: string; text: string }>;
  /** The AuditEvent recorder; undefined when AUDIT_ENABLED=false. */
  audit?: AuditRecorder;
  /** Serves the Subscription websocket endpoint ({base}/ws) on an HTTP server listening for this app. */
  attachWebSocket(server: Server): void;
  close(): Promise<void>;
}

export interface AppOverrides {
  clock?: Clock;
  ids?: IdGenerator;
  logger?: Logger;
  /** PGlite data directory to start from (tests: a migrated template). */
  pgliteTemplate?: Blob;
  /** More write hooks, run after the server's own (e.g. audit); fixed before the store opens. */
  hooks?: readonly WriteHook[];
  /** Checked before every read (default: allow all). */
  readPolicy?: ReadPolicy;
}

export async function createApp(config: Config, overrides: AppOverrides = {}): Promise<App> {
  const logger = overrides.logger ?? pino({ level: config.logLevel, base: { service: 'twinfhir' } });
  const clock = overrides.clock ?? systemClock;
  const auth = createAuth(authSettings(config));
  const ids = overrides.ids ?? uuidIds;
  const model = new R4Model(); // the one R4 model: search, validation, FHIRPath Patch and _summary all read it
  const registry = createSearchRegistry(model);
  const validator = createValidator({ model });
  const cpu = cpuPools(validator, config.cpuThreads, config.cpuThreadHeapMb);
  // The runner exists only once the store is open; hooks nudge it after their transaction commits.
  const nudge: { runner?: JobRunner } = {};
  const twin = createTwinService({
    registry, validator, clock, debounceMs: config.twinDebounceMs, pollMs: config.twinPollMs,
    workers: config.role === 'server' ? 0 : config.twinWorkers, wake: () => nudge.runner?.wake(TWIN_QUEUE),
  });
  // mappings/ seeds the terminology the NLP engine reads back from the store (catalogue-engine.ts)
  const seed = loadNlpMappings();
  const catalogue: { engine?: EngineSource } = {};
  const subscriptions = createSubscriptionServices(registry, subscriptionSettings(config), logger);
  // The guards first: a write they refuse never reaches the outboxes; subscriptions see every write made by the others.
  const hooks = [
    createAuditWriteGuard(), createReviewGuard({ clock, ids }), searchParameterHook(registry), twin.hook,
    createCatalogueHook({ groups: ['conditions', ...Object.keys(seed.coding.observationGroups)], onChange: () => catalogue.engine?.invalidate() }),
    createExtractionHook({ ids, clock, registry, maxAttempts: config.nlpMaxAttempts, onEnqueued: () => nudge.runner?.wake(NLP_QUEUE) }),
    subscriptions.hook, ...(overrides.hooks ?? []),
  ];
  const store = await openStore({
    databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: config.poolSize, hooks, readPolicy: overrides.readPolicy,
    statementTimeoutMs: config.statementTimeoutMs, cursorSecret: config.cursorSecret, pgliteTemplate: overrides.pgliteTemplate,
  }, registry, clock);
  // Custom SearchParameters stored earlier are loaded now; other servers' changes are polled.
  const searchParams = await startSearchParameterSync({ store, registry, logger });
  const metrics = createMetrics(() => store.poolStats());
  const nlp = await startNlp(config, seed, catalogue, { store, registry, validator, ids, clock, metrics, pdfText: cpu.pdfText, logger });
  const bulk = bulkExportOf(config, { store, registry, model, clock, ids, logger, requiresAccessToken: auth.enabled, wake: () => nudge.runner?.wake(EXPORT_QUEUE) });
  const bulkImport = bulkImportOf(config, { store, validator, ids, clock, logger, authEnabled: auth.enabled, wake: () => nudge.runner?.wake(IMPORT_QUEUE) });
  const secret = config.cursorSecret ?? randomBytes(32).toString('hex');
  const subscriptionQueues = await startSubscriptions(subscriptions, store, { clock, ids, logger, config, secret, wake: (queue) => nudge.runner?.wake(queue) });
  const queues: QueueHandler[] = [
    ...subscriptionQueues, await subscriptionPruning(store, { clock, logger, config }), twin.queue(store), reindexQueue({ store, logger, workers: config.role === 'server' ? 0 : 1, beforeBatch: () => searchParams.refresh() }), nlpQueue(config, nlp), bulk.queue, bulkImport.queue,
  ];
  // hooks and services nudge the runner through `nudge` from here on
  const jobs = (nudge.runner = startRunner(queues, { store, logger, clock, ids, metrics }));
  const audit = startAudit(config, { store, ids, logger, registry: metrics.registry });
  const rest: RestDeps = {
    store, registry, validator, model, bodyJudge: cpu.bodyJudge, clock, ids,
    limits: { maxBundleEntries: config.maxBundleEntries, defaultCount: 20, maxCount: 1000, maxResourceBytes: config.maxResourceBytes },
    operations: operationTable({
      reindex: { wake: () => jobs.wake(REINDEX_QUEUE) }, extraction: nlp, twin: true, terminology: { maxExpansion: config.terminologyMaxExpansion }, bulkExport: bulk.service, bulkImport: bulkImport.service,
      subscriptions: { secret, bindingTokenMs: subscriptions.settings.bindingTokenMs },
    }),
    capabilityAdditions: subscriptionCapabilities(TOPICS),
    reportError: (err, context) => logger.error({ err, context }, 'internal error'),
    security: securityOf(auth, config),
  };
  const stalls = createStallMonitor({ logger }), http = httpApp(config, auth, { rest, logger, metrics, stalls, bulkExport: bulk.service, ready: () => store.ping(), audit: audit && { recorder: audit, clock }, streamingFhirRoutes: bulkImport.routes });
  const close = async (): Promise<void> => {
    await jobs.close(); // the runner first: no delivery or job outlives what it uses
    await subscriptions.close(); await searchParams.close(); await cpu.close();
    await closeAudit(audit, logger);
    await store.close(); stalls.close();
  };
  const metricsText = async (): Promise<{ contentType: string; text: string }> => ({ contentType: metrics.registry.contentType, text: await metrics.registry.metrics() });
  return { http, store, rest, logger, twin, auth, audit, metricsText, close, attachWebSocket: (server) => subscriptions.ws().attach(server) };
}

function subscriptionSettings(config: Config): Parameters<typeof createSubscriptionServices>[1] {
  const s = config.subscriptions;
  return {
    policy: { allowPrivate: s.allowPrivate, allowedHosts: s.allowedHosts },
    delivery: {
      workers: config.role === 'server' ? 0 : s.workers, leaseMs: 30_000, pollMs: 1_000, backoff: { baseMs: s.backoffMs, maxMs: s.backoffMaxMs },
      errorAfter: s.errorAfter, timeoutMs: s.timeoutMs,
    },
    // The coalescing window is spent half in the fan-out (writes share a run), half in delivery (events share a notification).
    fanout: { workers: config.role === 'server' ? 0 : 1, batchSize: 500, sweepMs: 5_000, leaseMs: 30_000, lingerMs: Math.floor(s.coalesceMs / 2), coalesceMs: Math.ceil(s.coalesceMs / 2) },
    refreshMs: s.refreshMs, bindingTokenMs: 60_000,
  };
}

/** Publishes the SubscriptionTopics, loads the live subscriptions and returns the fan-out and rest-hook delivery queues. */
async function startSubscriptions(
  subs: SubscriptionServices, store: ResourceStore, d: { clock: Clock; ids: IdGenerator; logger: Logger; config: Config; secret: string; wake: (queue: string) => void },
): Promise<QueueHandler[]> {
  await publishTopics(store, TOPICS.map(topicResource));
  const baseUrl = d.config.baseUrl ?? `http://${d.config.host === '0.0.0.0' ? 'localhost' : d.config.host}:${d.config.port}/fhir`;
  return subs.start({ store, clock: d.clock, ids: d.ids, logger: d.logger, baseUrl, secret: d.secret, wake: d.wake });
}

/** The pruning of delivered subscription events (a system job): one run scheduled now, the queue on the runner. */
async function subscriptionPruning(store: ResourceStore, d: { clock: Clock; logger: Logger; config: Config }): Promise<QueueHandler> {
  await schedulePruning(store);
  const s = d.config.subscriptions;
  return eventPruningQueue({ store, clock: d.clock, logger: d.logger }, {
    retentionMs: s.eventRetentionMs, intervalMs: s.pruneIntervalMs, batch: 500, maxBatches: 20, workers: d.config.role === 'server' ? 0 : 1,
  });
}

/** Bulk $import: its job queue, the service the operation uses, and the streaming upload/status routes. */
function bulkImportOf(
  config: Config, d: { store: ResourceStore; validator: ResourceValidator; ids: IdGenerator; clock: Clock; logger: Logger; authEnabled: boolean; wake: () => void },
): { queue: QueueHandler; service: ImportServiceDeps; routes: express.RequestHandler } {
  const now = (): Date => d.clock.now();
  const service: ImportServiceDeps = { store: d.store, ids: d.ids, wake: d.wake, authEnabled: d.authEnabled, retentionMs: config.importRetentionMs, now };
  const known = new Set(d.validator.resourceTypes());
  return {
    service,
    queue: importQueue({
      ...d, batchSize: config.importBatch, maxLineBytes: config.importMaxLineBytes, maxJsonDepth: config.maxJsonDepth,
      workers: config.role === 'server' ? 0 : config.importWorkers, retentionMs: config.importRetentionMs, now,
    }),
    routes: importRoutes(service, { maxUploadBytes: config.importMaxUploadBytes, baseUrl: config.baseUrl, knownType: (t) => known.has(t) }),
  };
}

/** The one job runner over every background queue, with a depth gauge per queue. */
function startRunner(queues: QueueHandler[], d: { store: ResourceStore; logger: Logger; clock: Clock; ids: IdGenerator; metrics: HttpMetrics }): JobRunner {
  registerJobGauge(d.metrics.registry, () => d.store.jobs.depth(), queues.map((q) => q.queue));
  return startJobRunner({ ...d, owner: `${hostname()}:${process.pid}:${d.ids.newId()}`, onOutcome: jobRunMetrics(d.metrics.registry) }, queues);
}

/** The express app with the edge settings (CORS, rate limit, metrics exposure) the config asks for. */
function httpApp(
  config: Config, auth: ReturnType<typeof createAuth>,
  d: { rest: RestDeps; logger: Logger; metrics: HttpMetrics; stalls: StallMonitor; bulkExport: ExportService; ready: () => Promise<void>; audit?: { recorder: AuditRecorder; clock: Clock }; streamingFhirRoutes?: express.RequestHandler },
): express.Express {
  return createHttpApp(
    { ...d, contextFor: auth.contextFor, smartConfiguration: smartConfigurationOf(auth, config) },
    {
      maxBodyBytes: config.maxBodyBytes, bodyBudgetBytes: config.bodyBudgetBytes, maxJsonDepth: config.maxJsonDepth, requestTimeoutMs: config.requestTimeoutMs, baseUrl: config.baseUrl,
      serveFhir: config.role !== 'worker', trustProxy: config.trustProxy, serveSourceMaps: config.nodeEnv !== 'production',
      // The page can launch only against an issuer it can discover (AUTH_JWKS_URL alone names no authorization server).
      reviewSmart: config.authIssuer && URL.canParse(config.authIssuer) ? { clientId: config.reviewClientId, scope: config.reviewScopes, authOrigin: new URL(config.authIssuer).origin } : undefined,
      edge: {
        corsOrigins: config.corsOrigins, rateLimitPerMinute: config.rateLimitPerMinute, metricsToken: config.metricsToken,
        metricsHere: config.metricsPort !== undefined ? false : auth.enabled ? 'refuse' : true,
      },
    },
  );
}

function authSettings(config: Config): Parameters<typeof createAuth>[0] {
  return {
    issuer: config.authIssuer, jwksUrl: config.authJwksUrl, audience: config.authAudience, clockSkewSec: config.authClockSkewSec,
    tokenCacheSize: config.authTokenCacheSize, introspectionUrl: config.authIntrospectionUrl,
    introspectionClientId: config.authIntrospectionClientId, introspectionClientSecret: config.authIntrospectionClientSecret,
  };
}

function securityOf(auth: Auth, config: Config): RestDeps['security'] {
  const metadata = auth.metadata;
  return { enabled: auth.enabled, ...(metadata ? { oauthUris: async () => oauthUris(await metadata(), config.authIntrospectionUrl) } : {}) };
}

function smartConfigurationOf(auth: Auth, config: Config): (() => Promise<object>) | undefined {
  const metadata = auth.metadata;
  return metadata ? async () => smartConfiguration(await metadata(), config.authIntrospectionUrl) : undefined;
}

/** Bulk Data export: the service behind $export and its endpoints, and its queue on the one runner (ROLE=server runs none). */
function bulkExportOf(
  config: Config,
  d: { store: ResourceStore; registry: ReturnType<typeof createSearchRegistry>; model: R4Model; clock: Clock; ids: IdGenerator; logger: Logger; requiresAccessToken: boolean; wake(): void },
): { service: ExportService; queue: QueueHandler } {
  const research = { key: config.pseudonymizationKey, model: d.model, registry: d.registry };
  // Generous: every shutdown during a long export gives the job back and costs one attempt.
  const service = createExportService({ ...d, research, dir: config.exportDir, maxAttempts: 25 });
  const queue = exportQueue({
    ...d, dir: config.exportDir, retentionMs: config.exportRetentionMs, pageSize: config.exportPageSize, research: { ...research, reader: d.store },
    transformHeapMb: config.exportTransformHeapMb, maxFileResources: config.exportMaxFileResources,
    workers: config.role === 'server' ? 0 : config.exportWorkers, now: () => d.clock.now(),
  });
  return { service, queue };
}

/** The extraction queue: ROLE=server runs no workers (it only enqueues). */
function nlpQueue(config: Config, services: ExtractionServices): QueueHandler {
  return extractionQueue({
    services, concurrency: config.role === 'server' ? 0 : config.nlpWorkers,
    leaseMs: config.nlpLeaseMs, pollMs: config.nlpPollMs, backoff: { baseMs: config.nlpBackoffMs, maxMs: 300_000 },
  });
}

/** Worker threads for CPU-heavy work: large $validate bodies and PDF text (CPU_THREADS; 0 = inline). */
function cpuPools(validator: ResourceValidator, threads: number, heapMb: number): { bodyJudge: BodyJudge; pdfText: PdfTextFn; close(): Promise<void> } {
  const bodyJudge = createBodyJudge(validator, threads, heapMb);
  const pdf = createPdfTextPool(threads, heapMb);
  return { bodyJudge, pdfText: pdf.pdfText, close: async () => { await bodyJudge.close(); await pdf.close(); } };
}

/** Most AuditEvents held in memory while the database catches up (~10 MB); beyond it they are dropped and counted. */
const AUDIT_QUEUE_CAPACITY = 10_000;

function startAudit(config: Config, d: { store: ResourceStore; ids: IdGenerator; logger: Logger; registry: HttpMetrics['registry'] }): AuditRecorder | undefined {
  if (!config.auditEnabled) return undefined;
  return createAuditRecorder({ ...d, flushMs: config.auditFlushMs, batchSize: config.auditBatch, capacity: AUDIT_QUEUE_CAPACITY });
}

/** Drains queued AuditEvents before the store closes (main.ts stops HTTP first, so none arrive after). */
async function closeAudit(audit: AuditRecorder | undefined, logger: Logger): Promise<void> {
  try {
    await audit?.close();
  } catch (err) {
    logger.error({ err, lost: audit?.depth() }, 'AUDIT EVENTS LOST at shutdown: the final write failed');
  }
}

/** Seeds the stored catalogue from mappings/ (keeping API extensions), then builds the NLP services that read it. */
async function startNlp(config: Config, seed: NlpMappings, catalogue: { engine?: EngineSource }, d: Parameters<typeof createNlpServices>[2]): Promise<ExtractionServices> {
  await syncCatalogue(d.store, catalogueResources(seed), catalogueSeeds(seed));
  const nlp = createNlpServices(config, seed, d);
  catalogue.engine = nlp.engine;
  return nlp;
}

/** The NLP pipeline's services: engine from config, identifiers masked when the LLM is not on loopback. */
function createNlpServices(
  config: Config, seed: NlpMappings, d: Pick<ExtractionServices, 'store' | 'registry' | 'validator' | 'ids' | 'clock' | 'pdfText'> & { metrics: HttpMetrics; logger: Logger },
): ExtractionServices {
  const llm = config.llmBaseUrl && config.llmModel
    ? { baseUrl: config.llmBaseUrl, apiKey: config.llmApiKey, model: config.llmModel, timeoutMs: config.llmTimeoutMs, concurrency: config.llmConcurrency }
    : undefined;
  const usesLlm = config.nlpEngine !== 'rules';
  const mask = config.nlpMask === 'always' || (config.nlpMask === 'auto' && usesLlm && !isLoopbackUrl(config.llmBaseUrl ?? ''));
  return {
    ...d,
    // the dictionary and codes are the stored catalogue's (seeded from mappings/), recompiled when it changes
    engine: createCatalogueEngine({
      store: d.store, seed, logger: d.logger,
      build: (m) => {
        const resources = compileRulesResources(m);
        return { coder: resources.coder, extractor: createExtractor({ engine: config.nlpEngine, llm }, resources) };
      },
    }),
    maskIdentifiers: mask,
    baseUrl: config.baseUrl,
    metrics: createNlpMetrics(d.metrics.registry),
  };
}
