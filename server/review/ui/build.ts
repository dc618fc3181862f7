/**
 * Builds the review page (server/review/ui) into a static folder: app.js bundled by esbuild, index.html
 * and styles.css. Run after tsc: `node dist/server/review/ui/build.js`. (The amend form's codes are
 * not bundled: the page reads them from the server's ValueSet/$expand.)
 */
import { copyFile, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';
import { fromRoot } from '../../core/paths';
import { reviewUiDir } from './location';

export interface ReviewUiBuildOptions {
  /** Output folder; default `dist/review-ui` (what server/http/review-page.ts serves). */
  outDir?: string;
  minify?: boolean;
}

/** Sources live in the repository (not dist/), whether this runs from ts or compiled js. */
const uiSource = (...parts: string[]): string => fromRoot('server', 'review', 'ui', ...parts);

export async function buildReviewUi(opts: ReviewUiBuildOptions = {}): Promise<{ outDir: string; bytes: number }> {
  const outDir = opts.outDir ?? reviewUiDir();
  await mkdir(outDir, { recursive: true });
  const result = await build({
    entryPoints: [uiSource('app', 'main.ts')],
    outfile: path.join(outDir, 'app.js'),
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: ['es2022', 'chrome110', 'firefox110', 'safari16'],
    tsconfig: uiSource('tsconfig.json'),
    minify: opts.minify ?? true,
    sourcemap: 'linked',
    legalComments: 'none',
    logLevel: 'silent',
    metafile: true,
    // fhirclient's "pure" browser build: no fetch/AbortController polyfills for the browsers targeted above.
    define: { FHIRCLIENT_PURE: 'true' },
  });
  await Promise.all(['index.html', 'styles.css'].map((f) => copyFile(uiSource('static', f), path.join(outDir, f))));
  // A dictionary bundled by older builds must not linger beside the page (and be mistaken for the terminology).
  await rm(path.join(outDir, 'concepts.json'), { force: true });
  const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
  return { outDir, bytes };
}

if (require.main === module) {
  buildReviewUi().then(
    ({ outDir, bytes }) => process.stdout.write(`review page built into ${path.relative(process.cwd(), outDir)} (${Math.round(bytes / 1024)} KiB)\n`),
    (err: unknown) => {
      process.stderr.write(`review page build failed: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
