/** One shape for every failed request (fhir-kit-client's error objects, network errors), with the server's OperationOutcome text. */
import type { OperationOutcome } from 'fhir/r4';

export class RequestFailure extends Error {
  constructor(
    /** HTTP status; 0 when the server never answered (refused, reset, DNS). */
    readonly status: number,
    message: string,
    readonly outcome?: OperationOutcome,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'RequestFailure';
  }
}

interface KitError {
  response?: { status?: number; data?: unknown };
  config?: { headers?: { get?: (name: string) => string | null } };
}

const isOutcome = (d: unknown): d is OperationOutcome =>
  typeof d === 'object' && d !== null && (d as { resourceType?: unknown }).resourceType === 'OperationOutcome';

/** The diagnostics of an OperationOutcome in one line (what a person needs to fix the input). */
export function outcomeText(oo: OperationOutcome | undefined): string {
  if (!oo?.issue?.length) return '';
  return oo.issue.map((i) => [i.severity, i.code, i.diagnostics ?? i.details?.text, i.expression?.join(',')].filter(Boolean).join(' ')).join('; ');
}

export function failureOf(err: unknown): RequestFailure {
  if (err instanceof RequestFailure) return err;
  const kit = err as KitError;
  if (kit && typeof kit === 'object' && kit.response && typeof kit.response.status === 'number') {
    const data = kit.response.data;
    const outcome = isOutcome(data) ? data : undefined;
    const retryAfter = Number(kit.config?.headers?.get?.('retry-after') ?? NaN);
    const text = outcome ? outcomeText(outcome) : typeof data === 'string' ? data.slice(0, 200) : '';
    return new RequestFailure(kit.response.status, `HTTP ${kit.response.status}${text ? `: ${text}` : ''}`, outcome, Number.isFinite(retryAfter) ? retryAfter : undefined);
  }
  const cause = (err as { cause?: { code?: string } })?.cause?.code;
  const message = (err as { message?: unknown } | null)?.message;
  return new RequestFailure(0, `no answer from the server${cause ? ` (${cause})` : ''}: ${typeof message === 'string' ? message : String(err)}`);
}
