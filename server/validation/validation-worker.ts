/** Worker thread entry (see off-thread.ts): builds its own validator once and judges $validate bodies and prepares large write bodies. */
import { parentPort } from 'node:worker_threads';
import { serveWorkerTasks } from '../core/worker-pool';
import { createValidator } from './index';
import { type WorkerTask, runWorkerTask } from './off-thread';

if (parentPort) {
  const validator = createValidator();
  serveWorkerTasks(parentPort, (task) => runWorkerTask(validator, task as WorkerTask));
}
