/** NLP metrics on the app's Prometheus registry: findings by engine, drops by reason, jobs and latency. */
import { Counter, Histogram, type Registry } from 'prom-client';

export interface NlpMetrics {
  findings: Counter<'engine' | 'kind'>;
  dropped: Counter<'engine' | 'reason'>;
  jobs: Counter<'outcome'>;
  /** Time from the document's commit to its findings' commit (queue wait included). */
  latency: Histogram<'engine'>;
  /** Time spent in the engine itself. */
  engineSeconds: Histogram<'engine'>;
}

export function createNlpMetrics(registry: Registry): NlpMetrics {
  const registers = [registry];
  return {
    findings: new Counter({ name: 'twinfhir_nlp_findings_total', help: 'Grounded findings written, by engine and resource kind', labelNames: ['engine', 'kind'] as const, registers }),
    dropped: new Counter({ name: 'twinfhir_nlp_findings_dropped_total', help: 'Findings dropped before writing, by engine and reason (quote-not-found = hallucination guard)', labelNames: ['engine', 'reason'] as const, registers }),
    jobs: new Counter({ name: 'twinfhir_nlp_jobs_total', help: 'Extraction jobs by outcome', labelNames: ['outcome'] as const, registers }),
    latency: new Histogram({
      name: 'twinfhir_nlp_document_to_findings_seconds', help: 'From document stored to findings committed', labelNames: ['engine'] as const,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300], registers,
    }),
    engineSeconds: new Histogram({
      name: 'twinfhir_nlp_engine_seconds', help: 'Time in the extraction engine per document', labelNames: ['engine'] as const,
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120], registers,
    }),
  };
}
