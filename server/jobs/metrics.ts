/** Job metrics on the app's Prometheus registry: queue depth by state (scale workers on it) and runs by outcome. */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { JobQueue } from '../store/types';

/** Background jobs by queue and state, read at scrape time: scale workers on `waiting` (queue depth). */
export function registerJobGauge(registry: Registry, depth: JobQueue['depth'], queues: readonly string[]): void {
  new Gauge({
    name: 'twinfhir_jobs', help: 'Background jobs (nlp extraction, twin refresh, reindex) by queue and state', labelNames: ['queue', 'state'] as const, registers: [registry],
    async collect(): Promise<void> {
      this.reset();
      // known queues report 0 when empty, so an autoscaler sees "no work" rather than "no data"
      const all = { ...Object.fromEntries(queues.map((q) => [q, { waiting: 0, running: 0, failed: 0 }])), ...(await depth()) };
      for (const [queue, d] of Object.entries(all)) {
        for (const state of ['waiting', 'running', 'failed'] as const) this.set({ queue, state }, d[state]);
      }
    },
  });
}

/** Counts every finished run by queue and outcome, and times it; pass the result as the runner's onOutcome. */
export function jobRunMetrics(registry: Registry): (queue: string, outcome: string, ms: number) => void {
  const runs = new Counter({ name: 'twinfhir_job_runs_total', help: 'Job runs by queue and outcome', labelNames: ['queue', 'outcome'] as const, registers: [registry] });
  const seconds = new Histogram({
    name: 'twinfhir_job_run_seconds', help: 'Job run time by queue (claim to end)', labelNames: ['queue'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 120, 600], registers: [registry],
  });
  return (queue, outcome, ms) => {
    runs.inc({ queue, outcome });
    seconds.observe({ queue }, ms / 1000);
  };
}
