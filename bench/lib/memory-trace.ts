/**
 * Bench-only preload (node --require) that writes a memory trace of the server to MEMORY_TRACE_FILE:
 * every thread (main and each worker, which run the preload too) appends its process.memoryUsage()
 * and V8 heap every 100 ms, and the main thread appends each request's start and finish (method,
 * path without query, Content-Length), so a peak of RSS can be put next to the requests before it.
 * Use: BENCH_SERVER_NODE_ARGS='--require dist/bench/lib/memory-trace.js' MEMORY_TRACE_FILE=... ;
 * summarised by bench/memory-trace-report.ts. Never loaded by the server itself.
 */
import { appendFileSync } from 'node:fs';
import { subscribe } from 'node:diagnostics_channel';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { getHeapStatistics } from 'node:v8';
import { isMainThread, threadId } from 'node:worker_threads';

const file = process.env.MEMORY_TRACE_FILE;
const MB = 1024 * 1024;
const mb = (n: number): number => Math.round(n / MB);

function write(line: object): void {
  try {
    appendFileSync(file as string, `${JSON.stringify(line)}\n`);
  } catch {
    // the trace is best effort; the server must not notice it
  }
}

function sample(): void {
  const m = process.memoryUsage();
  const h = getHeapStatistics();
  write({ t: Date.now(), th: threadId, rss: mb(m.rss), heapUsed: mb(m.heapUsed), heapTotal: mb(m.heapTotal), external: mb(m.external), arrayBuffers: mb(m.arrayBuffers), physical: mb(h.total_physical_size), malloced: mb(h.malloced_memory) });
}

if (file) {
  setInterval(sample, 100).unref();
  if (isMainThread) {
    const ids = new WeakMap<IncomingMessage, number>();
    let next = 0;
    const describe = (r: IncomingMessage): object => ({ m: r.method, p: (r.url ?? '').split('?')[0].slice(0, 80), cl: Number(r.headers['content-length'] ?? 0) });
    subscribe('http.server.request.start', (msg) => {
      const { request } = msg as { request: IncomingMessage };
      const id = ++next;
      ids.set(request, id);
      write({ t: Date.now(), start: id, ...describe(request) });
    });
    subscribe('http.server.response.finish', (msg) => {
      const { request, response } = msg as { request: IncomingMessage; response: ServerResponse };
      write({ t: Date.now(), finish: ids.get(request), status: response.statusCode });
    });
  }
}
