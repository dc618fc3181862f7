/** Worker thread entry (see pdf-off-thread.ts): PDF bytes in, text or the reason it is unreadable out. */
import { parentPort } from 'node:worker_threads';
import { serveWorkerTasks } from '../../core/worker-pool';
import { pdfReply } from './pdf-off-thread';

if (parentPort) serveWorkerTasks(parentPort, (bytes) => pdfReply(bytes as Uint8Array));
