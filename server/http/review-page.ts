/**
 * Serves the clinician review page (built by server/review/ui/build.ts) at /review, with a strict
 * Content-Security-Policy: the page only loads its own files and talks only to this server's FHIR API
 * (and, with auth on, to the authorization server's token endpoint). `config.json` tells the page
 * whether to launch as a SMART app and with which client id and scopes.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { type Request, type Response } from 'express';
import { reviewUiDir } from '../review/ui/location';

/** What the page needs for a SMART standalone launch (auth on); endpoints it discovers itself. */
export interface ReviewPageSmart {
  clientId: string;
  scope: string;
  /** Origin of the authorization server: the page exchanges its code at the token endpoint there. */
  authOrigin: string;
}

/** The page's runtime settings (`/review/config.json`). */
export interface ReviewPageConfig {
  smart: { clientId: string; scope: string } | null;
}

const csp = (connect: string[]): string => [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
  `connect-src ${["'self'", ...connect].join(' ')}`, "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
].join('; ');

/** Router for /review serving `dir` (the built bundle); 503 with a clear message while it is not built. */
export function reviewPageRouter(dir: string = reviewUiDir(), opts: { sourceMaps?: boolean; smart?: ReviewPageSmart } = {}): express.Router {
  const router = express.Router();
  const policy = csp(opts.smart ? [opts.smart.authOrigin] : []);
  const pageConfig: ReviewPageConfig = { smart: opts.smart ? { clientId: opts.smart.clientId, scope: opts.smart.scope } : null };
  const statics = express.static(dir, {
    index: 'index.html',
    // The bundle is not content-hashed: always revalidate so a new build is picked up at once.
    setHeaders: (res) => res.set('Cache-Control', 'no-cache'),
  });
  router.use((req: Request, res: Response, next) => {
    res.set({ 'Content-Security-Policy': policy, 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer' });
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.status(405).set('Allow', 'GET, HEAD').type('text/plain').send('The review page is read-only: use GET.');
      return;
    }
    // Source maps reveal the source: never served in production.
    if (opts.sourceMaps === false && req.path.endsWith('.map')) {
      res.status(404).type('text/plain').send('Not found');
      return;
    }
    if (!existsSync(path.join(dir, 'index.html'))) {
      res.status(503).type('text/plain').send('The review page has not been built. Run `npm run build` (it bundles server/review/ui into dist/review-ui) and reload.');
      return;
    }
    // Relative URLs (app.js, ../fhir) need the trailing slash: /review → /review/.
    if (req.path === '/' && !req.originalUrl.split('?')[0].endsWith('/')) {
      res.redirect(301, `${req.baseUrl}/`);
      return;
    }
    next();
  });
  router.get('/config.json', (_req: Request, res: Response) => {
    res.set('Cache-Control', 'no-cache').json(pageConfig);
  });
  router.use(statics);
  router.use((_req: Request, res: Response) => {
    res.status(404).type('text/plain').send('Not found');
  });
  return router;
}
