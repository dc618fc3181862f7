/**
 * http/ owns the express glue and nothing FHIR-specific beyond it.
 *
 * Express glue: request ids, logging, body limits, content negotiation, health and metrics
 * endpoints, and the FHIR route that hands a FhirRequest to the REST handler.
 */
import { randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import { auditMiddleware } from '../audit/audit-middleware';
import type { AuditRecorder } from '../audit/audit-recorder';
import type { AccessContext } from '../core/access-context';
import type { Clock } from '../core/clock';
import { FhirError, operationOutcome } from '../core/fhir-error';
import { parseJsonBody } from '../core/json-body';
import type { Logger } from '../core/logger';
import type { RestDeps } from '../rest/deps';
import { handleFhirRequest } from '../rest/handler';
import { routeOf } from '../rest/route';
import type { FhirRequest } from '../rest/types';
import { type ParsedBody, parseBody } from './body';
import { hasEntries, writeBundle } from './bundle-writer';
import { binaryUpload, sendNativeBinary, wantsNativeBinary } from './binary';
import { toFhirError } from './errors';
import { type EdgeOptions, applyEdgeSecurity, clientRateLimit, metricsGuard } from './edge-security';
import type { HttpMetrics } from './metrics';
import { type ResponseFormat, negotiate } from './negotiate';
import { type ReviewPageSmart, reviewPageRouter } from './review-page';
import { exportRoutes } from './export-routes';
import type { StallMonitor } from './stall-monitor';
import { refuseOversizedResource, routeBodyReader } from './body-read';
import { bodyAdmission, createBodyBudget } from './body-budget';
import type { ExportService } from '../bulk/export/service';

export interface HttpOptions {
  maxBodyBytes: number;
  /** Request bodies held at once (bytes; default 64 MB): beyond it an upload waits unread (http/body-budget). */
  bodyBudgetBytes?: number;
  maxJsonDepth: number;
  requestTimeoutMs: number;
  baseUrl?: string;
  /** False for ROLE=worker: only health, readiness and metrics are served. */
  serveFhir?: boolean;
  /** express 'trust proxy' (TRUST_PROXY): unset → X-Forwarded-* are ignored. */
  trustProxy?: string;
  /** CORS, rate limit, metrics guard; absent: no CORS, no limit, open /metrics (tests, dev). */
  edge?: EdgeOptions;
  /** Serve the review page's source maps (never in production). */
  serveSourceMaps?: boolean;
  /** With auth on: the review page launches as this SMART app. */
  reviewSmart?: ReviewPageSmart;
}

export interface HttpDeps {
  rest: RestDeps;
  logger: Logger;
  metrics: HttpMetrics;
  /** Builds the access context (auth/ decides; with auth off an anonymous context). */
  contextFor(req: Request, requestId: string): Promise<AccessContext>;
  ready(): Promise<void>;
  /** The SMART discovery document; undefined while auth is off (404). */
  smartConfiguration?: () => Promise<object>;
  /** AuditEvent per FHIR request (issue 11 §7); undefined when AUDIT_ENABLED=false. */
  audit?: { recorder: AuditRecorder; clock: Clock };
  /** Bulk Data export status and file endpoints; absent: not served. */
  bulkExport?: ExportService;
  /** FHIR routes that read their own body (e.g. streamed $import uploads), mounted after auth and rate limit, before the body parser. */
  streamingFhirRoutes?: express.RequestHandler;
  /** Extra routers mounted before the FHIR base (e.g. /review, /.well-known). */
  extraRoutes?: (app: express.Express) => void;
  /** Names the requests in flight when the event loop stalls. */
  stalls?: StallMonitor;
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']);
/** JSON bodies larger than this are parsed and validated in a worker thread, not on the event loop. */
const DEFER_JSON_BYTES = 256 * 1024;
const VALIDATE_PATH = /(^|\/)\$validate$/;
const DEFAULT_BODY_BUDGET = 64 * 1024 * 1024;

function send(res: Response, status: number, headers: Record<string, string>, body: unknown, fmt: ResponseFormat, head: boolean, rawJson?: string): void {
  if (res.headersSent) return;
  res.status(status).set(headers);
  if (status === 304 || (rawJson === undefined && body === undefined)) {
    res.end();
    return;
  }
  res.set('Content-Type', fmt.contentType);
  if (!head && (rawJson === undefined || fmt.pretty) && hasEntries(body)) {
    // a client gone mid-answer only loses its own response
    writeBundle(res, body, fmt.pretty).catch(() => res.destroy());
    return;
  }
  const text = rawJson !== undefined && !fmt.pretty ? rawJson : JSON.stringify(body, null, fmt.pretty ? 2 : undefined);
  if (head) res.set('Content-Length', String(Buffer.byteLength(text))).end();
  else res.send(text);
}

const defaultFmt: ResponseFormat = { contentType: 'application/fhir+json; charset=utf-8', pretty: false };

function sendError(res: Response, err: FhirError, fmt: ResponseFormat): void {
  send(res, err.status, err.headers, operationOutcome(err.issues), fmt, false);
}

/** express decides (per 'trust proxy') whether X-Forwarded-Proto/Host count; without TRUST_PROXY they never do. */
function baseUrlOf(req: Request, opts: HttpOptions): string {
  if (opts.baseUrl) return opts.baseUrl.replace(/\/+$/, '');
  return `${req.protocol}://${req.host ?? 'localhost'}/fhir`;
}

function trustProxyValue(raw: string | undefined): boolean | number | string {
  if (raw === undefined || raw === 'false') return false;
  if (raw === 'true') return true;
  return /^\d+$/.test(raw) ? Number(raw) : raw;
}

export function createHttpApp(deps: HttpDeps, opts: HttpOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.set('trust proxy', trustProxyValue(opts.trustProxy));
  if (opts.edge) applyEdgeSecurity(app, opts.edge);

  app.use((req, res, next) => {
    const incoming = req.headers['x-request-id'];
    const id = typeof incoming === 'string' && /^[\w.-]{1,64}$/.test(incoming) ? incoming : randomUUID();
    res.locals.requestId = id;
    res.set('X-Request-Id', id);
    const started = process.hrtime.bigint();
    deps.metrics.inFlight.inc();
    res.once('close', () => deps.metrics.inFlight.dec());
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const interaction = (res.locals.interaction as string | undefined) ?? 'other';
      deps.metrics.requests.inc({ interaction, status: String(res.statusCode) });
      deps.metrics.latency.observe({ interaction }, ms / 1000);
      // Path without query: query strings can carry patient names.
      deps.logger.info({ reqId: id, method: req.method, path: req.path.slice(0, 200), interaction, status: res.statusCode, ms: Math.round(ms * 10) / 10 }, 'request');
    });
    const timer = setTimeout(() => {
      sendError(res, new FhirError(503, 'timeout', `Request exceeded ${opts.requestTimeoutMs} ms`), defaultFmt);
    }, opts.requestTimeoutMs);
    const answered = deps.stalls?.track(req.method, req.originalUrl, () => Number(req.headers['content-length'] ?? 0) || (Buffer.isBuffer(req.body) ? req.body.length : 0));
    res.on('close', () => { clearTimeout(timer); answered?.(); });
    next();
  });

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    try {
      await deps.ready();
      res.json({ status: 'ready' });
    } catch {
      res.status(503).json({ status: 'unavailable' });
    }
  });
  if (opts.edge) app.use('/metrics', metricsGuard(opts.edge));
  app.get('/metrics', async (_req, res) => {
    res.set('Content-Type', deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
  deps.extraRoutes?.(app);
  if (opts.serveFhir !== false) app.use('/review', reviewPageRouter(undefined, { sourceMaps: opts.serveSourceMaps !== false, smart: opts.reviewSmart }));
  if (opts.serveFhir !== false) mountSmartConfiguration(app, deps);

  if (opts.serveFhir !== false) mountFhir(app, deps, opts);

  app.use((req: Request, res: Response) => sendError(res, new FhirError(404, 'not-found', `No endpoint at ${req.path.slice(0, 100)}; the FHIR base is /fhir`), defaultFmt));
  // Errors thrown by express itself (body too large, aborted) still become OperationOutcomes.
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const { error, internal } = toFhirError(err);
    if (internal) deps.logger.error({ reqId: res.locals.requestId as string, err }, 'request failed');
    sendError(res, error, defaultFmt);
  });
  return app;
}

