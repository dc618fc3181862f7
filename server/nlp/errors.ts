/** How an extraction failed, so the job queue knows whether to retry (transient) or fail the Task (permanent). */

/** Worth retrying later: LLM 429/5xx, timeouts, connection refused. `retryAfterMs` honours a server's Retry-After. */
export class TransientExtractionError extends Error {
  constructor(message: string, readonly retryAfterMs?: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransientExtractionError';
  }
}

/** Retrying cannot help: unsupported content type, no text, a model that keeps returning garbage, 4xx. */
export class PermanentExtractionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentExtractionError';
  }
}
