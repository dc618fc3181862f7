/**
 * The one place every FHIR request is audited: an express middleware on /fhir that, when the response
 * has finished (or the connection closed first), builds the request's AuditEvent and queues it. Failed
 * logins (401) and denied access (403) pass here with their status like every other request.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger } from '../core/logger';
import type { AccessContext } from '../core/access-context';
import type { Clock } from '../core/clock';
import { buildAuditEvent } from './audit-event';
import { classify } from './audit-interaction';
import type { AuditRecorder } from './audit-recorder';

/** What the FHIR route leaves on res.locals for the recorder. */
export interface AuditLocals {
  /** Set by the FHIR route's context middleware (absent when the token was refused: 401). */
  ctx?: AccessContext;
  /** Bundle.type of a POSTed Bundle. */
  auditBundleType?: string;
}

function record(req: Request, res: Response, recorder: AuditRecorder, clock: Clock): void {
  const url = new URL(req.originalUrl, 'http://x');
  const path = url.pathname.replace(/^\/fhir\/?/, '');
  const locals = res.locals as AuditLocals;
  const location = res.getHeader('location') ?? res.getHeader('content-location');
  recorder.record(buildAuditEvent({
    interaction: classify(req.method, path, url.searchParams),
    bundleType: locals.auditBundleType,
    status: res.headersSent ? res.statusCode : 499,
    queryString: url.search.replace(/^\?/, ''),
    ctx: locals.ctx,
    address: req.ip ?? req.socket.remoteAddress,
    location: typeof location === 'string' ? location : undefined,
    recorded: clock.now(),
  }));
}

export function auditMiddleware(recorder: AuditRecorder, clock: Clock, logger: Logger): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    let done = false;
    const once = (): void => {
      if (done) return;
      done = true;
      try {
        record(req, res, recorder, clock);
      } catch (err) {
        // The response is already out; a broken audit record must be visible, not crash the process.
        logger.error({ err, reqId: res.locals.requestId as string }, 'AUDIT EVENT NOT RECORDED');
      }
    };
    res.on('finish', once);
    res.on('close', once);
    next();
  };
}
