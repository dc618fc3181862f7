/**
 * The fixture both export-restart suites share: an app factory on one database and export folder that
 * survive app restarts (the runner on or off), and a wait for the first committed pages of a running job.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import request from 'supertest';
import { type App, createApp } from '../../server/app';
import { loadConfig } from '../../server/config';
import { type DriverKind, createTestDatabase, type TestDatabase } from '../support/databases';

export interface RestartFixture {
  /** A new app on the same database and export folder; `workers` 0 keeps the job where it stopped. */
  open(workers: number): Promise<App>;
  /** The export folder (files of job J are in `${dir}/J`). */
  readonly dir: string;
}

/** Registers beforeAll/afterAll for a database, an export folder and a data folder that outlive each app. */
export function restartFixture(kind: DriverKind, env: Record<string, string> = {}): RestartFixture {
  let db: TestDatabase;
  const state = { dir: '', dataDir: '' };
  beforeAll(async () => {
    db = await createTestDatabase(kind);
    state.dir = mkdtempSync(path.join(os.tmpdir(), 'twinfhir-export-test-'));
    state.dataDir = mkdtempSync(path.join(os.tmpdir(), 'twinfhir-export-db-'));
  });
  afterAll(async () => {
    await db.drop();
    rmSync(state.dir, { recursive: true, force: true });
    rmSync(state.dataDir, { recursive: true, force: true });
  });
  return {
    get dir() { return state.dir; },
    open: (workers) => createApp(loadConfig({
      DATA_DIR: state.dataDir, LOG_LEVEL: 'silent', NLP_WORKERS: '0', TWIN_WORKERS: '0', EXPORT_DIR: state.dir, EXPORT_PAGE_SIZE: '5',
      EXPORT_WORKERS: String(workers), ...env, ...(db.databaseUrl ? { DATABASE_URL: db.databaseUrl } : {}),
    }), { logger: pino({ level: 'silent' }) }),
  };
}

/** Polls the status URL (every answer a 202 with Retry-After) until the job reports committed resources. */
export async function untilPagesCommitted(http: App['http'], status: string): Promise<void> {
  for (;;) {
    const res = await request(http).get(status);
    expect(res.status).toBe(202);
    expect(res.headers['retry-after']).toMatch(/^\d+$/);
    if (/, [1-9]\d* resources/.test(String(res.headers['x-progress']))) return;
    await new Promise((r) => setTimeout(r, 10));
  }
}
