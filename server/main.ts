/** Entry point: read config, open the store, serve HTTP, and drain gracefully on SIGTERM/SIGINT. */
import type { Server } from 'node:http';
import { createApp } from './app';
import { createServer } from 'node:http';
import { isPrimary, runPrimary } from './cluster';
import { loadConfig } from './config';

async function main(): Promise<void> {
  const config = loadConfig();
  if (config.httpWorkers > 1 && isPrimary()) {
    // eslint-disable-next-line no-console
    runPrimary(config.httpWorkers, (msg) => console.error(msg));
    return;
  }
  const app = await createApp(config);
  const { logger } = app;
  if (!app.auth.enabled) {
    logger.warn({ host: config.host }, '!!! AUTHENTICATION IS OFF: every client has full access to every record. Local development only (listening on HOST, default 127.0.0.1). Set AUTH_ISSUER + AUTH_AUDIENCE to serve real data. !!!');
  } else {
    logger.info({ issuer: config.authIssuer, audience: config.authAudience }, 'SMART authorization: bearer tokens required');
  }
  if (config.metricsPort !== undefined) {
    // A separate listener for Prometheus, on a private address: /metrics never shares the public port.
    createServer((req, res) => {
      if (req.url !== '/metrics') { res.statusCode = 404; res.end(); return; }
      app.metricsText().then(({ contentType, text }) => { res.setHeader('Content-Type', contentType); res.end(text); }, () => { res.statusCode = 500; res.end(); });
    }).listen(config.metricsPort, config.metricsHost);
  }
  // Express 5 hands a listen error (port taken, no permission) to this callback instead of emitting it: ignored,
  // a server whose port is taken would say "listening" and stay up serving nothing. It fails the start instead.
  let listened: (err?: Error) => void = () => undefined;
  const bound = new Promise<void>((resolve, reject) => { listened = (err) => (err ? reject(err) : resolve()); });
  const server: Server = app.http.listen(config.port, config.host, (err?: Error) => listened(err));
  app.attachWebSocket(server);
  server.requestTimeout = config.requestTimeoutMs + 5_000;
  server.keepAliveTimeout = 65_000;
  await bound;
  logger.info({ port: config.port, role: config.role, nlpEngine: config.nlpEngine, nlpWorkers: config.role === 'server' ? 0 : config.nlpWorkers, driver: app.store.driverName, dataDir: config.databaseUrl ? undefined : config.dataDir }, 'TwinFHIR listening');

  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: draining in-flight requests');
    const force = setTimeout(() => {
      logger.error('drain timed out; exiting');
      process.exit(1);
    }, config.shutdownGraceMs);
    force.unref();
    // Keep-alive connections go idle as their last response finishes: close them as they do.
    const idleSweep = setInterval(() => server.closeIdleConnections(), 100);
    idleSweep.unref();
    server.close(() => {
      clearInterval(idleSweep);
      app.close().then(() => {
        logger.info('stopped');
        process.exit(0);
      }, (err: unknown) => {
        logger.error({ err }, 'error while closing the store');
        process.exit(1);
      });
    });
    server.closeIdleConnections();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  // eslint-disable-next-line no-console
  console.error('TwinFHIR failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
