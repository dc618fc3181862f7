/** /review serving: 503 until built, trailing-slash redirect, CSP, read-only, and the build output itself. */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import request from 'supertest';
import { reviewPageRouter } from '../../server/http/review-page';
import { buildReviewUi } from '../../server/review/ui/build';

const appServing = (dir: string) => {
  const app = express();
  app.use('/review', reviewPageRouter(dir));
  return app;
};

describe('review page route', () => {
  let dir: string;
  beforeAll(() => { dir = mkdtempSync(path.join(tmpdir(), 'review-ui-')); });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('answers 503 with a clear message while the bundle is not built', async () => {
    const res = await request(appServing(path.join(dir, 'missing'))).get('/review/');
    expect(res.status).toBe(503);
    expect(res.text).toMatch(/not been built.*npm run build/);
  });

  test('serves the built page: redirect to /review/, CSP, no-cache, 404 for unknown files', async () => {
    const { bytes } = await buildReviewUi({ outDir: dir });
    expect(bytes).toBeGreaterThan(10_000);
    const app = appServing(dir);
    const bare = await request(app).get('/review');
    expect(bare.status).toBe(301);
    expect(bare.headers.location).toBe('/review/');
    const page = await request(app).get('/review/');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<script defer src="app.js"></script>');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['content-security-policy']).toContain("connect-src 'self'");
    expect(page.headers['cache-control']).toBe('no-cache');
    const js = await request(app).get('/review/app.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toMatch(/javascript/);
    expect((await request(app).get('/review/nope.js')).status).toBe(404);
    expect((await request(app).post('/review/').send('x')).status).toBe(405);
  });

  test('the bundle never turns note text into HTML', () => {
    const js = readFileSync(path.join(dir, 'app.js'), 'utf8');
    expect(js).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
  });

  test('no code list is bundled: the amend form reads the server\'s terminology ($expand), and a stale concepts.json is removed', async () => {
    writeFileSync(path.join(dir, 'concepts.json'), '{}');
    await buildReviewUi({ outDir: dir, minify: false });
    expect(existsSync(path.join(dir, 'concepts.json'))).toBe(false);
    expect(readFileSync(path.join(dir, 'app.js'), 'utf8')).toContain('$expand');
  });

});
