/**
 * The export's worker thread: rebuilds the job's transform from its recipe and the key (workerData), then
 * turns pages of stored JSON lines into NDJSON bytes. Its heap is bounded (page-encoder.ts), so the
 * garbage of a million parsed and rewritten resources is collected as it goes instead of swelling the RSS.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { serveWorkerTasks } from '../../core/worker-pool';
import { R4Model } from '../../core/r4/element-model';
import { createSearchRegistry } from '../../search/registry';
import { encodeLines, type ThreadData } from './page-codec';
import { transformOf } from './transform-recipe';

const { recipe, key } = (workerData as { data: ThreadData }).data;
const model = new R4Model();
const transform = transformOf(recipe, { key, model, registry: createSearchRegistry(model) });

if (parentPort) serveWorkerTasks(parentPort, (lines) => encodeLines(lines as string, transform));
