/**
 * Edge protections for every response: helmet security headers (nosniff, a deny-all CSP for API
 * answers; the review page sets its own), a CORS allow-list of exact origins for SMART web apps,
 * per-client rate limits, and the /metrics guard (own bearer token).
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import type express from 'express';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import helmet from 'helmet';
import type { AccessContext } from '../core/access-context';
import { FhirError, operationOutcome } from '../core/fhir-error';

export interface EdgeOptions {
  corsOrigins: readonly string[];
  /** Requests per minute per client; 0 = no limit. */
  rateLimitPerMinute: number;
  /** Bearer token required on /metrics. */
  metricsToken?: string;
  /** False: /metrics is not served here (METRICS_PORT), or refused (auth on without a metrics token). */
  metricsHere: boolean | 'refuse';
}

const EXPOSED = ['Location', 'Content-Location', 'ETag', 'Last-Modified', 'X-Request-Id', 'WWW-Authenticate', 'Retry-After'].join(', ');
const ALLOWED_HEADERS = ['Authorization', 'Content-Type', 'Accept', 'If-Match', 'If-None-Match', 'If-None-Exist', 'If-Modified-Since', 'Prefer', 'X-Request-Id'].join(', ');

export function securityHeaders(): RequestHandler {
  return helmet({
    // API answers are data, never documents: nothing may load from them or frame them.
    contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"] } },
    // SMART web apps on other origins read our responses through CORS.
    crossOriginResourcePolicy: { policy: 'cross-origin' },
    referrerPolicy: { policy: 'no-referrer' },
  });
}

/** CORS for exact origins only; no cookies are used (bearer tokens), so credentials stay off. */
export function cors(origins: readonly string[]): RequestHandler {
  const allowed = new Set(origins);
  return (req, res, next) => {
    const origin = req.headers.origin;
    if (!origin || !allowed.size) return next();
    res.vary('Origin');
    if (!allowed.has(origin)) {
      if (req.method === 'OPTIONS') return void res.status(403).type('text/plain').send('Origin not allowed');
      return next();
    }
    res.set({ 'Access-Control-Allow-Origin': origin, 'Access-Control-Expose-Headers': EXPOSED });
    if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
      res.set({
        'Access-Control-Allow-Methods': 'GET, HEAD, POST, PUT, PATCH, DELETE',
        'Access-Control-Allow-Headers': ALLOWED_HEADERS,
        'Access-Control-Max-Age': '600',
      });
      return void res.status(204).end();
    }
    next();
  };
}

/** Per-client limit: the token's client id when authenticated (res.locals.ctx), else the IP. */
export function clientRateLimit(perMinute: number): RequestHandler {
  if (perMinute <= 0) return (_req, _res, next) => next();
  return rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    keyGenerator: (req: Request, res: Response) => {
      const ctx = res.locals.ctx as AccessContext | undefined;
      return ctx && !ctx.authDisabled && !ctx.anonymous ? `client:${ctx.clientId}` : `ip:${ipKeyGenerator(req.ip ?? 'unknown')}`;
    },
    handler: (_req: Request, res: Response, _next: NextFunction) => {
      const reset = (_req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
      const retry = reset ? Math.max(1, Math.ceil((reset.getTime() - Date.now()) / 1000)) : 60;
      const err = new FhirError(429, 'throttled', `Too many requests: at most ${perMinute} per minute per client`);
      res.status(429).set({ 'Retry-After': String(retry), 'Content-Type': 'application/fhir+json; charset=utf-8' }).send(JSON.stringify(operationOutcome(err.issues)));
    },
  });
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/** Guards /metrics: a bearer token compared in constant time. */
export function metricsGuard(opts: EdgeOptions): RequestHandler {
  const want = opts.metricsToken ? digest(opts.metricsToken) : undefined;
  return (req, res, next) => {
    if (opts.metricsHere === false) return void res.status(404).type('text/plain').send('Metrics are served on METRICS_PORT');
    if (opts.metricsHere === 'refuse' && !want) return void res.status(403).type('text/plain').send('Metrics need METRICS_TOKEN (or METRICS_PORT) while auth is on');
    if (!want) return next();
    const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (!m || !timingSafeEqual(digest(m[1]), want)) {
      return void res.status(401).set('WWW-Authenticate', 'Bearer realm="metrics"').type('text/plain').send('Metrics need the METRICS_TOKEN bearer token');
    }
    next();
  };
}

export function applyEdgeSecurity(app: express.Express, opts: EdgeOptions): void {
  app.use(securityHeaders());
  app.use(cors(opts.corsOrigins));
}
