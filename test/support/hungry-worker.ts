/** Worker entry for the worker-pool tests: 'grow' keeps allocating until its heap limit stops it; anything else is echoed. */
import { parentPort } from 'node:worker_threads';
import { serveWorkerTasks } from '../../server/core/worker-pool';

if (parentPort) {
  serveWorkerTasks(parentPort, (message) => {
    if (message !== 'grow') return message;
    const hoard: string[][] = [];
    for (;;) hoard.push(Array.from({ length: 100_000 }, (_, i) => `item ${i} of ${hoard.length}`));
  });
}