/** The FHIR REST endpoint: raw body (parsed by rest/ with depth and size limits), dispatch, errors → OperationOutcome. */
function mountFhir(app: express.Express, deps: HttpDeps, opts: HttpOptions): void {
  // First on /fhir, so every FHIR request is audited (401s and 429s included), whatever fails after it.
  if (deps.audit) app.use('/fhir', auditMiddleware(deps.audit.recorder, deps.audit.clock, deps.logger));
  // Who is asking, before the rate limit (keyed on the client) and before the body is read.
  app.use('/fhir', async (req: Request, res: Response, next: NextFunction) => {
    try {
      res.locals.ctx = await deps.contextFor(req, res.locals.requestId as string);
      next();
    } catch (err) {
      const { error, internal } = toFhirError(err);
      if (internal) deps.logger.error({ reqId: res.locals.requestId as string, err }, 'request failed');
      sendError(res, error, defaultFmt);
    }
  });
  app.use('/fhir', clientRateLimit(opts.edge?.rateLimitPerMinute ?? 0));
  if (deps.bulkExport) app.use('/fhir', exportRoutes(deps.bulkExport, (req) => baseUrlOf(req, opts), deps.logger));
  if (deps.streamingFhirRoutes) app.use('/fhir', deps.streamingFhirRoutes);
  const budget = createBodyBudget(opts.bodyBudgetBytes ?? DEFAULT_BODY_BUDGET, opts.requestTimeoutMs);
  const maxResource = deps.rest.limits.maxResourceBytes;
  // before admission: a resource announced over its limit neither waits for the budget nor is read
  app.use('/fhir', refuseOversizedResource(maxResource, (res, err) => sendError(res, err, defaultFmt)));
  app.use('/fhir', bodyAdmission(budget, opts.maxBodyBytes, (res, err) => sendError(res, err, defaultFmt)));
  app.use('/fhir', routeBodyReader(opts.maxBodyBytes, maxResource));
  app.use('/fhir', async (req: Request, res: Response) => {
    let fmt = defaultFmt;
    try {
      const q = Object.entries(req.query as Record<string, string | string[]>);
      const native = wantsNativeBinary(req.method, req.path, req.headers.accept, firstValue(q, '_format'));
      fmt = native ? defaultFmt : negotiate(req.headers.accept, firstValue(q, '_format'), firstValue(q, '_pretty'));
      if (!METHODS.has(req.method)) throw new FhirError(405, 'not-supported', `Method ${req.method} is not supported`);
      const fhirReq = await parsedOffThread(toFhirRequest(req, res, opts), deps.rest);
      const posted = (fhirReq.body as { resourceType?: unknown; type?: unknown } | undefined);
      if (posted?.resourceType === 'Bundle' && typeof posted.type === 'string') res.locals.auditBundleType = posted.type;
      res.locals.interaction = interactionName(fhirReq);
      const out = await handleFhirRequest(deps.rest, fhirReq);
      if (native && sendNativeBinary(res, out, req.headers.accept, req.method === 'HEAD')) return;
      send(res, out.status, out.headers, fmt.pretty || out.rawJson === undefined ? out.body : undefined, fmt, req.method === 'HEAD', out.rawJson);
    } catch (err) {
      const { error, internal } = toFhirError(err);
      if (internal) deps.logger.error({ reqId: res.locals.requestId as string, err }, 'request failed');
      sendError(res, error, fmt);
    }
  });
}

