/** A real app (express + store) on a fresh test database, for supertest and end-to-end tests. */
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { type App, type AppOverrides, createApp } from '../../server/app';
import { type Config, loadConfig } from '../../server/config';
import { type DriverKind, createTestDatabase } from './databases';
import { loadTemplate } from './pglite-template';

export interface TestApp extends App {
  kind: DriverKind;
  config: Config;
  /** Closes the app and drops the database. */
  dispose(): Promise<void>;
}

export async function startTestApp(kind: DriverKind, env: Record<string, string> = {}, overrides: AppOverrides = {}): Promise<TestApp> {
  const db = await createTestDatabase(kind);
  const config = loadConfig({ DATA_DIR: ':memory:', LOG_LEVEL: 'silent', NLP_WORKERS: '0', TWIN_WORKERS: '0', ...(db.databaseUrl ? { DATABASE_URL: db.databaseUrl } : {}), ...env });
  const app = await createApp(config, { logger: pino({ level: 'silent' }), pgliteTemplate: kind === 'pglite' ? loadTemplate() : undefined, ...overrides });
  return {
    ...app, kind, config,
    async dispose() {
      await app.close();
      await db.drop();
    },
  };
}

/** An app listening on a free loopback port, for tests that need real sockets (raw HTTP, timing of answers). */
export interface Listening { port: number; baseUrl: string; close(): Promise<void> }

export async function listenOnLoopback(app: App): Promise<Listening> {
  const server = app.http.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const { port } = server.address() as AddressInfo;
  return { port, baseUrl: `http://127.0.0.1:${port}`, close: () => new Promise<void>((r) => server.close(() => r())) };
}
