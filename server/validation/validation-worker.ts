/** Worker thread entry (see off-thread.ts): builds its own validator once and judges $validate bodies. */
import { parentPort } from 'node:worker_threads';
import { serveWorkerTasks } from '../core/worker-pool';
import { createValidator } from './index';
import { type BodyTask, judgeBody } from './off-thread';

if (parentPort) {
  const validator = createValidator();
  serveWorkerTasks(parentPort, (task) => judgeBody(validator, task as BodyTask));
}
