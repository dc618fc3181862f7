/**
 * The audit recorder: AuditEvents are queued in memory (bounded) and written off the request path in
 * batches — one store transaction per batch, with the internal 'audit' origin that the write guard
 * lets through. `close()` drains everything still queued (clean shutdown loses nothing).
 *
 * Overflow drops rather than blocks: a request must never wait on the audit trail, and a full queue
 * means the database is far behind or down, when blocking would take the whole API down with it. Every
 * drop is counted (twinfhir_audit_dropped_total, alertable) and logged loudly.
 */
import type { AuditEvent } from 'fhir/r4';
import type { Logger } from '../core/logger';
import { Counter, Gauge, type Registry } from 'prom-client';
import { asOrigin, systemContext } from '../core/access-context';
import type { IdGenerator } from '../core/clock';
import type { ResourceStore } from '../store/types';

export interface AuditRecorderOptions {
  store: Pick<ResourceStore, 'transaction'>;
  ids: IdGenerator;
  logger: Logger;
  registry: Registry;
  /** Flush at least this often while events wait. */
  flushMs: number;
  /** Flush as soon as this many wait; also the most written per transaction. */
  batchSize: number;
  /** Most events held in memory; beyond it new events are dropped (counted). */
  capacity: number;
}

export interface AuditRecorder {
  record(event: AuditEvent): void;
  /** Writes everything queued now (tests, shutdown). */
  flush(): Promise<void>;
  depth(): number;
  /** Events received since start (queued or dropped): lets callers wait for a response's event. */
  received(): number;
  /** Stops the timer and drains the queue; later events are dropped. */
  close(): Promise<void>;
}

/** The audit metrics on the app's registry; the queue depth is read at scrape time. */
function auditMetrics(registry: Registry, depth: () => number): { total: Counter<'outcome'>; dropped: Counter } {
  const total = new Counter({ name: 'twinfhir_audit_events_total', help: 'AuditEvents recorded by outcome (0 success, 4 minor failure, 8 serious failure)', labelNames: ['outcome'] as const, registers: [registry] });
  const dropped = new Counter({ name: 'twinfhir_audit_dropped_total', help: 'AuditEvents dropped because the audit queue was full or the recorder closed', registers: [registry] });
  new Gauge({ name: 'twinfhir_audit_queue_depth', help: 'AuditEvents waiting to be written', registers: [registry], collect(): void { this.set(depth()); } });
  return { total, dropped };
}

export function createAuditRecorder(opts: AuditRecorderOptions): AuditRecorder {
  let queue: AuditEvent[] = [];
  const { total, dropped } = auditMetrics(opts.registry, () => queue.length);
  const ctx = asOrigin(systemContext('audit'), 'audit');
  let inFlight: Promise<void> | undefined;
  let closed = false;
  let receivedCount = 0;
  let lastDropLog = 0;

  const drop = (n: number, why: string): void => {
    dropped.inc(n);
    // loud, but at most once a second: a flood of identical lines would bury everything else
    if (Date.now() - lastDropLog < 1000) return;
    lastDropLog = Date.now();
    opts.logger.error({ dropped: n, why }, 'AUDIT EVENTS DROPPED: the audit trail is incomplete (see twinfhir_audit_dropped_total)');
  };

  async function writeBatch(): Promise<void> {
    const batch = queue.slice(0, opts.batchSize);
    queue = queue.slice(batch.length);
    try {
      await opts.store.transaction((tx) => tx.createMany(ctx, batch.map((e) => ({ ...e, id: opts.ids.newId() }))));
    } catch (err) {
      // Put the batch back (in front, in order) for the next attempt, as far as the cap allows.
      const room = Math.max(0, opts.capacity - queue.length);
      if (room < batch.length) drop(batch.length - room, 'queue full while the database failed');
      queue = [...batch.slice(0, room), ...queue];
      opts.logger.error({ err, waiting: queue.length }, 'writing AuditEvents failed; will retry');
      throw err;
    }
  }

  /** One writer at a time; loops until the queue is empty or a write fails. */
  function flush(): Promise<void> {
    if (inFlight) return inFlight;
    if (queue.length === 0) return Promise.resolve();
    const run = (async () => {
      while (queue.length > 0) await writeBatch();
    })();
    inFlight = run;
    // cleared after settling (not inside `run`, which may settle before this assignment)
    run.then(() => { inFlight = undefined; }, () => { inFlight = undefined; });
    return run;
  }
  const background = (): void => { flush().catch(() => undefined); };
  const timer = setInterval(() => { if (queue.length > 0) background(); }, opts.flushMs);
  timer.unref();

  return {
    record(event) {
      receivedCount++;
      total.inc({ outcome: event.outcome ?? 'unknown' });
      if (closed || queue.length >= opts.capacity) return drop(1, closed ? 'recorder closed' : 'queue full');
      queue.push(event);
      if (queue.length >= opts.batchSize) background();
    },
    flush,
    depth: () => queue.length,
    received: () => receivedCount,
    async close() {
      closed = true;
      clearInterval(timer);
      if (inFlight) await inFlight.catch(() => undefined);
      // a failing write rejects and ends the loop (the caller logs what is lost)
      while (queue.length > 0) await flush();
    },
  };
}
