/**
 * Serves the clinician review page (built by server/review/ui/build.ts) at /review, with a strict
 * Content-Security-Policy: the page only loads its own files and talks only to this server's FHIR API.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { type Request, type Response } from 'express';
import { reviewUiDir } from '../review/ui/location';

const CSP = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
  "connect-src 'self'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
].join('; ');

function securityHeaders(res: Response): void {
  res.set({ 'Content-Security-Policy': CSP, 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer' });
}

/** Router for /review serving `dir` (the built bundle); 503 with a clear message while it is not built. */
export function reviewPageRouter(dir: string = reviewUiDir(), opts: { sourceMaps?: boolean } = {}): express.Router {
  const router = express.Router();
  const statics = express.static(dir, {
    index: 'index.html',
    // The bundle is not content-hashed: always revalidate so a new build is picked up at once.
    setHeaders: (res) => res.set('Cache-Control', 'no-cache'),
  });
  router.use((req: Request, res: Response, next) => {
    securityHeaders(res);
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
  router.use(statics);
  router.use((_req: Request, res: Response) => {
    res.status(404).type('text/plain').send('Not found');
  });
  return router;
}
