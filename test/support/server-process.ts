/**
 * The compiled server (dist/, built by `npm test`) as a child process on a fresh database, for
 * suites that push thousands of resources: outside jest's module sandbox it runs at full speed.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { type DriverKind, type TestDatabase, createTestDatabase } from './databases';
import { addressInUse, freePort } from './free-port';

const MAIN = path.resolve(__dirname, '../../dist/server/main.js');

export interface ServerProcess {
  child: ChildProcess;
  /** http://127.0.0.1:PORT/fhir */
  baseUrl: string;
  db: TestDatabase;
  /** SIGTERM, wait for exit, drop the database. Resolves with the exit code. */
  stop(): Promise<number | null>;
  /** What the server wrote to stderr so far (for failure messages). */
  stderr(): string;
}

/**
 * `shared`: run on this (PostgreSQL) database instead of a fresh one, and leave it in place on stop —
 * for several servers on one database (crash recovery, competing workers). The caller drops it.
 */
export async function startServerProcess(kind: DriverKind, env: Record<string, string> = {}, shared?: TestDatabase): Promise<ServerProcess> {
  if (!existsSync(MAIN)) throw new Error('dist/server/main.js is missing: run `npm run build` (npm test does)');
  const db = shared ?? await createTestDatabase(kind);
  // a kernel-picked free port: a random number can be another server's port or an open connection's local
  // port (listen() then fails with EADDRINUSE); one taken again before the child binds it is retried
  for (let attempt = 1; ; attempt++) {
    try {
      return await spawnOn(await freePort(), db, env, shared !== undefined);
    } catch (err) {
      if (!(err instanceof PortTaken) || attempt >= 3) {
        if (!shared) await db.drop();
        throw err;
      }
    }
  }
}

class PortTaken extends Error {}

async function spawnOn(port: number, db: TestDatabase, env: Record<string, string>, shared: boolean): Promise<ServerProcess> {
  // TEST_SERVER_NODE_ARGS: extra node flags for profiling, e.g. '--cpu-prof --cpu-prof-dir=/tmp/prof'.
  const nodeArgs = (process.env.TEST_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, MAIN], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', DATA_DIR: ':memory:', NLP_WORKERS: '0', TWIN_WORKERS: '0', ...(db.databaseUrl ? { DATABASE_URL: db.databaseUrl } : {}), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
  child.stdout?.resume();
  const baseUrl = `http://127.0.0.1:${port}/fhir`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) {
      const why = `server exited during start: ${stderr.slice(0, 500)}`;
      throw addressInUse(stderr) ? new PortTaken(why) : new Error(why);
    }
    try {
      if ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok) break;
    } catch { /* not listening yet */ }
    if (i > 600) {
      child.kill('SIGKILL');
      throw new Error('server did not become ready in 60 s');
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    child, baseUrl, db,
    stderr: () => stderr,
    async stop() {
      const exited = child.exitCode !== null || child.signalCode !== null;
      const code = exited ? child.exitCode : await new Promise<number | null>((resolve) => {
        child.once('exit', (c) => resolve(c));
        child.kill('SIGTERM');
      });
      if (!shared) await db.drop();
      return code;
    },
  };
}

/** POST/PUT/GET JSON against the server; returns status and parsed body. */
export async function fhirFetch(url: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<{ status: number; body: any }> {  
  const res = await fetch(url, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: { 'Content-Type': 'application/fhir+json', ...init.headers },
    body: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}
