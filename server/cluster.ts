/**
 * HTTP_WORKERS > 1: a primary process forks that many identical server processes sharing the
 * port (node:cluster), restarts any that die, and passes SIGTERM on so each one drains.
 * The server is stateless; PostgreSQL is the only shared state.
 */
import cluster from 'node:cluster';

export function runPrimary(workers: number, log: (msg: string) => void): void {
  let stopping = false;
  for (let i = 0; i < workers; i++) cluster.fork();
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    log(`worker ${worker.process.pid ?? '?'} exited (${signal ?? code}); starting a new one`);
    cluster.fork();
  });
  const stop = (signal: NodeJS.Signals): void => {
    stopping = true;
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill(signal);
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

export const isPrimary = (): boolean => cluster.isPrimary;
