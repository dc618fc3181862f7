/** Prometheus metrics on a per-app registry (no global default registry: tests run many apps). */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface HttpMetrics {
  registry: Registry;
  requests: Counter<'interaction' | 'status'>;
  latency: Histogram<'interaction'>;
  /** Requests received and not yet answered or aborted (the scrape that reads it counts itself). */
  inFlight: Gauge;
}

export function createMetrics(poolStats: () => { total: number; idle: number; waiting: number }): HttpMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({ name: 'twinfhir_http_requests_total', help: 'FHIR requests by interaction and status', labelNames: ['interaction', 'status'] as const, registers: [registry] });
  const latency = new Histogram({
    name: 'twinfhir_http_request_duration_seconds', help: 'FHIR request latency by interaction', labelNames: ['interaction'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers: [registry],
  });
  const inFlight = new Gauge({ name: 'twinfhir_http_requests_in_flight', help: 'HTTP requests received and not yet answered (including this scrape)', registers: [registry] });
  new Gauge({
    name: 'twinfhir_db_pool_connections', help: 'Database pool connections by state', labelNames: ['state'] as const, registers: [registry],
    // Read at scrape time so the gauge is never stale.
    collect(): void {
      const s = poolStats();
      this.set({ state: 'total' }, s.total);
      this.set({ state: 'idle' }, s.idle);
      this.set({ state: 'waiting' }, s.waiting);
    },
  });
  return { registry, requests, latency, inFlight };
}
