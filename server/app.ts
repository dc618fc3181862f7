/** Composition root: builds every dependency once and wires them together; no module singletons. */
import type express from 'express';
import pino, { type Logger } from 'pino';
import { contextResolver } from './auth/context';
import type { Config } from './config';
import { type Clock, type IdGenerator, systemClock, uuidIds } from './core/clock';
import { createHttpApp } from './http/express-app';
import { createMetrics } from './http/metrics';
import { operationTable } from './operations';
import { startReindexRunner } from './operations/reindex';
import { startSearchParameterSync } from './rest/search-parameter-hook';
import type { RestDeps } from './rest/deps';
import { createSearchRegistry } from './search/registry';
import { openStore } from './store/open-store';
import type { ResourceStore } from './store/types';
import { createValidator } from './validation';

export interface App {
  http: express.Express;
  store: ResourceStore;
  rest: RestDeps;
  logger: Logger;
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
  const contextFor = contextResolver({ issuer: config.authIssuer, jwksUrl: config.authJwksUrl, audience: config.authAudience });
  const registry = createSearchRegistry();
  const validator = createValidator();
  const store = await openStore({
    databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: config.poolSize,
    statementTimeoutMs: config.statementTimeoutMs, cursorSecret: config.cursorSecret, pgliteTemplate: overrides.pgliteTemplate,
  }, registry, clock);
  // Custom SearchParameters (stored ones loaded now) and the $reindex job runner.
  const searchParams = await startSearchParameterSync({ store, registry, logger });
  const reindex = startReindexRunner({ store, logger, beforeBatch: () => searchParams.refresh() });
  const rest: RestDeps = {
    store, registry, validator, clock,
    ids: overrides.ids ?? uuidIds,
    limits: { maxBundleEntries: config.maxBundleEntries, defaultCount: 20, maxCount: 1000 },
    operations: operationTable({ reindex }),
    writeHooks: [searchParams.hook],
    reportError: (err, context) => logger.error({ err, context }, 'internal error'),
  };
  const metrics = createMetrics(() => store.poolStats());
  const http = createHttpApp(
    { rest, logger, metrics, contextFor, ready: () => store.ping() },
    { maxBodyBytes: config.maxBodyBytes, maxJsonDepth: config.maxJsonDepth, requestTimeoutMs: config.requestTimeoutMs, baseUrl: config.baseUrl },
  );
  const close = async (): Promise<void> => {
    await reindex.close();
    await searchParams.close();
    await store.close();
  };
  return { http, store, rest, logger, close };
}
