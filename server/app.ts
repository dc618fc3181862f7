/** Composition root: builds every dependency once and wires them together; no module singletons. */
import { hostname } from 'node:os';
import type express from 'express';
import pino, { type Logger } from 'pino';
import { type Auth, createAuth } from './auth/context';
import { oauthUris, smartConfiguration } from './auth/smart-configuration';
import type { Config } from './config';
import { type Clock, type IdGenerator, systemClock, uuidIds } from './core/clock';
import { createHttpApp } from './http/express-app';
import { createMetrics, registerJobGauge, type HttpMetrics } from './http/metrics';
import { createExtractor } from './nlp/engines';
import { createExtractionHook } from './nlp/jobs/extraction-hook';
import { NLP_QUEUE } from './nlp/jobs/task';
import type { ExtractionServices } from './nlp/jobs/services';
import { startNlpWorker, type NlpWorker } from './nlp/jobs/worker';
import { isLoopbackUrl } from './nlp/masking';
import { createNlpMetrics } from './nlp/metrics';
import { compileRulesResources } from './nlp/rules/engine';
import { operationTable } from './operations';
import { createTwinService, type TwinService } from './operations/twin';
import { createReviewGuard } from './review/review-guard';
import { TWIN_QUEUE } from './twin/outbox-hook';
import { startReindexRunner } from './operations/reindex';
import { startSearchParameterSync } from './rest/search-parameter-hook';
import type { RestDeps, WriteHook } from './rest/deps';
import { createSearchRegistry } from './search/registry';
import { openStore } from './store/open-store';
import type { ResourceStore } from './store/types';
import { createValidator } from './validation';

export interface App {
  http: express.Express;
  store: ResourceStore;
  rest: RestDeps;
  logger: Logger;
  twin: TwinService;
  auth: Auth;
  /** Prometheus exposition (for a METRICS_PORT listener). */
  metricsText(): Promise<{ contentType: string; text: string }>;
  close(): Promise<void>;
}

export interface AppOverrides {
  clock?: Clock;
  ids?: IdGenerator;
  logger?: Logger;
  /** PGlite data directory to start from (tests: a migrated template). */
  pgliteTemplate?: Blob;
}

export async function createApp(config: Config, overrides: AppOverrides = {}): Promise<App> {
  const logger = overrides.logger ?? pino({ level: config.logLevel, base: { service: 'twinfhir' } });
  const clock = overrides.clock ?? systemClock;
  const auth = createAuth(authSettings(config));
  const registry = createSearchRegistry();
  const validator = createValidator();
  const store = await openStore({
    databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: config.poolSize,
    statementTimeoutMs: config.statementTimeoutMs, cursorSecret: config.cursorSecret, pgliteTemplate: overrides.pgliteTemplate,
  }, registry, clock);
  // Custom SearchParameters (stored ones loaded now) and the $reindex job runner.
  const searchParams = await startSearchParameterSync({ store, registry, logger });
  const reindex = startReindexRunner({ store, logger, beforeBatch: () => searchParams.refresh() });
  const metrics = createMetrics(() => store.poolStats());
  registerJobGauge(metrics.registry, () => store.jobs.depth(), [NLP_QUEUE, TWIN_QUEUE]);
  const ids = overrides.ids ?? uuidIds;
  const twin = createTwinService({
    store, registry, validator, ids, clock, logger, debounceMs: config.twinDebounceMs, pollMs: config.twinPollMs,
    workers: config.role === 'server' ? 0 : config.twinWorkers,
  });
  // The review guard first: a write it refuses never reaches the outboxes.
  const writeHooks: WriteHook[] = [createReviewGuard({ clock, ids }), searchParams.hook, twin.hook];
  // the same array the REST layer runs (the extraction hook joins it below)
  const nlp = createNlpServices(config, { store, registry, validator, ids, clock, metrics, hooks: writeHooks });
  let worker: NlpWorker | undefined;
  writeHooks.push(createExtractionHook({ ids, clock, registry, maxAttempts: config.nlpMaxAttempts, onEnqueued: () => worker?.wake() }));
  const rest: RestDeps = {
    store, registry, validator, clock, ids,
    limits: { maxBundleEntries: config.maxBundleEntries, defaultCount: 20, maxCount: 1000 },
    operations: operationTable({ reindex, extraction: nlp, twin }),
    writeHooks,
    reportError: (err, context) => logger.error({ err, context }, 'internal error'),
    security: securityOf(auth, config),
  };
  if (config.role !== 'server' && config.nlpWorkers > 0) {
    worker = startNlpWorker({
      services: nlp, logger, concurrency: config.nlpWorkers, owner: `${hostname()}:${process.pid}:${ids.newId()}`,
      leaseMs: config.nlpLeaseMs, pollMs: config.nlpPollMs, backoff: { baseMs: config.nlpBackoffMs, maxMs: 300_000 },
    });
  }
  const http = createHttpApp(
    { rest, logger, metrics, contextFor: auth.contextFor, ready: () => store.ping(), smartConfiguration: smartConfigurationOf(auth, config) },
    {
      maxBodyBytes: config.maxBodyBytes, maxJsonDepth: config.maxJsonDepth, requestTimeoutMs: config.requestTimeoutMs, baseUrl: config.baseUrl,
      serveFhir: config.role !== 'worker', trustProxy: config.trustProxy, serveSourceMaps: config.nodeEnv !== 'production',
      edge: {
        corsOrigins: config.corsOrigins, rateLimitPerMinute: config.rateLimitPerMinute, metricsToken: config.metricsToken,
        metricsHere: config.metricsPort !== undefined ? false : auth.enabled ? 'refuse' : true,
      },
    },
  );
  twin.start();
  const close = async (): Promise<void> => {
    await worker?.close();
    await twin.close();
    await reindex.close();
    await searchParams.close();
    await store.close();
  };
  const metricsText = async (): Promise<{ contentType: string; text: string }> => ({ contentType: metrics.registry.contentType, text: await metrics.registry.metrics() });
  return { http, store, rest, logger, twin, auth, metricsText, close };
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

/** The NLP pipeline's services: engine from config, identifiers masked when the LLM is not on loopback. */
function createNlpServices(
  config: Config, d: Pick<ExtractionServices, 'store' | 'registry' | 'validator' | 'ids' | 'clock' | 'hooks'> & { metrics: HttpMetrics },
): ExtractionServices {
  const resources = compileRulesResources();
  const llm = config.llmBaseUrl && config.llmModel
    ? { baseUrl: config.llmBaseUrl, apiKey: config.llmApiKey, model: config.llmModel, timeoutMs: config.llmTimeoutMs, concurrency: config.llmConcurrency }
    : undefined;
  const usesLlm = config.nlpEngine !== 'rules';
  const mask = config.nlpMask === 'always' || (config.nlpMask === 'auto' && usesLlm && !isLoopbackUrl(config.llmBaseUrl ?? ''));
  return {
    ...d,
    coder: resources.coder,
    extractor: createExtractor({ engine: config.nlpEngine, llm }, resources),
    maskIdentifiers: mask,
    baseUrl: config.baseUrl,
    metrics: createNlpMetrics(d.metrics.registry),
  };
}
