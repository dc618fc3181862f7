/** Starts the compiled server as a child process on a fresh database, and measures its memory. */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';

export { DEPLOYED_NODE_OPTIONS } from './deployed-node-options';

export interface BenchDatabase { url: string; drop(): Promise<void> }

export function adminUrl(): string | undefined {
  return process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
}

export async function freshDatabase(prefix: string, admin = adminUrl()): Promise<BenchDatabase> {
  if (!admin) throw new Error('Set BENCH_DATABASE_URL (a PostgreSQL URL whose user may CREATE DATABASE) to run this benchmark');
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const c = new Client({ connectionString: admin });
  await c.connect();
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const d = new Client({ connectionString: admin });
      await d.connect();
      await d.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await d.end();
    },
  };
}

export interface RunningServer {
  child: ChildProcess; baseUrl: string; rssMb(): number; peakRssMb(): number; stop(): Promise<void>;
  /** What the server wrote to stderr (only with `captureStderr`). */
  stderr(): string;
}

function statusKb(pid: number, field: string): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

export interface StartOptions {
  /** Pin the server to these CPUs (taskset list, e.g. '1'), so a load generator on another core cannot steal its time. */
  cpus?: string;
  /** Each line of the server's log (pino on stdout), otherwise discarded. */
  onLogLine?: (line: string) => void;
}

/**
 * `databaseUrl` undefined: embedded PGlite in memory. `captureStderr`: keep the server's stderr instead of echoing it.
 */
export async function startServer(databaseUrl: string | undefined, env: Record<string, string> = {}, captureStderr = false, opts: StartOptions = {}): Promise<RunningServer> {
  const { cpus, onLogLine } = opts;
  // env.PORT: a caller that must know the port before start (e.g. for AUTH_AUDIENCE)
  const port = env.PORT ? Number(env.PORT) : 21000 + Math.floor(Math.random() * 20000);
  const main = path.resolve(__dirname, '../../server/main.js');
  // BENCH_SERVER_NODE_ARGS: extra node flags for the server, e.g. '--cpu-prof --cpu-prof-dir=/tmp/prof'.
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const { DATABASE_URL: _inherited, ...parentEnv } = process.env;
  const database = databaseUrl ? { DATABASE_URL: databaseUrl } : { DATA_DIR: ':memory:' };
  // taskset execs node: the child's pid is the server's own
  const [cmd, args] = cpus ? ['taskset', ['-c', cpus, process.execPath, ...nodeArgs, main]] : [process.execPath, [...nodeArgs, main]];
  const child = spawn(cmd, args, {
    env: { ...parentEnv, ...database, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', HTTP_WORKERS: process.env.BENCH_HTTP_WORKERS ?? '1',
      // HTTP workers must share the cursor key (config.ts refuses several without one)
      CURSOR_SECRET: process.env.CURSOR_SECRET ?? randomBytes(32).toString('hex'),
      // the FHIR benches measure the server alone (jobs are still queued); bench/nlp and bench/twin start their own workers
      NLP_WORKERS: '0', TWIN_WORKERS: '0', ...env },
    stdio: ['ignore', onLogLine ? 'pipe' : 'ignore', captureStderr ? 'pipe' : 'inherit'],
  });
  let partial = '';
  child.stdout?.on('data', (d: Buffer) => {
    const lines = (partial + d.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) onLogLine?.(line);
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-20_000); });
  const baseUrl = `http://127.0.0.1:${port}/fhir`;
  // up to 2 minutes: on a loaded machine PGlite's start and the validator's load take a while
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok) break;
    } catch { /* not up yet */ }
    if (i >= 1200 || child.exitCode !== null) {
      child.kill('SIGTERM');
      throw new Error(`the server did not become ready (exit code ${String(child.exitCode)})`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const pid = child.pid as number;
  return {
    child, baseUrl,
    stderr: () => stderr,
    rssMb: () => statusKb(pid, 'VmRSS') / 1024,
    peakRssMb: () => statusKb(pid, 'VmHWM') / 1024,
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}
