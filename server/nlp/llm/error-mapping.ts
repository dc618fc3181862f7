/** Maps LangChain/openai client errors to Transient/PermanentExtractionError without ever copying server text into them. */
import { PermanentExtractionError, TransientExtractionError } from '../errors';

type ErrorLike = Record<string, unknown>;

/** A request that got no answer within the configured timeout. */
export class LlmTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
    this.name = 'TimeoutError';
  }
}

const TRANSIENT_STATUS = new Set([408, 409, 425, 429]);
const TRANSIENT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);
const TIMEOUT_NAMES = new Set(['TimeoutError', 'APIConnectionTimeoutError']);
const CONNECTION_NAMES = new Set(['APIConnectionError', 'FetchError']);

function header(headers: unknown, name: string): string | undefined {
  if (!headers || typeof headers !== 'object') return undefined;
  const h = headers as { get?: unknown } & Record<string, unknown>;
  if (typeof h.get === 'function') {
    const v: unknown = (h.get as (n: string) => unknown).call(headers, name);
    return typeof v === 'string' ? v : undefined;
  }
  const v = h[name] ?? h[name.toLowerCase()];
  return typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : undefined;
}

/** Milliseconds a server asked us to wait: `retry-after-ms`, `retry-after` in seconds or as an HTTP date. */
export function retryAfterMs(headers: unknown, now: number = Date.now()): number | undefined {
  const ms = Number(header(headers, 'retry-after-ms'));
  if (header(headers, 'retry-after-ms') !== undefined && Number.isFinite(ms) && ms >= 0) return ms;
  const raw = header(headers, 'retry-after')?.trim();
  if (!raw) return undefined;
  if (/^\d+(?:\.\d+)?$/.test(raw)) return Math.round(Number(raw) * 1000);
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function asRecord(err: unknown): ErrorLike {
  return err && typeof err === 'object' ? (err as ErrorLike) : {};
}

function codeOf(e: ErrorLike): string | undefined {
  const cause = asRecord(e.cause);
  const code = e.code ?? cause.code ?? asRecord(cause.cause).code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * The extraction error for a failed model request. Messages carry only status, error name and code: a server's
 * error body may echo the prompt, so neither it nor the original error (as `cause`) is kept.
 */
export function toExtractionError(err: unknown): TransientExtractionError | PermanentExtractionError {
  if (err instanceof TransientExtractionError || err instanceof PermanentExtractionError) return err;
  const e = asRecord(err);
  const status = typeof e.status === 'number' ? e.status : undefined;
  const name = typeof e.name === 'string' ? e.name : 'Error';
  const ctor = err && typeof err === 'object' ? err.constructor.name : '';
  const code = codeOf(e);
  if (status !== undefined) {
    const label = `LLM request failed: HTTP ${status}`;
    if (TRANSIENT_STATUS.has(status) || status >= 500) return new TransientExtractionError(label, retryAfterMs(e.headers));
    return new PermanentExtractionError(label);
  }
  if (err instanceof LlmTimeoutError) return new TransientExtractionError(`LLM request timed out after ${err.timeoutMs} ms`);
  if (TIMEOUT_NAMES.has(name) || TIMEOUT_NAMES.has(ctor)) return new TransientExtractionError('LLM request timed out');
  if (CONNECTION_NAMES.has(name) || CONNECTION_NAMES.has(ctor) || (code && TRANSIENT_CODES.has(code))) {
    return new TransientExtractionError(`LLM endpoint unreachable${code ? ` (${code})` : ''}`);
  }
  return new PermanentExtractionError(`LLM request failed: ${ctor || name}${code ? ` (${code})` : ''}`);
}