function firstValue(q: [string, string | string[]][], name: string): string | undefined {
  const v = q.find(([k]) => k === name)?.[1];
  return Array.isArray(v) ? v[0] : v;
}

function interactionName(req: FhirRequest): string {
  try {
    const { spec, params } = routeOf(req);
    return spec.kind === 'operation' ? `$${params.op ?? ''}` : spec.kind;
  } catch {
    return 'invalid';
  }
}

function toFhirRequest(req: Request, res: Response, opts: HttpOptions): FhirRequest {
  const url = new URL(req.originalUrl, 'http://x');
  const query: [string, string][] = [...url.searchParams.entries()];
  const path = url.pathname.replace(/^\/fhir\/?/, '');
  const raw = Buffer.isBuffer(req.body) ? req.body : undefined;
  const security = req.headers['x-security-context'];
  const binary = binaryUpload(req.method, url.pathname.replace(/^\/fhir/, ''), req.headers['content-type'], raw, Array.isArray(security) ? security[0] : security);
  const defer = !binary && raw !== undefined && raw.length > DEFER_JSON_BYTES;
  const { body, contentType, deferredJson }: ParsedBody = binary ? { body: binary, contentType: 'application/fhir+json' } : parseBody(raw, req.headers['content-type'], opts.maxJsonDepth, defer);
  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
  return {
    method: req.method as FhirRequest['method'],
    path,
    query, headers, body, contentType,
    ...(deferredJson ? { deferredJson: { bytes: deferredJson, maxDepth: opts.maxJsonDepth } } : {}),
    baseUrl: baseUrlOf(req, opts),
    ctx: res.locals.ctx as AccessContext,
  };
}

