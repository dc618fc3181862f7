/**
 * Where an export's pages are encoded. A plain export writes the stored JSON as is, in the runner's thread.
 * A transformed one (`_pseudonymize`, `_elements`) parses, rewrites and serialises every resource: with
 * `heapMb` > 0 that runs in a worker thread whose heap is capped at `heapMb` (EXPORT_TRANSFORM_HEAP_MB), so
 * its short-lived garbage is collected at that bound — without the cap V8 lets it grow the process's RSS
 * by hundreds of MB over a million resources. The runner only moves text to it and bytes back.
 */
import path from 'node:path';
import { WorkerPool } from '../../core/worker-pool';
import type { ExportRow } from '../../store/types';
import { encodeLines, type EncodedPage, type ThreadData } from './page-codec';
import { checkPseudonymize, type ResearchExportDeps } from './research-transform';
import { transformOf, type TransformRecipe } from './transform-recipe';

export interface PageEncoder {
  encode(rows: ExportRow[]): Promise<EncodedPage>;
  close(): Promise<void>;
}

const joined = (rows: ExportRow[]): string => rows.map((r) => r.json).join('\n');

/** Plain export: the stored JSON, one line each. */
const plain: PageEncoder = {
  encode: (rows) => Promise.resolve({ data: rows.map((r) => `${r.json}\n`).join(''), lines: rows.length, excluded: 0 }),
  close: () => Promise.resolve(),
};

/** The encoder of a job with this recipe (undefined: plain). Throws the kick-off's 400 when the profile or key went away since. */
export function pageEncoder(recipe: TransformRecipe | undefined, deps: ResearchExportDeps, heapMb: number): PageEncoder {
  if (!recipe) return plain;
  if (heapMb <= 0) {
    const transform = transformOf(recipe, deps);
    return { encode: (rows) => Promise.resolve(encodeLines(joined(rows), transform)), close: () => Promise.resolve() };
  }
  if (recipe.pseudonymize) checkPseudonymize(deps, recipe.pseudonymize.profile);
  const data: ThreadData = { recipe, key: deps.key };
  const pool = new WorkerPool(path.join(__dirname, `transform-worker${path.extname(__filename)}`), {
    size: 1, data, resourceLimits: { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: Math.max(4, Math.floor(heapMb / 8)) },
  });
  return { encode: (rows) => pool.run<EncodedPage>(joined(rows)), close: () => pool.close() };
}
