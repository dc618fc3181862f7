/**
 * The requester's access context, stored with an import job so its writes carry the requester's
 * identity and scopes (the write hooks and audit see who imported) — never the token itself.
 */
import type { AccessContext } from '../../core/access-context';
import type { BulkImportJob } from '../../store/types';

/** What of the context is kept: identity and scopes, no token, no expiry (the job outlives the token). */
export function storedContext(ctx: AccessContext): Record<string, unknown> {
  return {
    clientId: ctx.clientId, scopes: ctx.scopes, authDisabled: ctx.authDisabled,
    ...(ctx.user !== undefined ? { user: ctx.user } : {}), ...(ctx.subject !== undefined ? { subject: ctx.subject } : {}),
  };
}

const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The context an import job writes with. */
export function jobContext(job: BulkImportJob): AccessContext {
  const c = job.context;
  const scopes = Array.isArray(c.scopes) ? c.scopes.filter((s): s is string => typeof s === 'string') : [];
  const user = text(c.user);
  const subject = text(c.subject);
  return {
    clientId: job.clientId, scopes, authDisabled: c.authDisabled === true, requestId: `import-${job.id}`,
    ...(user !== undefined ? { user } : {}), ...(subject !== undefined ? { subject } : {}),
  };
}