/**
 * A large body left unparsed by toFhirRequest: $validate judges it in its worker (operations/validate);
 * any other request gets it parsed, string-checked and (for a resource) validated in a worker thread,
 * so a 20 MB create costs the event loop only the structured clone of the result.
 */
async function parsedOffThread(req: FhirRequest, rest: RestDeps): Promise<FhirRequest> {
  if (!req.deferredJson || VALIDATE_PATH.test(req.path)) return req;
  const { deferredJson, ...others } = req;
  if (!rest.bodyJudge) return { ...others, body: parseJsonBody(deferredJson.bytes, deferredJson.maxDepth) };
  const { maxResourceBytes, maxBundleEntries } = rest.limits;
  // only a Bundle posted to the base holds many resources; any other body is one, bounded before parsing
  const limits = maxResourceBytes === undefined || req.path !== '' ? undefined : { maxResourceBytes, maxBundleEntries };
  const prepared = await rest.bodyJudge.prepare({ ...deferredJson, ...(limits ? { limits } : {}) });
  return { ...others, body: prepared.body, ...(prepared.issues ? { bodyIssues: prepared.issues } : {}), ...(limits ? { bodyLimitsChecked: true } : {}) };
}

/** GET /fhir/.well-known/smart-configuration: public (no token), JSON, from the issuer's metadata. */
function mountSmartConfiguration(app: express.Express, deps: HttpDeps): void {
  app.get('/fhir/.well-known/smart-configuration', async (_req: Request, res: Response) => {
    if (!deps.smartConfiguration) {
      sendError(res, new FhirError(404, 'not-found', 'Authentication is off on this server: there is no SMART authorization server to discover'), defaultFmt);
      return;
    }
    try {
      res.set('Cache-Control', 'public, max-age=300').json(await deps.smartConfiguration());
    } catch (err) {
      deps.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'authorization server metadata unavailable');
      sendError(res, new FhirError(503, 'transient', 'The authorization server\'s metadata is unavailable', undefined, { 'Retry-After': '10' }), defaultFmt);
    }
  });
}
